// The current buying roles on the upload's accounts and on their opportunities, of every
// source (the diff ends only its own source's; the others keep their stance).
UNWIND $accounts AS account_id
MATCH (a:Account {id: account_id})
CALL (a) {
  MATCH (s:Stakeholder)-[r:HAS_ROLE]->(a)
  WHERE r.until IS NULL
  RETURN s.id AS stakeholder_id, 'account' AS target_kind, a.id AS target_id, r
  UNION ALL
  MATCH (s:Stakeholder)-[r:HAS_ROLE]->(o:Opportunity)-[:FOR]->(a)
  WHERE r.until IS NULL
  RETURN s.id AS stakeholder_id, 'opportunity' AS target_kind, o.id AS target_id, r
}
RETURN stakeholder_id, target_kind, target_id, a.id AS account_id, r.role AS role, r.stance AS stance,
       r.source AS source, r.source_record_id AS source_record_id
