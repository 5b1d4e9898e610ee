// A stakeholder leaves (docs/graph-conventions.md, "Departure"): status 'left', left_at,
// and every current time-bound edge of theirs closed at left_at: WORKS_AT, REPORTS_TO
// both ways, HAS_ROLE, CONTROLS, and our KNOWS to them. A second call changes nothing
// (the first left_at stays). An edge opened after left_at closes at its own since.
MATCH (s:Stakeholder {id: $id})
SET s._lock = true
REMOVE s._lock
WITH s, coalesce(s.status = 'left', false) AS already
WITH s, already, CASE WHEN already THEN coalesce(s.left_at, $left_at) ELSE $left_at END AS left_at
SET s.status = 'left', s.left_at = left_at,
    s.updated_at = CASE WHEN already THEN s.updated_at ELSE $now END
WITH s, already, left_at
OPTIONAL MATCH (s)-[r:WORKS_AT|REPORTS_TO|HAS_ROLE|CONTROLS|KNOWS]-()
WHERE r.until IS NULL
  AND (startNode(r) = s AND type(r) <> 'KNOWS' OR endNode(r) = s AND type(r) IN ['REPORTS_TO', 'KNOWS'])
WITH s, already, left_at, collect(DISTINCT r) AS open
FOREACH (r IN open | SET r.until = CASE WHEN r.since > left_at THEN r.since ELSE left_at END)
// `changes`: the edges closed, as in the batch statements (docs/graph-conventions.md,
// "Change sets"), one list of 13 fields each: the identity fields are the kind, role,
// authority or source, then the stance or strength, then a role's target.
RETURN s.id AS id, left_at, already, [r IN open | type(r)] AS closed,
       [r IN open | [type(r), 'closed', startNode(r).id, endNode(r).id, r.since.epochSeconds * 1000000 + r.since.microsecond,
                     r.until.epochSeconds * 1000000 + r.until.microsecond,
                     coalesce(r.kind, r.role, r.authority, r.source), coalesce(r.stance, r.strength),
                     CASE WHEN type(r) <> 'HAS_ROLE' THEN null
                          WHEN endNode(r):Opportunity THEN 'opportunity'
                          ELSE 'account' END, null, null, null, null]] AS changes
