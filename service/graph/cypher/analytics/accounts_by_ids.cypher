// Anchor of an analytics pull over several accounts (e.g. every account a team member
// is involved in): one row per id that exists, in the order given.
UNWIND $account_ids AS account_id
MATCH (a:Account {id: account_id})
