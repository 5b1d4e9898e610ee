CYPHER replan=skip
// A dotted line ended (a `dotted_reports_to` entry {id, until}): the current dotted
// REPORTS_TO of (person, manager) is closed at until, never before its own since; a
// no-op when none is current. Row: {id, manager_id, until} (until: ISO text).
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.id})
SET s._lock = true
REMOVE s._lock
WITH s, row, datetime(row.until) AS until
OPTIONAL MATCH (s)-[c:REPORTS_TO]->(m:Stakeholder)
WHERE c.kind = 'dotted' AND c.until IS NULL AND m.id = row.manager_id
WITH s, until, collect(c) AS open
FOREACH (c IN open | SET c.until = CASE WHEN c.since > until THEN c.since ELSE until END)
// `changes`: one flat list of the closed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH sum(size(open)) AS closed,
     collect([c IN open | ['REPORTS_TO', 'closed', s.id, endNode(c).id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, c.until.epochMillis * 1000 + c.until.microsecond % 1000,
                          'dotted', null, null, null, null, null, null]]) AS per_row
RETURN closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
