// The current reporting lines (solid and dotted) of the people currently employed at
// the upload's accounts, with their source.
UNWIND $accounts AS account_id
MATCH (:Account {id: account_id})<-[w:WORKS_AT]-(s:Stakeholder)-[r:REPORTS_TO]->(m:Stakeholder)
WHERE w.until IS NULL AND r.until IS NULL
RETURN s.id AS from_id, m.id AS to_id, r.kind AS kind, r.source AS source
