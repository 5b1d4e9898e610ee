CYPHER replan=skip
// Which of the given ids are stored as Opportunity (validation of references).
UNWIND $ids AS id
MATCH (n:Opportunity {id: id})
RETURN n.id AS id
