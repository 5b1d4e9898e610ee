CYPHER replan=skip
// A person who moved to another account (their current WORKS_AT starts where one to
// another account ended) keeps our KNOWS ties, but what tied them to the old account
// ends at the move: their current HAS_ROLE on the old account and its opportunities,
// CONTROLS of its budgets, and REPORTS_TO lines (both ways, solid and dotted) with
// people whose current employer is the old account. Only edges opened before the move
// end (one this batch or a later one opened on purpose stays). Runs after every
// WORKS_AT row of the write, so two colleagues moving together keep their line.
// Row: {id, account_id}, as for works_at; a person who did not move changes nothing.
// The employments are read from the person's side (pattern comprehensions): a MATCH on
// `w.until IS NULL` let the planner scan the WORKS_AT until index once per row.
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.id})
WITH s, row,
     [(s)-[w:WORKS_AT]->(a:Account) WHERE w.until IS NULL AND a.id = row.account_id | w.since] AS starts
UNWIND starts AS moved_at
// (The until test outside the pattern: inside it, the planner seeks the until index.)
UNWIND [e IN [(s)-[p:WORKS_AT]->(o:Account) | [p.until, o]]
        WHERE e[0] = moved_at AND e[1].id <> row.account_id | e[1]] AS old
WITH DISTINCT s, old, moved_at
CALL (s, old, moved_at) {
  OPTIONAL MATCH (s)-[h:HAS_ROLE]->(x)
  WHERE h.until IS NULL AND h.since < moved_at
    AND (x = old OR (x:Opportunity AND (x)-[:FOR]->(old)))
  RETURN collect(h) AS roles
}
CALL (s, old, moved_at) {
  OPTIONAL MATCH (s)-[c:CONTROLS]->(:Budget)-[:OF]->(old)
  WHERE c.until IS NULL AND c.since < moved_at
  RETURN collect(c) AS controls
}
CALL (s, old, moved_at) {
  OPTIONAL MATCH (s)-[r:REPORTS_TO]-(o:Stakeholder)
  WHERE r.until IS NULL AND r.since < moved_at
    AND EXISTS { (o)-[ow:WORKS_AT]->(old) WHERE ow.until IS NULL }
  RETURN collect(DISTINCT r) AS lines
}
WITH s, moved_at, roles + controls + lines AS open
FOREACH (r IN open | SET r.until = moved_at)
// `changes`: one flat list of the closed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH sum(size(open)) AS closed,
     collect([r IN open | [type(r), 'closed', startNode(r).id, endNode(r).id, r.since.epochMillis * 1000 + r.since.microsecond % 1000,
                           r.until.epochMillis * 1000 + r.until.microsecond % 1000,
                           coalesce(r.kind, r.role, r.authority), r.stance,
                           CASE WHEN type(r) <> 'HAS_ROLE' THEN null
                                WHEN endNode(r):Opportunity THEN 'opportunity'
                                ELSE 'account' END, null, null, null, null]]) AS per_row
RETURN closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
