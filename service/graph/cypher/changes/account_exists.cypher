// Whether the account exists (the changes feed answers 404 for an unknown one): one
// row, `exists`, from the Account id uniqueness constraint's index.
OPTIONAL MATCH (a:Account {id: $account_id})
RETURN a IS NOT NULL AS exists
