CYPHER replan=skip
// Our explicit relationship ended (a relationships row with `until`): the current
// explicit KNOWS of (team member, stakeholder) is closed at until, never before its own
// since; a tie derived from interactions is not the row's and stays; a no-op when no
// explicit tie is current. Row: {team_member_id, stakeholder_id, until} (ISO text).
UNWIND $rows AS row
MATCH (t:TeamMember {id: row.team_member_id})
MATCH (s:Stakeholder {id: row.stakeholder_id})
SET s._lock = true, t._lock = true
REMOVE s._lock, t._lock
WITH t, s, datetime(row.until) AS until
// From the stakeholder's side: a team member's relationships are many.
OPTIONAL MATCH (s)<-[c:KNOWS]-()
WHERE startNode(c) = t AND c.until IS NULL AND c.source <> 'interactions'
WITH t, s, until, collect(c) AS open
FOREACH (c IN open | SET c.until = CASE WHEN c.since > until THEN c.since ELSE until END)
// `changes`: one flat list of the closed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH sum(size(open)) AS closed,
     collect([c IN open | ['KNOWS', 'closed', t.id, s.id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, c.until.epochMillis * 1000 + c.until.microsecond % 1000,
                          c.source, c.strength, null, null, null, null, null]]) AS per_row
RETURN closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
