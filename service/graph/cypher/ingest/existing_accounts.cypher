CYPHER replan=skip
// Which of the given ids are stored as Account (validation of references).
UNWIND $ids AS id
MATCH (n:Account {id: id})
RETURN n.id AS id
