// Which of the given ids are stored as TeamMember (validation of references).
UNWIND $ids AS id
MATCH (n:TeamMember {id: id})
RETURN n.id AS id
