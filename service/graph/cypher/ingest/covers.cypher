// Account team assignment (no history): one COVERS per (team member, account).
// Row: {team_member_id, account_id, has_role, role}; an omitted role keeps the stored one.
UNWIND $rows AS row
MATCH (t:TeamMember {id: row.team_member_id})
MATCH (a:Account {id: row.account_id})
SET t._lock = true
REMOVE t._lock
// A team member who has left covers nothing (validation refuses the row; this is a
// departure committed since).
WITH t, a, row
WHERE coalesce(t.status, 'active') <> 'left'
OPTIONAL MATCH (t)-[e:COVERS]->(a)
WITH t, a, row, collect(e) AS existing
MERGE (t)-[r:COVERS]->(a)
  ON CREATE SET r.source = $source, r.source_record_id = row.source_record_id
WITH t, a, r, row, size(existing) = 0 AS created, [e IN existing | e.role][0] AS before,
     row.has_role
     AND any(e IN existing WHERE coalesce(e.role <> row.role,
                                         e.role IS NOT NULL OR row.role IS NOT NULL)) AS changed
SET r.role = CASE WHEN row.has_role THEN row.role ELSE r.role END
// `changes`: one flat list of the changed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH count(CASE WHEN created THEN 1 END) AS created,
       count(CASE WHEN changed THEN 1 END) AS updated,
       collect(CASE WHEN created
                    THEN [['COVERS', 'opened', t.id, a.id, null, null, r.role, null, null, null, null, null, null]]
                    WHEN changed
                    THEN [['COVERS', 'changed', t.id, a.id, null, null, null, null, null,
                           before, row.role, null, null]] END) AS per_row
RETURN created, updated, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
