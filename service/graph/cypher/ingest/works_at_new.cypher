CYPHER replan=skip
// works_at.cypher for a stakeholder this transaction created (service/graph/ingest.py,
// "Rows of nodes this transaction created"): a node created in this transaction has no
// employment yet, and no other transaction can see it, so none is read: the one current
// WORKS_AT opens at the effective time, holding the position the upsert just set (a
// created person is never 'left': the departure statements run after this one). Same
// row, same columns, same changes as works_at.cypher gives for such a person.
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.id})
MATCH (a:Account {id: row.account_id})
CREATE (s)-[:WORKS_AT {since: $effective_at, source: $source,
                       source_record_id: row.source_record_id,
                       title: s.title, department: s.department, seniority: s.seniority}]->(a)
WITH count(*) AS created,
     collect(['WORKS_AT', 'opened', s.id, a.id,
              $effective_at.epochMillis * 1000 + $effective_at.microsecond % 1000,
              null, null, null, null, null, null, null, null]) AS per_row
RETURN created, 0 AS closed, COLLECT { UNWIND per_row AS c UNWIND c AS f RETURN f } AS changes
