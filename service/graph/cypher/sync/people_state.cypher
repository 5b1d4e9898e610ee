// The stored state a stakeholder row of the upload is compared with, to tell a row that
// would change nothing (service/domain/sync/unchanged.py): the node's properties, status
// and provenance, its current employment (account, position, and whether it began with
// a move) and its current solid-line manager with their status. A person with several
// current employments or solid lines gives their counts and no details (always written).
// ONE row: `people`, a flat list of 18 values per stored person (a list per person costs
// the client several times more to decode): id, name, title, email, department,
// seniority, status, has_left_at, source, employments, employer, position title,
// department, seniority, moved_in, managers, manager id, manager status.
UNWIND $ids AS person_id
MATCH (s:Stakeholder {id: person_id})
CALL (s) {
  OPTIONAL MATCH (s)-[w:WORKS_AT]->(a:Account)
  WHERE w.until IS NULL
  RETURN count(w) AS employments,
         collect([a.id, w.title, w.department, w.seniority,
                  EXISTS { (s)-[p:WORKS_AT]->(o:Account) WHERE p.until = w.since AND o <> a }])[0]
           AS employment
}
CALL (s) {
  OPTIONAL MATCH (s)-[r:REPORTS_TO]->(m:Stakeholder)
  WHERE r.until IS NULL AND r.kind = 'solid'
  RETURN count(r) AS managers, collect([m.id, m.status])[0] AS manager
}
WITH collect([s.id, s.name, s.title, s.email, s.department, s.seniority, s.status,
              s.left_at IS NOT NULL, s.source, employments]
             + CASE WHEN employments = 1 THEN employment ELSE [null, null, null, null, null] END
             + [managers]
             + CASE WHEN managers = 1 THEN manager ELSE [null, null] END) AS per_person
RETURN COLLECT { UNWIND per_person AS p UNWIND p AS f RETURN f } AS people
