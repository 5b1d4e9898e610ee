// @title Budgets and their controllers for an account
// @description Every budget of the account with each person who currently controls it
//   (owner, approver, signatory, recommender; strongest authority first) and our
//   strongest active relationship to that person. A budget that nobody controls any
//   more appears once with empty controller columns: that gap is the finding.
// @param account_id: string required -- The account's id.
// @param theta: float = 0.2 -- Active-tie threshold θ: a relationship counts when its strength is at least θ.
// @column budget_id: The budget's id.
// @column budget_name: The budget's name.
// @column amount: The budget's amount.
// @column currency: The budget's currency.
// @column fiscal_year: The fiscal year of the budget.
// @column authority: owner, approver, signatory or recommender (empty when nobody controls the budget).
// @column controller_id: The controlling stakeholder's id.
// @column controller_name: The controlling stakeholder's name.
// @column controller_title: The controlling stakeholder's title.
// @column best_contact_id: The active team member with the strongest active relationship to the controller (empty when dark).
// @column best_contact_strength: The strength of that relationship.
MATCH (:Account {id: $account_id})<-[:OF]-(b:Budget)
OPTIONAL MATCH (s:Stakeholder)-[c:CONTROLS]->(b)
  WHERE c.until IS NULL
CALL (s) {
  OPTIONAL MATCH (t:TeamMember {status: 'active'})-[k:KNOWS]->(s)
    WHERE k.until IS NULL AND k.strength >= $theta
  RETURN t, k
    ORDER BY k.strength DESC, t.id
    LIMIT 1
}
RETURN b.id AS budget_id, b.name AS budget_name, b.amount AS amount, b.currency AS currency,
       b.fiscal_year AS fiscal_year, c.authority AS authority, s.id AS controller_id,
       s.name AS controller_name, s.title AS controller_title, t.id AS best_contact_id,
       k.strength AS best_contact_strength
ORDER BY budget_id,
         CASE authority
           WHEN 'owner' THEN 0 WHEN 'approver' THEN 1 WHEN 'signatory' THEN 2 ELSE 3
         END,
         controller_id
