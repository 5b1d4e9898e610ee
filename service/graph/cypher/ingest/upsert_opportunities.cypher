// Upsert Opportunity nodes by id. Row: {id, props}; props holds only the fields the batch
// sent (a null removes one). updated_at moves only when a value really changes, so a
// re-sent batch leaves the node exactly as it was.
UNWIND $rows AS row
MERGE (n:Opportunity {id: row.id})
// Take the node's write lock before reading it: concurrent batches serialise here.
SET n._lock = true
REMOVE n._lock
WITH n, row, n.updated_at IS NULL AS created
// The changed properties, [name, before, after], read before the SET (the change set).
WITH n, row, created,
     CASE WHEN created THEN []
          ELSE [k IN keys(row.props)
                WHERE coalesce(n[k] <> row.props[k], n[k] IS NOT NULL OR row.props[k] IS NOT NULL)
                | [k, n[k], row.props[k]]]
     END AS diff
WITH n, row, created, diff, created OR size(diff) > 0 AS changed
SET n += row.props
SET n.updated_at = CASE WHEN changed THEN $now ELSE n.updated_at END
RETURN count(CASE WHEN created THEN 1 END) AS created,
       count(CASE WHEN changed AND NOT created THEN 1 END) AS updated,
       collect(CASE WHEN changed THEN [n.id, created, diff] END) AS changes
