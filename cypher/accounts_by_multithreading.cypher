// @title Accounts ranked by multi-threading ratio
// @description For every account: its key stakeholders (docs/definitions.md) split by our coverage
//   — dark (no active tie from an active team member), single-threaded (one) and
//   multi-threaded (two or more) — and the multi-threading ratio, the share of key
//   stakeholders that are multi-threaded. Lowest ratio (riskiest) first; accounts
//   without key stakeholders come last, with an empty ratio.
// @param theta: float = 0.2 -- Active-tie threshold θ: a relationship counts when its strength is at least θ.
// @param tier: string = null -- Only accounts of this tier: strategic, key or standard (all when empty).
// @column account_id: The account's id.
// @column account_name: The account's name.
// @column tier: The account's tier.
// @column key_stakeholders: Active key stakeholders working at the account.
// @column dark: Key stakeholders none of our active team members has an active tie to.
// @column single_threaded: Key stakeholders exactly one of them has an active tie to.
// @column multi_threaded: Key stakeholders two or more of them have an active tie to.
// @column multithreading_ratio: multi_threaded / key_stakeholders (empty when there are none).
// @column team_members_engaged: Our active team members with an active tie to anyone at the account.
MATCH (a:Account)
  WHERE $tier IS NULL OR a.tier = $tier
CALL (a) {
  OPTIONAL MATCH (s:Stakeholder {status: 'active'})-[w:WORKS_AT]->(a)
    WHERE w.until IS NULL
      AND (EXISTS {
             MATCH (s)-[r:HAS_ROLE]->()
               WHERE r.until IS NULL AND r.role IN ['decision_maker', 'economic_buyer', 'champion']
           } OR EXISTS {
             MATCH (s)-[c:CONTROLS]->(:Budget)
               WHERE c.until IS NULL AND c.authority IN ['owner', 'approver', 'signatory']
           })
  WITH s,
       COUNT {
         MATCH (t:TeamMember {status: 'active'})-[k:KNOWS]->(s)
           WHERE k.until IS NULL AND k.strength >= $theta
         RETURN DISTINCT t
       } AS coverage
  RETURN count(s) AS key_stakeholders,
         count(CASE WHEN s IS NOT NULL AND coverage = 0 THEN 1 END) AS dark,
         count(CASE WHEN coverage = 1 THEN 1 END) AS single_threaded,
         count(CASE WHEN coverage >= 2 THEN 1 END) AS multi_threaded
}
CALL (a) {
  OPTIONAL MATCH (t:TeamMember {status: 'active'})-[k:KNOWS]->(s:Stakeholder {status: 'active'})
                 -[w:WORKS_AT]->(a)
    WHERE k.until IS NULL AND k.strength >= $theta AND w.until IS NULL
  RETURN count(DISTINCT t) AS team_members_engaged
}
WITH a, key_stakeholders, dark, single_threaded, multi_threaded, team_members_engaged,
     CASE WHEN key_stakeholders = 0 THEN null
          ELSE toFloat(multi_threaded) / key_stakeholders END AS ratio
RETURN a.id AS account_id, a.name AS account_name, a.tier AS tier, key_stakeholders, dark,
       single_threaded, multi_threaded, ratio AS multithreading_ratio, team_members_engaged
ORDER BY ratio IS NULL, ratio, account_id
