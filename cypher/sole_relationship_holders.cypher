// @title Team members ranked by the relationships only they hold
// @description For each of our active team members, the active stakeholders to whom they
//   hold the only active relationship on our side (coverage exactly 1: if they leave,
//   the person goes dark), how many of those are key stakeholders, and in which
//   accounts. The riskiest holders first. Team members holding no sole relationship
//   are left out.
// @param theta: float = 0.2 -- Active-tie threshold θ: a relationship counts when its strength is at least θ.
// @param account_id: string = null -- Only stakeholders of this account (all accounts when empty).
// @column team_member_id: The team member's id.
// @column name: The team member's name.
// @column role: Their role in our team.
// @column sole_relationships: How many active stakeholders only they reach.
// @column sole_key_stakeholders: How many of those are key stakeholders.
// @column stakeholder_ids: Those stakeholders (ids).
// @column account_ids: The accounts those stakeholders work at.
// Anchored on the account (its label has a handful of nodes), then its people: in the
// alerts' per-account runs a stakeholder-first plan scanned every active stakeholder
// once per account (docs/queries.md, "Writing a query that follows the model").
MATCH (a:Account)
  WHERE $account_id IS NULL OR a.id = $account_id
WITH a
MATCH (s:Stakeholder {status: 'active'})-[w:WORKS_AT]->(a)
  WHERE w.until IS NULL
// Each person's holders read from the person (a subquery per person): a plan joining
// every team member's ties read them all once per account.
WITH s, a,
     COLLECT {
       MATCH (t:TeamMember {status: 'active'})-[k:KNOWS]->(s)
         WHERE k.until IS NULL AND k.strength >= $theta
       RETURN DISTINCT t
     } AS holders
  WHERE size(holders) = 1
WITH holders[0] AS t, s, a,
     EXISTS {
       MATCH (s)-[r:HAS_ROLE]->()
         WHERE r.until IS NULL AND r.role IN ['decision_maker', 'economic_buyer', 'champion']
     } OR EXISTS {
       MATCH (s)-[c:CONTROLS]->(:Budget)
         WHERE c.until IS NULL AND c.authority IN ['owner', 'approver', 'signatory']
     } AS key
ORDER BY s.id
WITH t, collect(s.id) AS stakeholder_ids, count(CASE WHEN key THEN 1 END) AS sole_key,
     collect(DISTINCT a.id) AS account_ids
RETURN t.id AS team_member_id, t.name AS name, t.role AS role,
       size(stakeholder_ids) AS sole_relationships, sole_key AS sole_key_stakeholders,
       stakeholder_ids, COLLECT { UNWIND account_ids AS id RETURN id ORDER BY id } AS account_ids
ORDER BY sole_relationships DESC, sole_key_stakeholders DESC, team_member_id
