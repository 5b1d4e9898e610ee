// Upsert Opportunity nodes by id. Row: {id, props}; props holds only the fields the batch
// sent (a null removes one). updated_at moves only when a value really changes, so a
// re-sent batch leaves the node exactly as it was.
UNWIND $rows AS row
MERGE (n:Opportunity {id: row.id})
// Take the node's write lock before reading it: concurrent batches serialise here.
SET n._lock = true
REMOVE n._lock
WITH n, row, n.updated_at IS NULL AS created
WITH n, row, created,
     created
     OR any(k IN keys(row.props)
            WHERE coalesce(n[k] <> row.props[k], n[k] IS NOT NULL OR row.props[k] IS NOT NULL))
       AS changed
SET n += row.props
SET n.updated_at = CASE WHEN changed THEN $now ELSE n.updated_at END
RETURN count(CASE WHEN created THEN 1 END) AS created,
       count(CASE WHEN changed AND NOT created THEN 1 END) AS updated
