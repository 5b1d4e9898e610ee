// For each account of $account_ids: the key roles ($roles: champion, economic buyer,
// decision maker) that its current, active stakeholders hold or held (closed edges
// count: a move closes the roles at the old account) on ANOTHER account or one of its
// opportunities (former_champion_joined).
UNWIND $account_ids AS account_id
MATCH (a:Account {id: account_id})<-[w:WORKS_AT]-(s:Stakeholder)
WHERE w.until IS NULL AND coalesce(s.status, 'active') = 'active'
MATCH (s)-[r:HAS_ROLE]->(t)
WHERE r.role IN $roles
OPTIONAL MATCH (t:Opportunity)-[:FOR]->(o:Account)
WITH account_id, s, r, t, CASE WHEN t:Account THEN t ELSE o END AS other
WHERE other IS NOT NULL AND other.id <> account_id
RETURN account_id, s.id AS person_id, r.role AS role,
       CASE WHEN t:Account THEN 'account' ELSE 'opportunity' END AS target_kind,
       t.id AS target_id, t.name AS target_name,
       other.id AS other_id, other.name AS other_name, r.since AS since, r.until AS until
