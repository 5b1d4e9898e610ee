CYPHER replan=skip
// Our team members leave: the departure route (one row) and team-member rows of a batch
// with `left_at`. Status 'left', left_at, their current KNOWS and COVERS closed at
// left_at (history kept; an edge opened after left_at closes at its own since). A second
// departure changes nothing (the first left_at stays). Row: {id, left_at}; one row out
// per team member found, with the accounts whose coverage closed now.
UNWIND $rows AS row
MATCH (t:TeamMember {id: row.id})
SET t._lock = true
REMOVE t._lock
WITH t, row.left_at AS requested, coalesce(t.status = 'left', false) AS already
WITH t, already, CASE WHEN already THEN coalesce(t.left_at, requested) ELSE requested END AS left_at
SET t.status = 'left', t.left_at = left_at,
    t.updated_at = CASE WHEN already THEN t.updated_at ELSE $now END
WITH t, already, left_at
CALL (t) {
  OPTIONAL MATCH (t)-[r:KNOWS|COVERS]->()
  WHERE r.until IS NULL
  RETURN collect(r) AS open
}
FOREACH (r IN open | SET r.until = CASE WHEN r.since > left_at THEN r.since ELSE left_at END)
// `changes`: the edges closed, as in the batch statements (docs/graph-conventions.md,
// "Change sets"), one flat list of 13 fields each. `left`: the person's node change.
RETURN t.id AS id, left_at, already, [r IN open | type(r)] AS closed_types,
       size(open) AS closed,
       [r IN open WHERE type(r) = 'COVERS' | endNode(r).id] AS uncovered,
       CASE WHEN already THEN []
            ELSE [t.id, 'left', 2, 'left_at', null, left_at, 'status', 'active', 'left'] END AS left,
       COLLECT {
         UNWIND open AS r
         UNWIND [type(r), 'closed', t.id, endNode(r).id, r.since.epochMillis * 1000 + r.since.microsecond % 1000,
                 r.until.epochMillis * 1000 + r.until.microsecond % 1000,
                 CASE type(r) WHEN 'KNOWS' THEN r.source ELSE r.role END, r.strength, null, null, null, null, null] AS f
         RETURN f
       } AS changes
