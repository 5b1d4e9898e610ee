// @title Detractors ranked by influence
// @description Active stakeholders who currently hold a detractor role (on an account or
//   an opportunity), or whose stance on any current role is negative, ranked by the
//   total strength of their influence on active colleagues. Shows whom they sway,
//   how many of those are key stakeholders, and how well we cover the detractor.
// @param account_id: string = null -- Only this account (all accounts when empty).
// @param theta: float = 0.2 -- Active-tie threshold θ for our coverage of the detractor.
// @column account_id: The detractor's account.
// @column stakeholder_id: The detractor's id.
// @column name: The detractor's name.
// @column title: The detractor's title.
// @column stance: Their most negative current stance (-2..+2; empty when no stance is recorded).
// @column influence: The sum of the strengths of their influence on active stakeholders.
// @column influenced_ids: The active stakeholders they influence, strongest first.
// @column influenced_key_stakeholders: How many of those are key stakeholders.
// @column our_coverage: How many of our active team members have an active tie to them.
// Anchored on the account (its label has a handful of nodes), then its people: in the
// alerts' per-account runs a stakeholder-first plan scanned every active stakeholder
// once per account (docs/queries.md, "Writing a query that follows the model").
MATCH (a:Account)
  WHERE $account_id IS NULL OR a.id = $account_id
WITH a
MATCH (s:Stakeholder {status: 'active'})-[w:WORKS_AT]->(a)
  WHERE w.until IS NULL
    AND EXISTS {
      MATCH (s)-[r:HAS_ROLE]->()
        WHERE r.until IS NULL AND (r.role = 'detractor' OR r.stance < 0)
    }
CALL (s) {
  OPTIONAL MATCH (s)-[r:HAS_ROLE]->() WHERE r.until IS NULL
  RETURN min(r.stance) AS stance
}
CALL (s) {
  OPTIONAL MATCH (s)-[i:INFLUENCES]->(o:Stakeholder {status: 'active'})
    WHERE i.until IS NULL
  // Whether o is a key stakeholder, worked out before the aggregation (a subquery
  // inside CASE would be a nested plan, which the analyst guard refuses).
  WITH o, i,
       EXISTS {
         MATCH (o)-[r:HAS_ROLE]->()
           WHERE r.until IS NULL AND r.role IN ['decision_maker', 'economic_buyer', 'champion']
       } OR EXISTS {
         MATCH (o)-[c:CONTROLS]->(:Budget)
           WHERE c.until IS NULL AND c.authority IN ['owner', 'approver', 'signatory']
       } AS key
  ORDER BY i.strength DESC, o.id
  RETURN toFloat(sum(i.strength)) AS influence, collect(o.id) AS influenced_ids,
         count(CASE WHEN key THEN 1 END) AS influenced_key_stakeholders
}
CALL (s) {
  OPTIONAL MATCH (t:TeamMember {status: 'active'})-[k:KNOWS]->(s)
    WHERE k.until IS NULL AND k.strength >= $theta
  RETURN count(DISTINCT t) AS our_coverage
}
RETURN a.id AS account_id, s.id AS stakeholder_id, s.name AS name, s.title AS title, stance,
       influence, influenced_ids, influenced_key_stakeholders, our_coverage
ORDER BY influence DESC, influenced_key_stakeholders DESC, stakeholder_id
