// Employment, one current WORKS_AT per stakeholder (docs/graph-conventions.md). Another
// account closes the current edge and opens a new one at the effective time (or at the
// closed edge's since, if a late batch is older than it, so history never runs back).
// Row: {id, account_id}. The stakeholder was locked by its upsert in this transaction.
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.id})
MATCH (a:Account {id: row.account_id})
OPTIONAL MATCH (s)-[c:WORKS_AT]->()
WHERE c.until IS NULL
WITH s, a, collect(c) AS currents
WITH s, a,
     [c IN currents WHERE endNode(c) <> a] AS stale,
     any(c IN currents WHERE endNode(c) = a) AS kept
WITH s, a, stale, kept,
     reduce(t = $effective_at, c IN stale | CASE WHEN c.since > t THEN c.since ELSE t END) AS at
FOREACH (c IN stale | SET c.until = at)
FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END | CREATE (s)-[:WORKS_AT {since: at}]->(a))
RETURN count(CASE WHEN NOT kept THEN 1 END) AS created, sum(size(stale)) AS closed
