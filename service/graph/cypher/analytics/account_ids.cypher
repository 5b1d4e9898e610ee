// Every account id in id order (the portfolio export walks them one by one).
MATCH (a:Account)
WHERE a.id IS NOT NULL
RETURN a.id AS id
ORDER BY id
