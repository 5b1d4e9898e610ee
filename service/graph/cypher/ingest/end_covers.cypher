CYPHER replan=skip
// An account-team assignment ended (a coverage row with `until`): the current COVERS of
// (team member, account) is closed at until, never before its own since; a no-op when
// none is current. Row: {team_member_id, account_id, until} (until: ISO text).
UNWIND $rows AS row
MATCH (t:TeamMember {id: row.team_member_id})
MATCH (a:Account {id: row.account_id})
SET t._lock = true
REMOVE t._lock
WITH t, a, datetime(row.until) AS until
OPTIONAL MATCH (t)-[c:COVERS]->(x)
WHERE x = a AND c.until IS NULL
WITH t, a, until, collect(c) AS open
FOREACH (c IN open | SET c.until = CASE WHEN c.since > until THEN c.since ELSE until END)
// `changes`: one flat list of the closed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH sum(size(open)) AS closed,
     collect([c IN open | ['COVERS', 'closed', t.id, a.id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, c.until.epochMillis * 1000 + c.until.microsecond % 1000,
                          c.role, null, null, null, null, null, null]]) AS per_row
RETURN closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
