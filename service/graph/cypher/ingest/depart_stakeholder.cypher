CYPHER replan=skip
// Stakeholders leave (docs/graph-conventions.md, "Departure"): the departure route (one
// row) and stakeholder rows of a batch with `left_at`. Status 'left', left_at, and every
// current time-bound edge of theirs closed at left_at: WORKS_AT, REPORTS_TO both ways,
// HAS_ROLE, CONTROLS, INFLUENCES both ways, and our KNOWS to them. A second departure
// changes nothing (the first left_at stays). An edge opened after left_at closes at its
// own since. Row: {id, left_at}; one row out per person found.
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.id})
SET s._lock = true
REMOVE s._lock
WITH s, row.left_at AS requested, coalesce(s.status = 'left', false) AS already
WITH s, already, CASE WHEN already THEN coalesce(s.left_at, requested) ELSE requested END AS left_at
SET s.status = 'left', s.left_at = left_at,
    s.updated_at = CASE WHEN already THEN s.updated_at ELSE $now END
WITH s, already, left_at
CALL (s) {
  OPTIONAL MATCH (s)-[r:WORKS_AT|REPORTS_TO|HAS_ROLE|CONTROLS|KNOWS|INFLUENCES]-()
  WHERE r.until IS NULL
    AND (startNode(r) = s AND type(r) <> 'KNOWS'
         OR endNode(r) = s AND type(r) IN ['REPORTS_TO', 'KNOWS', 'INFLUENCES'])
  RETURN collect(DISTINCT r) AS open
}
FOREACH (r IN open | SET r.until = CASE WHEN r.since > left_at THEN r.since ELSE left_at END)
// `changes`: the edges closed, as in the batch statements (docs/graph-conventions.md,
// "Change sets"), one flat list of 13 fields each: the identity fields are the kind,
// role, authority, source or strength, then the stance or strength, then a role's
// target. `left`: the person's node change (id, 'left', 2, left_at, status), or [].
RETURN s.id AS id, left_at, already, [r IN open | type(r)] AS closed_types,
       size(open) AS closed,
       CASE WHEN already THEN []
            ELSE [s.id, 'left', 2, 'left_at', null, left_at, 'status', 'active', 'left'] END AS left,
       COLLECT {
         UNWIND open AS r
         UNWIND [type(r), 'closed', startNode(r).id, endNode(r).id, r.since.epochMillis * 1000 + r.since.microsecond % 1000,
                 r.until.epochMillis * 1000 + r.until.microsecond % 1000,
                 CASE WHEN type(r) = 'INFLUENCES' THEN r.strength
                      ELSE coalesce(r.kind, r.role, r.authority, r.source) END,
                 CASE WHEN type(r) = 'INFLUENCES' THEN null ELSE coalesce(r.stance, r.strength) END,
                 CASE WHEN type(r) <> 'HAS_ROLE' THEN null
                      WHEN endNode(r):Opportunity THEN 'opportunity'
                      ELSE 'account' END, null, null, null, null] AS f
         RETURN f
       } AS changes
