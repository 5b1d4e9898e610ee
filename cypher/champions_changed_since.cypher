// @title Champions who left or changed position since a date
// @description People who were a champion (of an account or of an opportunity) at any
//   time on or after `since`, and what changed for them since then: `left` (they left
//   their company), `moved_account` (they now work at another account of the
//   portfolio), `new_manager` (their solid reporting line changed: the reorg or
//   promotion that usually comes with a new title), or `champion_role_ended` (still
//   there, but no longer our champion for that target). Their current title is shown;
//   the graph keeps no history of titles themselves (docs/queries.md). One row per
//   change, latest first.
// @param since: date required -- Changes on or after this day (UTC) are reported.
// @param account_id: string = null -- Only champions of this account or its opportunities (all when empty).
// @column stakeholder_id: The champion's id.
// @column name: The champion's name.
// @column title: Their title now.
// @column champion_of: The accounts and opportunities they championed in the period (ids).
// @column change: left, moved_account, new_manager or champion_role_ended.
// @column changed_at: When the change took effect.
// @column detail: What changed: the previous and new account, manager, or the target the role ended on.
WITH datetime({date: $since}) AS t0
MATCH (s:Stakeholder)-[r:HAS_ROLE {role: 'champion'}]->(target)
  WHERE (r.until IS NULL OR r.until >= t0)
    AND ($account_id IS NULL OR target.id = $account_id
         OR EXISTS { (target)-[:FOR]->(:Account {id: $account_id}) })
WITH t0, s, collect(DISTINCT target.id) AS champion_of
CALL (s, t0) {
  WITH s, t0
    WHERE s.status = 'left' AND s.left_at >= t0
  RETURN 'left' AS change, s.left_at AS changed_at, 'left the company' AS detail
  UNION
  MATCH (s)-[old:WORKS_AT]->(a1:Account), (s)-[new:WORKS_AT]->(a2:Account)
    WHERE old.until >= t0 AND new.since = old.until AND a1 <> a2
  RETURN 'moved_account' AS change, new.since AS changed_at,
         'from ' + a1.id + ' to ' + a2.id AS detail
  UNION
  MATCH (s)-[new:REPORTS_TO {kind: 'solid'}]->(m2:Stakeholder),
        (s)-[old:REPORTS_TO {kind: 'solid'}]->(m1:Stakeholder)
    WHERE new.since >= t0 AND old.until = new.since AND m1 <> m2
  RETURN 'new_manager' AS change, new.since AS changed_at,
         'from ' + m1.id + ' to ' + m2.id AS detail
  UNION
  MATCH (s)-[ended:HAS_ROLE {role: 'champion'}]->(target)
    WHERE ended.until >= t0 AND s.status = 'active'
      AND NOT EXISTS {
        MATCH (s)-[now:HAS_ROLE {role: 'champion'}]->(target) WHERE now.until IS NULL
      }
      AND NOT EXISTS {
        MATCH (s)-[w:WORKS_AT]->() WHERE w.until = ended.until
      }
  RETURN 'champion_role_ended' AS change, ended.until AS changed_at,
         'no longer champion of ' + target.id AS detail
}
RETURN s.id AS stakeholder_id, s.name AS name, s.title AS title,
       COLLECT { UNWIND champion_of AS id RETURN id ORDER BY id } AS champion_of, change,
       changed_at, detail
ORDER BY changed_at DESC, stakeholder_id, change
