CYPHER replan=skip
// The account a budget belongs to (OF has no history: a moved budget loses the old edge).
// Row: {id, account_id}. The budget was locked by its upsert in this transaction.
UNWIND $rows AS row
MATCH (b:Budget {id: row.id})
MATCH (a:Account {id: row.account_id})
OPTIONAL MATCH (b)-[o:OF]->(x)
WITH b, a, collect(o) AS links
WITH b, a, [o IN links WHERE endNode(o) <> a] AS stale, any(o IN links WHERE endNode(o) = a) AS kept
FOREACH (o IN stale | DELETE o)
FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END | CREATE (b)-[:OF]->(a))
RETURN count(CASE WHEN NOT kept THEN 1 END) AS created, sum(size(stale)) AS removed
