// One page of the accounts of one tier in id order, seeking the (tier, id) index
// `account_tier` from the cursor. $after is '' for the first page; $limit is one more
// than the page size so the caller can tell whether another page follows.
MATCH (a:Account)
USING INDEX a:Account(tier, id)
WHERE a.tier = $tier AND a.id > $after
WITH a
// Ordering by the whole index key (tier is fixed) lets the index provide the order, so
// the seek stops after $limit entries instead of sorting the rest of the tier.
ORDER BY a.tier, a.id
LIMIT $limit
RETURN a.id AS id, a.name AS name, a.tier AS tier, a.industry AS industry,
       a.annual_revenue AS annual_revenue,
       COUNT {
         MATCH (s:Stakeholder)-[w:WORKS_AT]->(a)
         WHERE w.until IS NULL AND coalesce(s.status, 'active') = 'active'
         RETURN DISTINCT s
       } AS active_stakeholders,
       COUNT { MATCH (b:Budget)-[:OF]->(a) RETURN DISTINCT b } AS budgets,
       COUNT { MATCH (o:Opportunity)-[:FOR]->(a) RETURN DISTINCT o } AS opportunities,
       COUNT {
         MATCH (t:TeamMember)-[c:COVERS]->(a)
         WHERE c.until IS NULL AND coalesce(t.status, 'active') = 'active'
         RETURN DISTINCT t
       } AS team_members
ORDER BY id
