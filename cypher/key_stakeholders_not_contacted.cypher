// @title Key stakeholders not contacted in N days
// @description Key stakeholders (docs/definitions.md: active, with a decision_maker, economic_buyer
//   or champion role, or owner/approver/signatory of a budget) whose last contact is
//   more than `days` days before `as_of`, or who were never contacted. The last contact
//   is the latest `last_contact` on any of our relationships to them, or the latest
//   interaction with them, whichever is later. Never-contacted people come first, then
//   the longest silence.
// @param days: integer = 90 -- How many days without contact make a stakeholder overdue.
// @param account_id: string = null -- Only this account (all accounts when empty).
// @param as_of: date = null -- The day to count from (today when empty).
// @column account_id: The stakeholder's account.
// @column account_name: The account's name.
// @column stakeholder_id: The stakeholder's id.
// @column name: The stakeholder's name.
// @column title: The stakeholder's title.
// @column key_because: Why the person is key: their key roles and budget authorities.
// @column last_contact: The date of the last contact (empty when never contacted).
// @column days_since_contact: Days from the last contact to `as_of` (empty when never contacted).
// Anchored on the account (its label has a handful of nodes), then its people: in the
// alerts' per-account runs a stakeholder-first plan scanned every active stakeholder
// once per account (docs/queries.md, "Writing a query that follows the model").
MATCH (a:Account)
  WHERE $account_id IS NULL OR a.id = $account_id
WITH coalesce($as_of, date()) AS today, a
MATCH (s:Stakeholder {status: 'active'})-[w:WORKS_AT]->(a)
  WHERE w.until IS NULL
WITH today, s, a,
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
CALL (s, today) {
  OPTIONAL MATCH (:TeamMember)-[k:KNOWS]->(s)
    WHERE date(k.last_contact) <= today
  RETURN date(k.last_contact) AS contact
  UNION
  OPTIONAL MATCH (:TeamMember)-[:ATTENDED]->(i:Interaction)-[:WITH]->(s)
    WHERE date(i.at) <= today
  RETURN date(i.at) AS contact
}
WITH today, s, a, reasons, max(contact) AS last_contact
  WHERE last_contact IS NULL OR last_contact < today - duration({days: $days})
RETURN a.id AS account_id, a.name AS account_name, s.id AS stakeholder_id, s.name AS name,
       s.title AS title,
       COLLECT { UNWIND reasons AS reason RETURN reason ORDER BY reason } AS key_because,
       last_contact,
       CASE WHEN last_contact IS NULL THEN null
            ELSE duration.inDays(last_contact, today).days END AS days_since_contact
ORDER BY last_contact IS NOT NULL, last_contact, account_id, stakeholder_id
