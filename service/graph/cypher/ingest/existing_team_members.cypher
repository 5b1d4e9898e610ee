CYPHER replan=skip
// Which of the given ids are stored as TeamMember (validation of references), and whether
// that person has left (a row may not open a current edge of someone who left).
UNWIND $ids AS id
MATCH (n:TeamMember {id: id})
RETURN n.id AS id, n.status = 'left' OR n.left_at IS NOT NULL AS departed
