// The current buying roles that came from the given CRM records (deleted ones).
MATCH (s:Stakeholder)-[r:HAS_ROLE]->(t)
WHERE r.until IS NULL AND r.source_record_id IN $record_ids
OPTIONAL MATCH (t)-[:FOR]->(o:Account)
RETURN s.id AS stakeholder_id,
       CASE WHEN t:Account THEN 'account' ELSE 'opportunity' END AS target_kind,
       t.id AS target_id, CASE WHEN t:Account THEN t.id ELSE o.id END AS account_id,
       r.role AS role, r.stance AS stance,
       r.source AS source, r.source_record_id AS source_record_id
