CYPHER replan=skip
// Solid line: one current per person. Row: {id, manager_id}; manager_id null means the
// person no longer has a solid-line manager (the current edge is closed, none opened).
// A different manager closes the current edge and opens a new one at the effective time,
// or later: never before the current edge's since nor inside an earlier (closed) line.
// `changes`: one flat list of the changed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.id})
OPTIONAL MATCH (m:Stakeholder {id: row.manager_id})
// Lock the person, then the manager: two batches that each add half of a cycle then
// meet on a lock, and the later one sees the other's edge in the cycle check.
SET s._lock = true
REMOVE s._lock
FOREACH (x IN CASE WHEN m IS NULL THEN [] ELSE [m] END | SET x._lock = true REMOVE x._lock)
// A manager who has left (validation refuses one; this is a departure that committed
// since) is no manager: the line is closed as for reports_to null, as the departure of
// the manager closed it. No current edge of a departed person is ever opened.
WITH s, row, CASE WHEN coalesce(m.status, 'active') = 'left' THEN null ELSE m END AS m
OPTIONAL MATCH (s)-[c:REPORTS_TO]->()
WHERE c.kind = 'solid'
WITH s, m, row, collect(c) AS edges
WITH s, m, row, edges, [c IN edges WHERE c.until IS NULL] AS currents
WITH s, m, row, edges,
     [c IN currents WHERE m IS NULL OR endNode(c) <> m] AS stale,
     m IS NOT NULL AND any(c IN currents WHERE endNode(c) = m) AS kept
WITH s, m, row, stale, kept,
     reduce(t = $effective_at, c IN edges |
            CASE WHEN coalesce(c.until, c.since) > t THEN coalesce(c.until, c.since) ELSE t END) AS at
FOREACH (c IN stale | SET c.until = at)
FOREACH (_ IN CASE WHEN m IS NULL OR kept THEN [] ELSE [1] END |
  CREATE (s)-[:REPORTS_TO {kind: 'solid', since: at,
                          source: $source, source_record_id: row.source_record_id}]->(m))
WITH count(CASE WHEN m IS NOT NULL AND NOT kept THEN 1 END) AS created,
       sum(size(stale)) AS closed,
       collect(CASE WHEN m IS NOT NULL AND NOT kept THEN s.id END) AS opened_for,
       collect(CASE WHEN size(stale) > 0 OR m IS NOT NULL AND NOT kept THEN
         [c IN stale | ['REPORTS_TO', 'closed', s.id, endNode(c).id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, at.epochMillis * 1000 + at.microsecond % 1000,
                        'solid', null, null, null, null, null, null]]
         + CASE WHEN m IS NULL OR kept THEN []
                ELSE [['REPORTS_TO', 'opened', s.id, m.id, at.epochMillis * 1000 + at.microsecond % 1000, null,
                       'solid', null, null, null, null, null, null]] END
       END) AS per_row
RETURN created, closed, opened_for, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
