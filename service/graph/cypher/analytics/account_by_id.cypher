// Anchor of an analytics pull: one account by id (no row when unknown).
MATCH (a:Account {id: $account_id})
