// Informal influence (no history): one INFLUENCES per ordered pair, strength updated in
// place. Row: {from_id, to_id, strength}. Every writer locks the source before looking
// for the edge, so a concurrent batch with the same pair waits here and then sees the
// edge: a plain CREATE then never duplicates it (cheaper than MERGE, which searches the
// pair's edges a second time).
UNWIND $rows AS row
MATCH (a:Stakeholder {id: row.from_id})
MATCH (b:Stakeholder {id: row.to_id})
SET a._lock = true
REMOVE a._lock
WITH a, b, row
OPTIONAL MATCH (a)-[e:INFLUENCES]->(b)
WITH a, b, row, collect(e) AS existing
WITH a, b, row, existing, size(existing) = 0 AS created,
     any(e IN existing WHERE e.strength <> row.strength) AS changed,
     [e IN existing | e.strength][0] AS before
FOREACH (e IN existing | SET e.strength = row.strength)
FOREACH (_ IN CASE WHEN created THEN [1] ELSE [] END |
  CREATE (a)-[:INFLUENCES {strength: row.strength,
                          source: $source, source_record_id: row.source_record_id}]->(b))
// `changes`: one flat list of the changed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH count(CASE WHEN created THEN 1 END) AS created,
       count(CASE WHEN changed THEN 1 END) AS updated,
       collect(CASE WHEN created
                    THEN [['INFLUENCES', 'opened', a.id, b.id, null, null, row.strength, null, null, null, null, null, null]]
                    WHEN changed
                    THEN [['INFLUENCES', 'changed', a.id, b.id, null, null, null, null, null,
                           before, row.strength, null, null]] END) AS per_row
RETURN created, updated, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
