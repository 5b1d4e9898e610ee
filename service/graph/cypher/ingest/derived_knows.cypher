CYPHER replan=skip
// Tie strength derived from interactions (docs/definitions.md, "Tie strength"):
//   s = 1 - exp(-sum over the pair's interactions of w(kind) * 2^(-age_days / H))
// with ages measured at the batch's effective time (a later interaction counts as age 0).
// Row: {stakeholder_id, team_member_ids}: the team members whose pair with the
// stakeholder had its interactions change (sorted). An explicit current KNOWS wins and
// is left alone; a derived one is updated in place; with no current KNOWS a derived one
// is opened (since = the pair's first interaction, capped at the effective time, but
// never before the until of the pair's closed edges, of either source: intervals of one
// pair never overlap), unless either person has left; a derived one whose interactions
// are all gone is closed.
// `replan=skip` (service/graph/ingest.py, "Plans"): every step starts from a row's ids.
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.stakeholder_id})
SET s._lock = true
REMOVE s._lock
WITH s, row
// The stakeholder's interactions, read once for all of the row's team members, in the
// order of the stakeholder's WITH edges: [attendee ids, at, kind] each. Expanding from
// the stakeholder (a handful of interactions) and comparing the team member by value
// in a list: a team member has thousands of relationships, many of them created in this
// very transaction, which no plan may walk (nor seek the team member to join on).
CALL (s) {
  OPTIONAL MATCH (s)<-[:WITH]-(i:Interaction)
  RETURN collect([[(i)<-[:ATTENDED]-(x:TeamMember) | x.id], i.at, i.kind]) AS met
}
UNWIND row.team_member_ids AS team_member_id
MATCH (t:TeamMember {id: team_member_id})
OPTIONAL MATCH (s)<-[c:KNOWS]-()
WHERE startNode(c) = t
WITH t, s, met, collect(c) AS edges
WITH t, s, met, [c IN edges WHERE c.until IS NULL] AS currents,
     reduce(x = null, c IN edges |
            CASE WHEN c.until IS NOT NULL AND (x IS NULL OR c.until > x) THEN c.until ELSE x END)
       AS reopened_at
WITH t, s, met, reopened_at,
     any(c IN currents WHERE c.source <> 'interactions') AS explicit,
     [c IN currents WHERE c.source = 'interactions'] AS derived
// An explicit tie wins, so then the interactions are not read at all (zero rows: count 0).
CALL (t, s, explicit, met) {
  WITH t, explicit, met
  WHERE NOT explicit
  UNWIND [m IN met WHERE t.id IN m[0] | m] AS m
  WITH m[1] AS at, m[2] AS kind
  // Summed in a fixed order: the order of the stakeholder's WITH edges depends on how
  // the write created them, and a float sum's last bit on the order of its terms.
  ORDER BY at, kind
  WITH at, kind,
       CASE WHEN at >= $effective_at THEN null
            ELSE duration.inSeconds(at, $effective_at) END AS age
  WITH at, kind,
       CASE WHEN age IS NULL THEN 0.0
            ELSE (age.seconds + age.nanosecondsOfSecond / 1.0e9) / 86400.0 END AS age_days
  RETURN count(*) AS interactions,
         sum(coalesce($weights[kind], 0.0) * 2.0 ^ (-age_days / $half_life_days)) AS total,
         max(at) AS last_at, min(at) AS first_at
}
WITH t, s, explicit, derived, interactions, last_at, first_at, reopened_at,
     1.0 - exp(-total) AS strength
WITH t, s, last_at, strength, derived,
     CASE WHEN first_at < $effective_at THEN first_at ELSE $effective_at END AS opened_at,
     reopened_at, explicit, interactions
WITH t, s, last_at, strength, derived,
     CASE WHEN reopened_at > opened_at THEN reopened_at ELSE opened_at END AS since,
     NOT explicit AND interactions > 0 AND size(derived) > 0
       AND any(c IN derived WHERE c.strength <> strength
                                  OR coalesce(c.last_contact <> last_at, true)) AS changed,
     NOT explicit AND interactions = 0 AND size(derived) > 0 AS dropped,
     NOT explicit AND interactions > 0 AND size(derived) = 0
       AND coalesce(t.status, 'active') <> 'left'
       AND coalesce(s.status, 'active') <> 'left' AS created
WITH t, s, last_at, strength, derived, since, changed, dropped, created,
     [c IN derived | [c.strength, c.last_contact]][0] AS before
FOREACH (c IN CASE WHEN changed THEN derived ELSE [] END |
  SET c.strength = strength, c.last_contact = last_at)
FOREACH (c IN CASE WHEN dropped THEN derived ELSE [] END |
  SET c.until = CASE WHEN c.since > $effective_at THEN c.since ELSE $effective_at END)
FOREACH (_ IN CASE WHEN created THEN [1] ELSE [] END |
  CREATE (t)-[:KNOWS {strength: strength, last_contact: last_at, source: 'interactions',
                      since: since}]->(s))
// `changes`: one flat list of the changed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH count(CASE WHEN created THEN 1 END) AS created,
       count(CASE WHEN changed THEN 1 END) AS updated,
       sum(CASE WHEN dropped THEN size(derived) ELSE 0 END) AS closed,
       collect(CASE WHEN created
                    THEN [['KNOWS', 'opened', t.id, s.id, since.epochMillis * 1000 + since.microsecond % 1000, null,
                           'interactions', strength, null, null, null, null, null]]
                    WHEN changed
                    THEN [c IN derived | ['KNOWS', 'changed', t.id, s.id,
                                          c.since.epochMillis * 1000 + c.since.microsecond % 1000, null,
                                          'interactions', strength, null,
                                          before[0], strength, before[1], last_at]]
                    WHEN dropped
                    THEN [c IN derived | ['KNOWS', 'closed', t.id, s.id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, c.until.epochMillis * 1000 + c.until.microsecond % 1000,
                                          'interactions', c.strength, null, null, null, null, null]]
       END) AS per_row
RETURN created, updated, closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
