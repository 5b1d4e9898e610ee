CYPHER replan=skip
// Employment, one current WORKS_AT per stakeholder (docs/graph-conventions.md). The edge
// carries the person's position (title, department, seniority) while it is current:
// another account, or another position (the node's values after its upsert in this
// transaction), closes the current edge and opens a new one at the effective time, or
// later: never before the current edge's since nor inside an earlier (closed)
// employment, so a late batch never makes history run back and intervals never overlap.
// Nothing is opened for a person who has left (a stakeholder row with left_at).
// Row: {id, account_id}. The stakeholder was locked by its upsert in this transaction.
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.id})
MATCH (a:Account {id: row.account_id})
// All of the person's employments, closed ones too: a new one starts after all of them.
OPTIONAL MATCH (s)-[c:WORKS_AT]->()
WITH s, a, row, collect(c) AS edges
WITH s, a, row, edges, [c IN edges WHERE c.until IS NULL] AS currents
WITH s, a, row, edges, currents,
     [c IN currents WHERE endNode(c) <> a
                          OR NOT coalesce(c.title = s.title, c.title IS NULL AND s.title IS NULL)
                          OR NOT coalesce(c.department = s.department,
                                          c.department IS NULL AND s.department IS NULL)
                          OR NOT coalesce(c.seniority = s.seniority,
                                          c.seniority IS NULL AND s.seniority IS NULL)] AS stale,
     coalesce(s.status, 'active') = 'left' AS gone
WITH s, a, row, stale, gone OR size(currents) > size(stale) AS kept,
     reduce(t = $effective_at, c IN edges |
            CASE WHEN coalesce(c.until, c.since) > t THEN coalesce(c.until, c.since) ELSE t END) AS at
FOREACH (c IN stale | SET c.until = at)
FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END |
  CREATE (s)-[:WORKS_AT {since: at, source: $source, source_record_id: row.source_record_id}]->(a))
// The position the edge holds (a separate SET keeps the CREATE as the other statements').
WITH s, a, stale, kept, at
CALL (s, a, kept) {
  WITH s, a, kept
  WHERE NOT kept
  MATCH (s)-[n:WORKS_AT]->(a)
  WHERE n.until IS NULL
  SET n.title = s.title, n.department = s.department, n.seniority = s.seniority
}
// `changes`: one flat list of the changed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH count(CASE WHEN NOT kept THEN 1 END) AS created, sum(size(stale)) AS closed,
       collect(CASE WHEN NOT kept OR size(stale) > 0 THEN
         [c IN stale | ['WORKS_AT', 'closed', s.id, endNode(c).id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, at.epochMillis * 1000 + at.microsecond % 1000, null, null, null, null, null, null, null]]
         + CASE WHEN kept THEN []
                ELSE [['WORKS_AT', 'opened', s.id, a.id, at.epochMillis * 1000 + at.microsecond % 1000, null, null, null, null, null, null, null, null]] END
       END) AS per_row
RETURN created, closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
