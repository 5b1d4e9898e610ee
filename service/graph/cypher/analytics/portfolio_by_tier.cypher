// Anchor of portfolio threading over one tier: a seek of the (tier, id) index (the
// existence check on id lets the planner honour the composite index hint).
MATCH (a:Account)
USING INDEX a:Account(tier, id)
WHERE a.tier = $tier AND a.id IS NOT NULL
