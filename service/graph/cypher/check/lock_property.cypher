// The transient _lock property (it takes a node's write lock inside a writing
// transaction) is never committed.
MATCH (n)
WHERE n._lock IS NOT NULL
RETURN coalesce(toString(n.id), elementId(n)) AS subject, 'committed _lock property' AS detail
ORDER BY subject
