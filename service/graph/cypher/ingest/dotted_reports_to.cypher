CYPHER replan=skip
// Dotted lines: one current per (person, manager). Row: {id, manager_ids} is the complete
// set of the person's dotted-line managers: lines to others are closed, new ones opened
// at the effective time, or at the until of an earlier line to that manager if that is
// later (a late batch never opens a line inside a closed one's interval).
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.id})
SET s._lock = true
REMOVE s._lock
WITH s, row
OPTIONAL MATCH (s)-[c:REPORTS_TO]->(m:Stakeholder)
WHERE c.kind = 'dotted' AND c.until IS NULL
WITH s, row, collect(c) AS currents, collect(m.id) AS current_ids
WITH s, row,
     [c IN currents WHERE NOT endNode(c).id IN row.manager_ids] AS stale,
     [x IN row.manager_ids WHERE NOT x IN current_ids] AS added
FOREACH (c IN stale |
  SET c.until = CASE WHEN c.since > $effective_at THEN c.since ELSE $effective_at END)
WITH s, added, row.source_record_id AS record_id, size(stale) AS closed,
     [c IN stale | ['REPORTS_TO', 'closed', s.id, endNode(c).id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, c.until.epochMillis * 1000 + c.until.microsecond % 1000,
                    'dotted', null, null, null, null, null, null]] AS ended
CALL (s, added, record_id) {
  UNWIND added AS manager_id
  MATCH (m:Stakeholder {id: manager_id})
  // Never a current line to a manager who has left (a departure committed since
  // validation): lock, then read the status.
  SET m._lock = true
  REMOVE m._lock
  WITH m
  WHERE NOT coalesce(m.status, 'active') = 'left'
  OPTIONAL MATCH (s)-[c:REPORTS_TO]->(m)
  WHERE c.kind = 'dotted'
  WITH m, collect(c.until) AS ends
  WITH m, reduce(x = $effective_at, u IN ends | CASE WHEN u > x THEN u ELSE x END) AS at
  CREATE (s)-[:REPORTS_TO {kind: 'dotted', since: at,
                           source: $source, source_record_id: record_id}]->(m)
  RETURN count(*) AS created,
         collect(['REPORTS_TO', 'opened', s.id, m.id, at.epochMillis * 1000 + at.microsecond % 1000, null,
                  'dotted', null, null, null, null, null, null]) AS opened
}
// `changes`: one flat list of the changed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH sum(created) AS created, sum(closed) AS closed,
     collect(CASE WHEN closed > 0 OR created > 0 THEN ended + opened END) AS per_row
RETURN created, closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
