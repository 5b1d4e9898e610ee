// @title Stakeholders who moved between accounts
// @description People whose employer changed from one account of the portfolio to another
//   (a WORKS_AT edge closed and a new one to another account opened at the same
//   moment), on or after `since`: a former contact now sits at another customer. Shows
//   the roles they held at the old account and whether we still have an active tie to
//   them. Latest moves first.
// @param since: date = 2000-01-01 -- Moves on or after this day (UTC) are reported.
// @param theta: float = 0.2 -- Active-tie threshold θ for "we still know them".
// @column stakeholder_id: The person's id.
// @column name: Their name.
// @column title: Their title now.
// @column from_account_id: The account they left.
// @column to_account_id: The account they joined.
// @column moved_at: When the move took effect.
// @column roles_at_previous: The roles they held at the old account or its opportunities before the move.
// @column our_active_contacts: Our active team members with an active tie to them now (ids).
WITH datetime({date: $since}) AS t0
MATCH (s:Stakeholder)-[old:WORKS_AT]->(from:Account),
      (s)-[new:WORKS_AT]->(to:Account)
  WHERE old.until >= t0 AND new.since = old.until AND from <> to
RETURN s.id AS stakeholder_id, s.name AS name, s.title AS title, from.id AS from_account_id,
       to.id AS to_account_id, new.since AS moved_at,
       COLLECT {
         MATCH (s)-[r:HAS_ROLE]->(x)
           WHERE r.since < old.until AND (x = from OR EXISTS { (x)-[:FOR]->(from) })
         RETURN DISTINCT r.role AS role ORDER BY role
       } AS roles_at_previous,
       COLLECT {
         MATCH (t:TeamMember {status: 'active'})-[k:KNOWS]->(s)
           WHERE k.until IS NULL AND k.strength >= $theta
         RETURN t.id AS id ORDER BY id
       } AS our_active_contacts
ORDER BY moved_at DESC, stakeholder_id
