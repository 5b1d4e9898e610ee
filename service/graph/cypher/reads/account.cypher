// One account with its counts and the team covering it. No row when the id is unknown.
// `updated_at`, held as a UTC DateTime, comes as microseconds since the epoch
// (service/graph/values.py, `to_native_utc_micros`: the driver's decoding of a DateTime
// costs more than the rest of the row).
MATCH (a:Account {id: $account_id})
RETURN a.id AS id, a.name AS name, a.tier AS tier, a.industry AS industry,
       a.annual_revenue AS annual_revenue,
       CASE WHEN a.updated_at IS :: ZONED DATETIME NOT NULL AND a.updated_at.offsetSeconds = 0
            THEN a.updated_at.epochMillis * 1000 + a.updated_at.microsecond % 1000
            ELSE a.updated_at END AS updated_at,
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
       } AS team_members,
       COLLECT {
         MATCH (t:TeamMember)-[c:COVERS]->(a)
         WHERE c.until IS NULL
         WITH t, c
         ORDER BY t.id
         RETURN {id: t.id, name: t.name, role: coalesce(c.role, t.role),
                 status: coalesce(t.status, 'active')}
       } AS team
