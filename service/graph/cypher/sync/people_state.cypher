// The stored state a stakeholder row of the upload is compared with, to tell a row that
// would change nothing (service/domain/sync/unchanged.py): the node's properties, status
// and provenance, its current employments (account and position) and whether the
// current one began with a move, and its current solid-line managers with their status.
// Row per stored person named by the upload.
UNWIND $ids AS person_id
MATCH (s:Stakeholder {id: person_id})
CALL (s) {
  OPTIONAL MATCH (s)-[w:WORKS_AT]->(a:Account)
  WHERE w.until IS NULL
  RETURN collect([a.id, w.title, w.department, w.seniority,
                  EXISTS { (s)-[p:WORKS_AT]->(o:Account) WHERE p.until = w.since AND o <> a }])
         AS employments
}
CALL (s) {
  OPTIONAL MATCH (s)-[r:REPORTS_TO]->(m:Stakeholder)
  WHERE r.until IS NULL AND r.kind = 'solid'
  RETURN collect([m.id, m.status]) AS managers
}
RETURN s.id AS id, s.name AS name, s.title AS title, s.email AS email,
       s.department AS department, s.seniority AS seniority, s.status AS status,
       s.left_at IS NOT NULL AS has_left_at, s.source AS source, employments, managers
