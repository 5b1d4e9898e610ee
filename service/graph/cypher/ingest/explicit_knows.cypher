CYPHER replan=skip
// Our explicit relationship to a stakeholder: one current KNOWS per (team member,
// stakeholder). A different strength, or a current edge derived from interactions,
// is closed and an explicit one opened (explicit wins), never before the until of the
// pair's closed edges (no overlap in history). Row: {team_member_id,
// stakeholder_id, strength, has_last_contact, last_contact}; an omitted last_contact
// keeps the one already known. last_contact is ISO-8601 text in UTC, or null.
UNWIND $rows AS row
MATCH (t:TeamMember {id: row.team_member_id})
MATCH (s:Stakeholder {id: row.stakeholder_id})
SET s._lock = true, t._lock = true
REMOVE s._lock, t._lock
WITH t, s, row, datetime(row.last_contact) AS contact
// From the stakeholder's side: a team member's relationships are many (see derived_knows).
OPTIONAL MATCH (s)<-[c:KNOWS]-()
WHERE startNode(c) = t
WITH t, s, row, contact, collect(c) AS edges
WITH t, s, row, contact, edges, [c IN edges WHERE c.until IS NULL] AS currents
WITH t, s, row, contact, edges,
     [c IN currents WHERE c.source = 'interactions' OR c.strength <> row.strength] AS stale,
     [c IN currents WHERE c.source <> 'interactions' AND c.strength = row.strength] AS same
WITH t, s, row, contact, stale, same,
     reduce(x = $effective_at, c IN [c IN edges WHERE NOT c IN same] |
            CASE WHEN coalesce(c.until, c.since) > x THEN coalesce(c.until, c.since) ELSE x END)
       AS at,
     CASE WHEN row.has_last_contact THEN contact
          ELSE reduce(l = null, c IN stale |
                      CASE WHEN l IS NULL OR c.last_contact > l THEN c.last_contact ELSE l END)
     END AS last_contact,
     row.has_last_contact
     AND any(c IN same WHERE coalesce(c.last_contact <> contact,
                                      c.last_contact IS NOT NULL OR contact IS NOT NULL))
       AS touched,
     [c IN same | c.last_contact][0] AS contact_before
FOREACH (c IN stale | SET c.until = at)
FOREACH (c IN CASE WHEN touched THEN same ELSE [] END | SET c.last_contact = contact)
// Nothing is opened for a person who has left (a departure committed since validation).
WITH t, s, row, stale, same, at, last_contact, touched, contact_before, contact,
     size(same) = 0 AND coalesce(s.status, 'active') <> 'left'
       AND coalesce(t.status, 'active') <> 'left' AS opened
FOREACH (_ IN CASE WHEN opened THEN [1] ELSE [] END |
  CREATE (t)-[:KNOWS {strength: row.strength, source: $source, since: at,
                      source_record_id: row.source_record_id,
                      last_contact: last_contact}]->(s))
// `changes`: one flat list of the changed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH count(CASE WHEN opened THEN 1 END) AS created,
       count(CASE WHEN touched THEN 1 END) AS updated,
       sum(size(stale)) AS closed,
       collect(CASE WHEN opened OR touched OR size(stale) > 0 THEN
         [c IN stale | ['KNOWS', 'closed', t.id, s.id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, at.epochMillis * 1000 + at.microsecond % 1000,
                        c.source, c.strength, null, null, null, null, null]]
         + CASE WHEN opened
                THEN [['KNOWS', 'opened', t.id, s.id, at.epochMillis * 1000 + at.microsecond % 1000, null,
                       $source, row.strength, null, null, null, null, null]] ELSE [] END
         + CASE WHEN touched
                THEN [c IN same | ['KNOWS', 'changed', t.id, s.id,
                                   c.since.epochMillis * 1000 + c.since.microsecond % 1000, null,
                                   c.source, row.strength, null,
                                   contact_before, contact, null, null]] ELSE [] END
       END) AS per_row
RETURN created, updated, closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
