CYPHER replan=skip
// solid_reports_to.cypher for a person this transaction created (service/graph/ingest.py,
// "Rows of nodes this transaction created"): such a person has no reporting line yet and
// no other transaction can see them, so their edges are not read and their lock is
// already held; the manager is still locked (the cycle check's order) and one who has
// left is no manager. Row: {id, manager_id}. Same columns and changes as
// solid_reports_to.cypher gives for such a person.
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.id})
OPTIONAL MATCH (m:Stakeholder {id: row.manager_id})
FOREACH (x IN CASE WHEN m IS NULL THEN [] ELSE [m] END | SET x._lock = true REMOVE x._lock)
WITH s, row, CASE WHEN coalesce(m.status, 'active') = 'left' THEN null ELSE m END AS m
FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END |
  CREATE (s)-[:REPORTS_TO {kind: 'solid', since: $effective_at,
                          source: $source, source_record_id: row.source_record_id}]->(m))
WITH count(m) AS created,
     collect(CASE WHEN m IS NOT NULL THEN s.id END) AS opened_for,
     collect(CASE WHEN m IS NOT NULL THEN
       ['REPORTS_TO', 'opened', s.id, m.id,
        $effective_at.epochMillis * 1000 + $effective_at.microsecond % 1000, null,
        'solid', null, null, null, null, null, null] END) AS per_row
RETURN created, 0 AS closed, opened_for,
       COLLECT { UNWIND per_row AS c UNWIND c AS f RETURN f } AS changes
