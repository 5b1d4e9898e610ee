// Anchor of an analytics pull: the account a budget belongs to (no row when unknown).
MATCH (:Budget {id: $budget_id})-[:OF]->(a:Account)
WITH a
LIMIT 1
