// The ids of one tier's accounts in id order, from the (tier, id) index.
MATCH (a:Account)
USING INDEX a:Account(tier, id)
WHERE a.tier = $tier AND a.id IS NOT NULL
RETURN a.id AS id
ORDER BY a.tier, a.id
