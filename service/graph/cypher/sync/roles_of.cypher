// The current buying roles of the people an upload names, wherever they are.
// ONE row: `flat`, 8 values per fact in the order named below (a record or a list per
// fact costs the client several times more to decode; service/graph/sync.py).
// Columns: stakeholder_id, target_kind, target_id, account_id, role, stance, source,
// source_record_id.
UNWIND $ids AS person_id
MATCH (s:Stakeholder {id: person_id})-[r:HAS_ROLE]->(t)
WHERE r.until IS NULL
OPTIONAL MATCH (t)-[:FOR]->(o:Account)
WITH collect([s.id, CASE WHEN t:Account THEN 'account' ELSE 'opportunity' END, t.id,
              CASE WHEN t:Account THEN t.id ELSE o.id END, r.role, r.stance, r.source,
              r.source_record_id]) AS per_row
RETURN COLLECT { UNWIND per_row AS r UNWIND r AS f RETURN f } AS flat
