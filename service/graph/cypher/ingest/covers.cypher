CYPHER replan=skip
// Account team assignment: one current COVERS per (team member, account); another role
// closes it and opens a new one, never before the closed edges' until (no overlap in
// history). Row: {team_member_id, account_id, has_role, role}; an omitted role keeps
// the current edge as it is (a new edge opens without a role).
UNWIND $rows AS row
MATCH (t:TeamMember {id: row.team_member_id})
MATCH (a:Account {id: row.account_id})
SET t._lock = true
REMOVE t._lock
WITH t, a, row
// From the team member's side: an account has thousands of relationships.
OPTIONAL MATCH (t)-[c:COVERS]->(x)
WHERE x = a
WITH t, a, row, collect(c) AS edges
WITH t, a, row, edges, [c IN edges WHERE c.until IS NULL] AS currents
WITH t, a, row, edges,
     [c IN currents WHERE row.has_role
                          AND coalesce(c.role <> row.role, c.role IS NOT NULL OR row.role IS NOT NULL)] AS stale,
     any(c IN currents WHERE NOT row.has_role
                             OR coalesce(c.role = row.role, c.role IS NULL AND row.role IS NULL)) AS kept
WITH t, a, row, stale, kept,
     reduce(x = $effective_at, c IN edges |
            CASE WHEN coalesce(c.until, c.since) > x THEN coalesce(c.until, c.since) ELSE x END) AS at
FOREACH (c IN stale | SET c.until = at)
// A team member who has left covers nothing (validation refuses the row; this is a
// departure committed since).
WITH t, a, row, stale, at, kept OR coalesce(t.status, 'active') = 'left' AS kept
FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END |
  CREATE (t)-[:COVERS {role: row.role, since: at, source: $source,
                    source_record_id: row.source_record_id}]->(a))
// `changes`: one flat list of the changed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH count(CASE WHEN NOT kept THEN 1 END) AS created, sum(size(stale)) AS closed,
       collect(CASE WHEN NOT kept OR size(stale) > 0 THEN
         [c IN stale | ['COVERS', 'closed', t.id, a.id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, at.epochMillis * 1000 + at.microsecond % 1000,
                        c.role, null, null, null, null, null, null]]
         + CASE WHEN kept THEN []
                ELSE [['COVERS', 'opened', t.id, a.id, at.epochMillis * 1000 + at.microsecond % 1000, null,
                       row.role, null, null, null, null, null, null]] END
       END) AS per_row
RETURN created, closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
