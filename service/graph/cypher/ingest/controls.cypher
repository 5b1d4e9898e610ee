CYPHER replan=skip
// Budget control: one current CONTROLS per (stakeholder, budget); another authority closes
// it and opens a new one, never before the closed edges' until (no overlap in history).
// Row: {stakeholder_id, budget_id, authority}.
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.stakeholder_id})
MATCH (b:Budget {id: row.budget_id})
SET s._lock = true
REMOVE s._lock
WITH s, b, row
OPTIONAL MATCH (s)-[c:CONTROLS]->(b)
WITH s, b, row, collect(c) AS edges
WITH s, b, row, edges, [c IN edges WHERE c.until IS NULL] AS currents
WITH s, b, row, edges,
     [c IN currents WHERE c.authority <> row.authority] AS stale,
     any(c IN currents WHERE c.authority = row.authority) AS kept
WITH s, b, row, stale, kept,
     reduce(t = $effective_at, c IN edges |
            CASE WHEN coalesce(c.until, c.since) > t THEN coalesce(c.until, c.since) ELSE t END) AS at
FOREACH (c IN stale | SET c.until = at)
// Nothing is opened for a person who has left (a departure committed since validation).
WITH s, b, row, stale, kept OR coalesce(s.status, 'active') = 'left' AS kept, at
FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END |
  CREATE (s)-[:CONTROLS {authority: row.authority, since: at,
                        source: $source, source_record_id: row.source_record_id}]->(b))
// `changes`: one flat list of the changed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH count(CASE WHEN NOT kept THEN 1 END) AS created, sum(size(stale)) AS closed,
       collect(CASE WHEN NOT kept OR size(stale) > 0 THEN
         [c IN stale | ['CONTROLS', 'closed', s.id, b.id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, at.epochMillis * 1000 + at.microsecond % 1000,
                        c.authority, null, null, null, null, null, null]]
         + CASE WHEN kept THEN []
                ELSE [['CONTROLS', 'opened', s.id, b.id, at.epochMillis * 1000 + at.microsecond % 1000, null,
                       row.authority, null, null, null, null, null, null]] END
       END) AS per_row
RETURN created, closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
