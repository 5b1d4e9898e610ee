CYPHER replan=skip
// Which of the given ids are stored as Budget (validation of references).
UNWIND $ids AS id
MATCH (n:Budget {id: id})
RETURN n.id AS id
