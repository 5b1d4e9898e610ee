CYPHER replan=skip
// Informal influence: one current INFLUENCES per ordered pair (from, to); another
// strength closes it and opens a new one, never before the closed edges' until (no
// overlap in history). Row: {from_id, to_id, strength}. Every writer locks the source
// before looking for the edge, so a concurrent batch with the same pair waits here and
// then sees the edge.
UNWIND $rows AS row
MATCH (a:Stakeholder {id: row.from_id})
MATCH (b:Stakeholder {id: row.to_id})
SET a._lock = true
REMOVE a._lock
WITH a, b, row
OPTIONAL MATCH (a)-[c:INFLUENCES]->(b)
WITH a, b, row, collect(c) AS edges
WITH a, b, row, edges, [c IN edges WHERE c.until IS NULL] AS currents
WITH a, b, row, edges,
     [c IN currents WHERE c.strength <> row.strength] AS stale,
     any(c IN currents WHERE c.strength = row.strength) AS kept
WITH a, b, row, stale, kept,
     reduce(t = $effective_at, c IN edges |
            CASE WHEN coalesce(c.until, c.since) > t THEN coalesce(c.until, c.since) ELSE t END) AS at
FOREACH (c IN stale | SET c.until = at)
// Nothing is opened for a person who has left: a row may name them (validation accepts
// it), but their influence ended with their departure.
WITH a, b, row, stale, at,
     kept OR coalesce(a.status, 'active') = 'left' OR coalesce(b.status, 'active') = 'left' AS kept
FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END |
  CREATE (a)-[:INFLUENCES {strength: row.strength, since: at, source: $source,
                        source_record_id: row.source_record_id}]->(b))
// `changes`: one flat list of the changed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH count(CASE WHEN NOT kept THEN 1 END) AS created, sum(size(stale)) AS closed,
       collect(CASE WHEN NOT kept OR size(stale) > 0 THEN
         [c IN stale | ['INFLUENCES', 'closed', a.id, b.id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, at.epochMillis * 1000 + at.microsecond % 1000,
                        c.strength, null, null, null, null, null, null]]
         + CASE WHEN kept THEN []
                ELSE [['INFLUENCES', 'opened', a.id, b.id, at.epochMillis * 1000 + at.microsecond % 1000, null,
                       row.strength, null, null, null, null, null, null]] END
       END) AS per_row
RETURN created, closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
