CYPHER replan=skip
// interaction_with.cypher for an interaction this transaction created
// (service/graph/ingest.py, "Rows of nodes this transaction created"): it has no link
// yet, so none is read or removed; every listed stakeholder is linked. Row: {id,
// stakeholder_ids}. Same columns and changes as interaction_with.cypher gives for it.
UNWIND $rows AS row
MATCH (i:Interaction {id: row.id})
CALL (i, row) {
  UNWIND row.stakeholder_ids AS stakeholder_id
  MATCH (s:Stakeholder {id: stakeholder_id})
  CREATE (i)-[:WITH]->(s)
  RETURN count(*) AS created
}
RETURN sum(created) AS created, 0 AS removed,
       collect(CASE WHEN created > 0 THEN {id: i.id, removed: []} END) AS changes
