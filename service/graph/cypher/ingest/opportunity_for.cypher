CYPHER replan=skip
// The account an opportunity is for (FOR has no history: a moved one loses the old edge).
// Row: {id, account_id}. The opportunity was locked by its upsert in this transaction.
UNWIND $rows AS row
MATCH (o:Opportunity {id: row.id})
MATCH (a:Account {id: row.account_id})
OPTIONAL MATCH (o)-[f:FOR]->(x)
WITH o, a, collect(f) AS links
WITH o, a, [f IN links WHERE endNode(f) <> a] AS stale, any(f IN links WHERE endNode(f) = a) AS kept
FOREACH (f IN stale | DELETE f)
FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END | CREATE (o)-[:FOR]->(a))
RETURN count(CASE WHEN NOT kept THEN 1 END) AS created, sum(size(stale)) AS removed
