// The current reporting lines (solid and dotted) of the people currently employed at
// the upload's accounts, with their source.
// ONE row: `flat`, 4 values per fact in the order named below (a record or a list per
// fact costs the client several times more to decode; service/graph/sync.py).
// Columns: from_id, to_id, kind, source.
UNWIND $accounts AS account_id
MATCH (:Account {id: account_id})<-[w:WORKS_AT]-(s:Stakeholder)-[r:REPORTS_TO]->(m:Stakeholder)
WHERE w.until IS NULL AND r.until IS NULL
WITH collect([s.id, m.id, r.kind, r.source]) AS per_row
RETURN COLLECT { UNWIND per_row AS r UNWIND r AS f RETURN f } AS flat
