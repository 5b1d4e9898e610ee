// The current buying roles on the upload's accounts and on their opportunities, of every
// source (the diff ends only its own source's; the others keep their stance).
// ONE row: `flat`, 8 values per fact in the order named below (a record or a list per
// fact costs the client several times more to decode; service/graph/sync.py).
// Columns: stakeholder_id, target_kind, target_id, account_id, role, stance, source,
// source_record_id.
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
WITH collect([stakeholder_id, target_kind, target_id, a.id, r.role, r.stance, r.source,
              r.source_record_id]) AS per_row
RETURN COLLECT { UNWIND per_row AS r UNWIND r AS f RETURN f } AS flat
