CYPHER replan=skip
// interaction_attended.cypher for an interaction this transaction created
// (service/graph/ingest.py, "Rows of nodes this transaction created"): it has no link
// yet, so none is read or removed; every listed team member is linked. Row: {id,
// team_member_ids}. Same columns and changes as interaction_attended.cypher gives for it.
UNWIND $rows AS row
MATCH (i:Interaction {id: row.id})
CALL (i, row) {
  UNWIND row.team_member_ids AS team_member_id
  MATCH (t:TeamMember {id: team_member_id})
  CREATE (t)-[:ATTENDED]->(i)
  RETURN count(*) AS created
}
RETURN sum(created) AS created, 0 AS removed,
       collect(CASE WHEN created > 0 THEN {id: i.id, removed: []} END) AS changes
