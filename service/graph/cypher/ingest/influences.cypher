// Informal influence (no history): one INFLUENCES per ordered pair, strength updated in
// place. Row: {from_id, to_id, strength}. Locking the source keeps concurrent MERGEs of
// the same pair from creating two edges.
UNWIND $rows AS row
MATCH (a:Stakeholder {id: row.from_id})
MATCH (b:Stakeholder {id: row.to_id})
SET a._lock = true
REMOVE a._lock
WITH a, b, row
OPTIONAL MATCH (a)-[e:INFLUENCES]->(b)
WITH a, b, row, collect(e) AS existing
MERGE (a)-[r:INFLUENCES]->(b)
WITH r, row, size(existing) = 0 AS created,
     any(e IN existing WHERE e.strength <> row.strength) AS changed
SET r.strength = row.strength
RETURN count(CASE WHEN created THEN 1 END) AS created,
       count(CASE WHEN changed THEN 1 END) AS updated
