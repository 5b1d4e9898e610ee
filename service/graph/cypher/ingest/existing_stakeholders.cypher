CYPHER replan=skip
// Which of the given ids are stored as Stakeholder (validation of references), and whether
// that person has left (a row may not open a current edge of someone who left).
UNWIND $ids AS id
MATCH (n:Stakeholder {id: id})
RETURN n.id AS id, n.status = 'left' OR n.left_at IS NOT NULL AS departed
