CYPHER replan=skip
// An influence line ended (an influences row with `until`): the current INFLUENCES of
// (from, to) is closed at until, never before its own since; a no-op when none is
// current. Row: {from_id, to_id, until} (until: ISO text).
UNWIND $rows AS row
MATCH (a:Stakeholder {id: row.from_id})
MATCH (b:Stakeholder {id: row.to_id})
SET a._lock = true
REMOVE a._lock
WITH a, b, row, datetime(row.until) AS until
OPTIONAL MATCH (a)-[c:INFLUENCES]->(b)
WHERE c.until IS NULL
WITH a, b, until, collect(c) AS open
FOREACH (c IN open | SET c.until = CASE WHEN c.since > until THEN c.since ELSE until END)
// `changes`: one flat list of the closed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH sum(size(open)) AS closed,
     collect([c IN open | ['INFLUENCES', 'closed', a.id, b.id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, c.until.epochMillis * 1000 + c.until.microsecond % 1000,
                          c.strength, null, null, null, null, null, null]]) AS per_row
RETURN closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
