// Anchor of portfolio threading over every account (a scan of the Account label index).
MATCH (a:Account)
