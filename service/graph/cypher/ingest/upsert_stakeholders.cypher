CYPHER replan=skip
// Upsert Stakeholder nodes by id. Row: {id, props, leaving}; props holds only the fields
// the batch sent (a null removes one). A row states the person is active now, so one who
// had left and reappears is reactivated (status 'active', left_at removed), unless the
// row itself has left_at (leaving). updated_at
// moves only when a value really changes, so a re-sent batch leaves the node as it was.
UNWIND $rows AS row
MERGE (n:Stakeholder {id: row.id})
// Marks a node this MERGE created (created_ids: service/graph/ingest.py, "Rows of nodes
// this transaction created"); removed at once, as the lock.
  ON CREATE SET n._created = true
// Take the node's write lock before reading it: concurrent batches serialise here.
SET n._lock = true
WITH n, row, n.updated_at IS NULL AS created, n._created IS NOT NULL AS new
REMOVE n._lock, n._created
// The changed properties, [name, before, after], read before the SET (the change set);
// a created node's are the values it is given.
WITH n, row, created, new,
     CASE WHEN created
          THEN [k IN keys(row.props) WHERE row.props[k] IS NOT NULL | [k, null, row.props[k]]]
          ELSE [k IN keys(row.props)
                WHERE coalesce(n[k] <> row.props[k], n[k] IS NOT NULL OR row.props[k] IS NOT NULL)
                | [k, n[k], row.props[k]]]
               + CASE WHEN coalesce(n.status, '') <> 'active' AND NOT coalesce(row.leaving, false)
                      THEN [['status', n.status, 'active']] ELSE [] END
               + CASE WHEN n.left_at IS NOT NULL AND NOT coalesce(row.leaving, false)
                      THEN [['left_at', n.left_at, null]] ELSE [] END
     END AS diff
WITH n, row, created, new, diff, created OR size(diff) > 0 AS changed
SET n += row.props
// A row with left_at (row.leaving) does not reactivate: the departure statement of the
// same write sets status and left_at.
SET n.status = CASE WHEN row.leaving THEN n.status ELSE 'active' END,
    n.left_at = CASE WHEN row.leaving THEN n.left_at END
// Provenance (docs/graph-conventions.md): the creating write's source and the row's
// source record id; a later write of any source leaves both as they are.
SET n.source = coalesce(n.source, $source),
    n.source_record_id = CASE WHEN created THEN row.source_record_id ELSE n.source_record_id END
SET n.updated_at = CASE WHEN changed THEN $now ELSE n.updated_at END
// `changes`: one flat list of the changed nodes (no-op rows add none): id, created,
// the number n of changed properties, then n × (name, before, after); the values of
// properties a change set does not keep ($tracked) are left out (null).
WITH count(CASE WHEN created THEN 1 END) AS created,
       count(CASE WHEN changed AND NOT created THEN 1 END) AS updated,
       collect(CASE WHEN changed THEN
         [[n.id, created, size(diff)]]
         + [d IN diff | CASE WHEN d[0] IN $tracked THEN d ELSE [d[0], null, null] END]
       END) AS per_row,
       collect(CASE WHEN new THEN n.id END) AS created_ids
RETURN created, updated, created_ids, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
