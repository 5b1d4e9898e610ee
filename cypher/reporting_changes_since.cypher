// @title Reporting-line changes since a date (reorgs)
// @description Every change to the org chart on or after `since`, read from the history of
//   REPORTS_TO edges: `manager_changed` (a solid line replaced by another at the same
//   moment), `manager_added` (a solid line where there was none), `manager_removed`
//   (a solid line closed without a replacement: the person or their manager left, or
//   the line was cut), `dotted_added` and `dotted_removed` (matrix lines). Many rows
//   under one manager on one day are a reorg. Latest first. Lines recorded by the
//   first load of an account count as added on the day of that load.
// @param since: date required -- Changes on or after this day (UTC) are reported.
// @param account_id: string = null -- Only people of this account (all accounts when empty).
// @column account_id: The account of the person (their latest employer in the portfolio).
// @column stakeholder_id: The person whose line changed.
// @column name: Their name.
// @column title: Their title now.
// @column change: manager_changed, manager_added, manager_removed, dotted_added or dotted_removed.
// @column from_manager_id: The previous manager (empty for additions).
// @column to_manager_id: The new manager (empty for removals).
// @column changed_at: When the change took effect.
WITH datetime({date: $since}) AS t0
CALL (t0) {
  MATCH (s:Stakeholder)-[new:REPORTS_TO]->(m:Stakeholder)
    WHERE new.since >= t0
  OPTIONAL MATCH (s)-[old:REPORTS_TO {kind: 'solid'}]->(previous:Stakeholder)
    WHERE new.kind = 'solid' AND old.until = new.since AND old <> new
  RETURN s, CASE
           WHEN new.kind <> 'solid' THEN 'dotted_added'
           WHEN previous IS NULL THEN 'manager_added'
           ELSE 'manager_changed'
         END AS change, previous.id AS from_manager_id, m.id AS to_manager_id,
         new.since AS changed_at
  UNION
  MATCH (s:Stakeholder)-[old:REPORTS_TO]->(m:Stakeholder)
    WHERE old.until >= t0
      AND NOT (old.kind = 'solid'
               AND EXISTS {
                 MATCH (s)-[replacement:REPORTS_TO {kind: 'solid'}]->()
                   WHERE replacement.since = old.until
               })
  RETURN s, CASE old.kind WHEN 'solid' THEN 'manager_removed' ELSE 'dotted_removed' END AS change,
         m.id AS from_manager_id, null AS to_manager_id, old.until AS changed_at
}
CALL (s) {
  MATCH (s)-[w:WORKS_AT]->(a:Account)
  RETURN a
    ORDER BY w.until IS NULL DESC, w.since DESC
    LIMIT 1
}
WITH s, a, change, from_manager_id, to_manager_id, changed_at
  WHERE $account_id IS NULL OR a.id = $account_id
RETURN a.id AS account_id, s.id AS stakeholder_id, s.name AS name, s.title AS title, change,
       from_manager_id, to_manager_id, changed_at
ORDER BY changed_at DESC, account_id, stakeholder_id, change
