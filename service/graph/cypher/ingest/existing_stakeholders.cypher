// Which of the given ids are stored as Stakeholder (validation of references).
UNWIND $ids AS id
MATCH (n:Stakeholder {id: id})
RETURN n.id AS id
