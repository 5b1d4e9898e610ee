// The people currently employed at the upload's accounts, with the source of their
// current employment (WORKS_AT.source): a snapshot ends only its own source's people.
// Row per person: {account_id, id, name, source}.
UNWIND $accounts AS account_id
MATCH (a:Account {id: account_id})<-[w:WORKS_AT]-(s:Stakeholder)
WHERE w.until IS NULL
RETURN a.id AS account_id, s.id AS id, s.name AS name, w.source AS source
