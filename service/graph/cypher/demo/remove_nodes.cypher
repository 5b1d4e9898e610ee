// Delete the demo's own nodes, matched by id one label at a time (the labels are fixed
// here, never taken from input), with their relationships; `removed` counts the nodes.
// $ids maps each label to the demo's ids of that label (unique ids).
CALL () {
  UNWIND $ids.Account AS id MATCH (n:Account {id: id}) DETACH DELETE n
  RETURN count(*) AS accounts
}
CALL () {
  UNWIND $ids.Stakeholder AS id MATCH (n:Stakeholder {id: id}) DETACH DELETE n
  RETURN count(*) AS stakeholders
}
CALL () {
  UNWIND $ids.TeamMember AS id MATCH (n:TeamMember {id: id}) DETACH DELETE n
  RETURN count(*) AS team_members
}
CALL () {
  UNWIND $ids.Budget AS id MATCH (n:Budget {id: id}) DETACH DELETE n
  RETURN count(*) AS budgets
}
CALL () {
  UNWIND $ids.Opportunity AS id MATCH (n:Opportunity {id: id}) DETACH DELETE n
  RETURN count(*) AS opportunities
}
CALL () {
  UNWIND $ids.Interaction AS id MATCH (n:Interaction {id: id}) DETACH DELETE n
  RETURN count(*) AS interactions
}
RETURN accounts + stakeholders + team_members + budgets + opportunities + interactions
       AS removed
