// The current account-team assignments of the upload's accounts, with their source.
UNWIND $accounts AS account_id
MATCH (t:TeamMember)-[c:COVERS]->(a:Account {id: account_id})
WHERE c.until IS NULL
RETURN t.id AS team_member_id, a.id AS account_id, c.role AS role,
       c.source AS source, c.source_record_id AS source_record_id
