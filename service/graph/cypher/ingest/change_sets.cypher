// Every recorded change set in the order of the writes (time, then id), or, with
// $account_id, those that touched that account (the full-text index on account_ids,
// keyword analyzer: $term is the id as one exact, quoted term).
CALL () {
  WITH $account_id AS account_id
  WITH account_id WHERE account_id IS NULL
  MATCH (c:ChangeSet)
  RETURN c
  UNION
  WITH $account_id AS account_id
  WITH account_id WHERE account_id IS NOT NULL
  CALL db.index.fulltext.queryNodes('change_set_accounts', $term) YIELD node
  WITH node AS c, account_id WHERE account_id IN c.account_ids
  RETURN c
}
RETURN properties(c) AS props
ORDER BY c.at, c.id
