CYPHER replan=skip
// The stakeholders an interaction was with. Row: {id, stakeholder_ids}, the complete list:
// links to others are removed, missing ones created. Returns which interactions changed
// and whom they lost, so the ties of those pairs are recomputed too.
UNWIND $rows AS row
MATCH (i:Interaction {id: row.id})
OPTIONAL MATCH (i)-[w:WITH]->(s:Stakeholder)
WITH i, row, collect(w) AS links, collect(s.id) AS linked_ids
WITH i, row,
     [w IN links WHERE NOT endNode(w).id IN row.stakeholder_ids] AS stale,
     [x IN row.stakeholder_ids WHERE NOT x IN linked_ids] AS added
WITH i, stale, added, [w IN stale | endNode(w).id] AS removed_ids
FOREACH (w IN stale | DELETE w)
WITH i, added, removed_ids
CALL (i, added) {
  UNWIND added AS stakeholder_id
  MATCH (s:Stakeholder {id: stakeholder_id})
  CREATE (i)-[:WITH]->(s)
  RETURN count(*) AS created
}
RETURN sum(created) AS created, sum(size(removed_ids)) AS removed,
       collect(CASE WHEN created > 0 OR size(removed_ids) > 0
                    THEN {id: i.id, removed: removed_ids} END) AS changes
