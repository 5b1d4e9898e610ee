// Stored people named by an upload's deletions: their name, status and current (else
// last) employer. Row per stored person: {id, name, status, account_id, source}.
UNWIND $ids AS person_id
MATCH (s:Stakeholder {id: person_id})
CALL (s) {
  OPTIONAL MATCH (s)-[w:WORKS_AT]->(a:Account)
  RETURN a.id AS account_id, w.source AS source
  ORDER BY w.until IS NULL DESC, w.since DESC
  LIMIT 1
}
RETURN s.id AS id, s.name AS name, coalesce(s.status, 'active') AS status, account_id, source
