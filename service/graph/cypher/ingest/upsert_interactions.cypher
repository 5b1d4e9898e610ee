CYPHER replan=skip
// Upsert Interaction nodes by id. Row: {id, kind, at (ISO-8601 text, UTC)}. Returns the
// ids of the created or changed ones: the (team member, stakeholder) pairs they join get
// their tie recomputed.
UNWIND $rows AS row
MERGE (i:Interaction {id: row.id})
// Marks a node this MERGE created (created_ids: service/graph/ingest.py, "Rows of nodes
// this transaction created"); removed at once, as the lock.
  ON CREATE SET i._created = true
SET i._lock = true
WITH i, row, datetime(row.at) AS at, i.kind IS NULL AS created, i._created IS NOT NULL AS new
REMOVE i._lock, i._created
WITH i, row, at, created, new, created OR i.kind <> row.kind OR i.at <> at AS changed
SET i.kind = row.kind, i.at = at
// Provenance: set by the creating write, kept by later ones (docs/graph-conventions.md).
SET i.source = coalesce(i.source, $source),
    i.source_record_id = CASE WHEN created THEN row.source_record_id ELSE i.source_record_id END
RETURN count(CASE WHEN created THEN 1 END) AS created,
       count(CASE WHEN changed AND NOT created THEN 1 END) AS updated,
       collect(CASE WHEN changed THEN i.id END) AS changed_ids,
       collect(CASE WHEN new THEN i.id END) AS created_ids
