CYPHER replan=skip
// A budget control ended (a controls row with `until`): the current CONTROLS of
// (stakeholder, budget) with the row's authority is closed at until, never before its
// own since; a no-op when none is current. Row: {stakeholder_id, budget_id, authority,
// until} (until: ISO text).
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.stakeholder_id})
MATCH (b:Budget {id: row.budget_id})
SET s._lock = true
REMOVE s._lock
WITH s, b, row, datetime(row.until) AS until
OPTIONAL MATCH (s)-[c:CONTROLS]->(b)
WHERE c.until IS NULL AND c.authority = row.authority
WITH s, b, row, until, collect(c) AS open
FOREACH (c IN open | SET c.until = CASE WHEN c.since > until THEN c.since ELSE until END)
// `changes`: one flat list of the closed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH sum(size(open)) AS closed,
     collect([c IN open | ['CONTROLS', 'closed', s.id, b.id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, c.until.epochMillis * 1000 + c.until.microsecond % 1000,
                          c.authority, null, null, null, null, null, null]]) AS per_row
RETURN closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
