// The tier of each account that exists among $ids (index seeks).
UNWIND $ids AS id
MATCH (a:Account {id: id})
RETURN a.id AS id, a.tier AS tier
