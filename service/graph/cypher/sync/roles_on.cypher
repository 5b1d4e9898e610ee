// The current buying roles on the given accounts and opportunities: the targets an
// upload's role records and opportunities name that are not among its accounts (the
// roles on those accounts and their stored opportunities are sync/roles_at's).
// ONE row: `flat`, 8 values per fact in the order named below (a record or a list per
// fact costs the client several times more to decode; service/graph/sync.py).
// Columns: stakeholder_id, target_kind, target_id, account_id, role, stance, source,
// source_record_id.
CALL () {
  UNWIND $accounts AS account_id
  MATCH (s:Stakeholder)-[r:HAS_ROLE]->(t:Account {id: account_id})
  WHERE r.until IS NULL
  RETURN s, r, t, 'account' AS kind, t.id AS account
  UNION ALL
  UNWIND $opportunities AS opportunity_id
  MATCH (s:Stakeholder)-[r:HAS_ROLE]->(t:Opportunity {id: opportunity_id})
  WHERE r.until IS NULL
  OPTIONAL MATCH (t)-[:FOR]->(o:Account)
  RETURN s, r, t, 'opportunity' AS kind, o.id AS account
}
WITH collect([s.id, kind, t.id, account, r.role, r.stance, r.source,
              r.source_record_id]) AS per_row
RETURN COLLECT { UNWIND per_row AS r UNWIND r AS f RETURN f } AS flat
