// The people currently employed at the upload's accounts, with the source of their
// current employment (WORKS_AT.source): a snapshot ends only its own source's people.
// ONE row: `flat`, 4 values per fact in the order named below (a record or a list per
// fact costs the client several times more to decode; service/graph/sync.py).
// Columns: account_id, id, name, source.
UNWIND $accounts AS account_id
MATCH (a:Account {id: account_id})<-[w:WORKS_AT]-(s:Stakeholder)
WHERE w.until IS NULL
WITH collect([a.id, s.id, s.name, w.source]) AS per_row
RETURN COLLECT { UNWIND per_row AS r UNWIND r AS f RETURN f } AS flat
