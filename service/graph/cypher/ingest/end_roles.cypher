CYPHER replan=skip
// A buying role ended (a roles row with `until`): the current HAS_ROLE of (stakeholder,
// target, role) is closed at until, never before its own since; a no-op when none is
// current. Row: {stakeholder_id, target_id, on_account, role, until} (until: ISO text).
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.stakeholder_id})
SET s._lock = true
REMOVE s._lock
WITH s, row, datetime(row.until) AS until
// From the stakeholder's side: an account has thousands of relationships.
OPTIONAL MATCH (s)-[c:HAS_ROLE]->(x)
WHERE c.until IS NULL AND c.role = row.role AND x.id = row.target_id
  AND CASE WHEN row.on_account THEN x:Account ELSE x:Opportunity END
WITH s, row, until, collect(c) AS open
FOREACH (c IN open | SET c.until = CASE WHEN c.since > until THEN c.since ELSE until END)
// `changes`: one flat list of the closed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH sum(size(open)) AS closed,
     collect([c IN open | ['HAS_ROLE', 'closed', s.id, row.target_id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, c.until.epochMillis * 1000 + c.until.microsecond % 1000,
                          c.role, c.stance, CASE WHEN row.on_account THEN 'account' ELSE 'opportunity' END, null, null, null, null]]) AS per_row
RETURN closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
