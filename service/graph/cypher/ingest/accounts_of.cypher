CYPHER replan=skip
// The account each changed node belongs to (the change set's touched accounts): a
// stakeholder's current employer (else their last one, for someone who left), a
// budget's and an opportunity's account. Read after the writes of the transaction.
CALL () {
  UNWIND $stakeholders AS id
  MATCH (s:Stakeholder {id: id})
  OPTIONAL MATCH (s)-[w:WORKS_AT]->(a:Account)
  WITH s, a, w
  ORDER BY w.until IS NULL DESC, w.since DESC
  RETURN 'Stakeholder' AS label, s.id AS id, collect(a.id)[0] AS account
  UNION ALL
  UNWIND $budgets AS id
  MATCH (b:Budget {id: id})
  OPTIONAL MATCH (b)-[:OF]->(a:Account)
  RETURN 'Budget' AS label, b.id AS id, collect(a.id)[0] AS account
  UNION ALL
  UNWIND $opportunities AS id
  MATCH (o:Opportunity {id: id})
  OPTIONAL MATCH (o)-[:FOR]->(a:Account)
  RETURN 'Opportunity' AS label, o.id AS id, collect(a.id)[0] AS account
}
RETURN label, id, account
