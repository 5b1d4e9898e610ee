// Upsert TeamMember nodes by id. Row: {id, props}; props holds only the fields the batch
// sent (a null removes one). A row states the person is active now, so one who had
// left and reappears is reactivated (status 'active', left_at removed). updated_at
// moves only when a value really changes, so a re-sent batch leaves the node as it was.
UNWIND $rows AS row
MERGE (n:TeamMember {id: row.id})
// Take the node's write lock before reading it: concurrent batches serialise here.
SET n._lock = true
REMOVE n._lock
WITH n, row, n.updated_at IS NULL AS created
WITH n, row, created,
     created
     OR coalesce(n.status, '') <> 'active'
     OR n.left_at IS NOT NULL
     OR any(k IN keys(row.props)
            WHERE coalesce(n[k] <> row.props[k], n[k] IS NOT NULL OR row.props[k] IS NOT NULL))
       AS changed
SET n += row.props, n.status = 'active', n.left_at = null
SET n.updated_at = CASE WHEN changed THEN $now ELSE n.updated_at END
RETURN count(CASE WHEN created THEN 1 END) AS created,
       count(CASE WHEN changed AND NOT created THEN 1 END) AS updated
