CYPHER replan=skip
// Upsert Interaction nodes by id. Row: {id, kind, at (ISO-8601 text, UTC)}. Returns the
// ids of the created or changed ones: the (team member, stakeholder) pairs they join get
// their tie recomputed.
UNWIND $rows AS row
MERGE (i:Interaction {id: row.id})
SET i._lock = true
REMOVE i._lock
WITH i, row, datetime(row.at) AS at, i.kind IS NULL AS created
WITH i, row, at, created, created OR i.kind <> row.kind OR i.at <> at AS changed
SET i.kind = row.kind, i.at = at
// Provenance: set by the creating write, kept by later ones (docs/graph-conventions.md).
SET i.source = coalesce(i.source, $source),
    i.source_record_id = CASE WHEN created THEN row.source_record_id ELSE i.source_record_id END
RETURN count(CASE WHEN created THEN 1 END) AS created,
       count(CASE WHEN changed AND NOT created THEN 1 END) AS updated,
       collect(CASE WHEN changed THEN i.id END) AS changed_ids
