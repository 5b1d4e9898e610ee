// Where each stakeholder of $ids is now: status, left_at and current employer (if any).
UNWIND $ids AS id
MATCH (s:Stakeholder {id: id})
OPTIONAL MATCH (s)-[w:WORKS_AT]->(a:Account)
WHERE w.until IS NULL
WITH s, collect(a)[0] AS a
RETURN s.id AS id, s.name AS name, s.status AS status, s.left_at AS left_at,
       a.id AS account_id, a.name AS account_name
