// The current account-team assignments that came from the given CRM records.
MATCH (t:TeamMember)-[c:COVERS]->(a:Account)
WHERE c.until IS NULL AND c.source_record_id IN $record_ids
RETURN t.id AS team_member_id, a.id AS account_id, c.role AS role,
       c.source AS source, c.source_record_id AS source_record_id
