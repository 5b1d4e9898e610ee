// @title Key stakeholders that are dark or single-threaded
// @description Key stakeholders (docs/definitions.md) whose coverage — the number of our active
//   team members with an active tie to them — is at most `max_coverage` (default 1:
//   dark or single-threaded), with who covers them and how strongly. Dark first, then
//   by account.
// @param theta: float = 0.2 -- Active-tie threshold θ: a relationship counts when its strength is at least θ.
// @param max_coverage: integer = 1 -- Report key stakeholders covered by at most this many team members.
// @param account_id: string = null -- Only this account (all accounts when empty).
// @column account_id: The stakeholder's account.
// @column stakeholder_id: The stakeholder's id.
// @column name: Their name.
// @column title: Their title.
// @column key_because: Their key roles and budget authorities.
// @column coverage: How many of our active team members have an active tie to them.
// @column state: dark (0), single (1) or multi (2 or more).
// @column covered_by: Those team members (ids), strongest tie first.
// @column strongest_tie: The strength of the strongest of those ties (empty when dark).
// Anchored on the account (its label has a handful of nodes), then its people: in the
// alerts' per-account runs a stakeholder-first plan scanned every active stakeholder
// once per account (docs/queries.md, "Writing a query that follows the model").
MATCH (a:Account)
  WHERE $account_id IS NULL OR a.id = $account_id
WITH a
MATCH (s:Stakeholder {status: 'active'})-[w:WORKS_AT]->(a)
  WHERE w.until IS NULL
WITH s, a,
     COLLECT {
       MATCH (s)-[r:HAS_ROLE]->()
         WHERE r.until IS NULL AND r.role IN ['decision_maker', 'economic_buyer', 'champion']
       RETURN r.role AS reason
       UNION
       MATCH (s)-[c:CONTROLS]->(:Budget)
         WHERE c.until IS NULL AND c.authority IN ['owner', 'approver', 'signatory']
       RETURN c.authority AS reason
     } AS reasons
  WHERE size(reasons) > 0
CALL (s) {
  OPTIONAL MATCH (t:TeamMember {status: 'active'})-[k:KNOWS]->(s)
    WHERE k.until IS NULL AND k.strength >= $theta
  WITH t, max(k.strength) AS strength
    ORDER BY strength DESC, t.id
  RETURN collect(t.id) AS covered_by, max(strength) AS strongest_tie
}
WITH a, s, reasons, covered_by, strongest_tie, size(covered_by) AS coverage
  WHERE coverage <= $max_coverage
RETURN a.id AS account_id, s.id AS stakeholder_id, s.name AS name, s.title AS title,
       COLLECT { UNWIND reasons AS reason RETURN reason ORDER BY reason } AS key_because,
       coverage,
       CASE coverage WHEN 0 THEN 'dark' WHEN 1 THEN 'single' ELSE 'multi' END AS state,
       covered_by, strongest_tie
ORDER BY coverage, account_id, stakeholder_id
