// The threading risk of each account, computed next to the data; appended to an anchor
// (portfolio_all / portfolio_by_tier) that binds `a`. Semantics are docs/definitions.md's
// ("Key stakeholder", "Coverage", "Threading risk"), as of $valid_at
// (docs/graph-conventions.md "As of a date D"); the Python twin is threading_risk in
// service/analytics/threading.py:
//   key stakeholder  active, with a champion / decision_maker / economic_buyer role on
//                    the account or one of its opportunities, or an owner / approver /
//                    signatory CONTROLS on one of its budgets;
//   coverage         distinct active team members with an active tie (strength >= θ);
//   our side         distinct active team members with an active tie into the account;
//   their side       distinct active stakeholders with an active tie.
// risk = 60 · key_exposure + 20 · side(ours) + 20 · side(theirs), with
//   key_exposure = (dark + ½ · single) / key stakeholders  (1 when none is identified),
//   side = 1 (nobody), ½ (one person), 0 (two or more).
// The page is cut after sorting by (risk desc, id); the people behind the verdicts are
// collected for the page's accounts only.
CALL (a) {
  MATCH (s:Stakeholder)-[w:WORKS_AT]->(a)
  WHERE w.since < $valid_at AND (w.until IS NULL OR w.until >= $valid_at)
    AND (s.left_at IS NULL OR s.left_at >= $valid_at)
    AND (s.left_at IS NOT NULL OR coalesce(s.status, 'active') = 'active')
  WITH DISTINCT s
  WITH s,
       EXISTS {
         MATCH (s)-[h:HAS_ROLE]->(x)
         WHERE h.role IN ['champion', 'decision_maker', 'economic_buyer']
           AND h.since < $valid_at AND (h.until IS NULL OR h.until >= $valid_at)
           AND (x = a OR (x:Opportunity AND (x)-[:FOR]->(a)))
       } OR EXISTS {
         MATCH (s)-[c:CONTROLS]->(:Budget)-[:OF]->(a)
         WHERE c.authority IN ['owner', 'approver', 'signatory']
           AND c.since < $valid_at AND (c.until IS NULL OR c.until >= $valid_at)
       } AS key,
       COUNT {
         MATCH (t:TeamMember)-[k:KNOWS]->(s)
         WHERE k.strength >= $theta AND k.strength > 0
           AND k.since < $valid_at AND (k.until IS NULL OR k.until >= $valid_at)
           AND CASE WHEN t.left_at IS NOT NULL THEN t.left_at >= $valid_at
                    ELSE coalesce(t.status, 'active') = 'active' END
         RETURN DISTINCT t
       } AS coverage
  RETURN count(s) AS stakeholders,
         count(CASE WHEN key THEN 1 END) AS key_stakeholders,
         count(CASE WHEN key AND coverage = 0 THEN 1 END) AS key_dark,
         count(CASE WHEN key AND coverage = 1 THEN 1 END) AS key_single,
         count(CASE WHEN key AND coverage >= 2 THEN 1 END) AS key_multi,
         count(CASE WHEN coverage > 0 THEN 1 END) AS their_side,
         sum(coverage) AS active_ties
}
CALL (a) {
  MATCH (t:TeamMember)-[k:KNOWS]->(s:Stakeholder)-[w:WORKS_AT]->(a)
  WHERE k.strength >= $theta AND k.strength > 0
    AND k.since < $valid_at AND (k.until IS NULL OR k.until >= $valid_at)
    AND w.since < $valid_at AND (w.until IS NULL OR w.until >= $valid_at)
    AND (s.left_at IS NULL OR s.left_at >= $valid_at)
    AND (s.left_at IS NOT NULL OR coalesce(s.status, 'active') = 'active')
    AND CASE WHEN t.left_at IS NOT NULL THEN t.left_at >= $valid_at
             ELSE coalesce(t.status, 'active') = 'active' END
  RETURN count(DISTINCT t) AS our_side
}
WITH a, stakeholders, key_stakeholders, key_dark, key_single, key_multi, their_side,
     our_side, active_ties,
     CASE WHEN key_stakeholders = 0 THEN 1.0
          ELSE (key_dark + 0.5 * key_single) / key_stakeholders END AS key_exposure
WITH a, stakeholders, key_stakeholders, key_dark, key_single, key_multi, their_side,
     our_side, active_ties, key_exposure,
     round(60.0 * key_exposure
           + 20.0 * CASE our_side WHEN 0 THEN 1.0 WHEN 1 THEN 0.5 ELSE 0.0 END
           + 20.0 * CASE their_side WHEN 0 THEN 1.0 WHEN 1 THEN 0.5 ELSE 0.0 END,
           6) AS risk
WHERE $after_id IS NULL OR risk < $after_risk OR (risk = $after_risk AND a.id > $after_id)
WITH a, stakeholders, key_stakeholders, key_dark, key_single, key_multi, their_side,
     our_side, active_ties, key_exposure, risk
ORDER BY risk DESC, a.id
LIMIT $limit
CALL (a) {
  MATCH (s:Stakeholder)-[w:WORKS_AT]->(a)
  WHERE w.since < $valid_at AND (w.until IS NULL OR w.until >= $valid_at)
    AND (s.left_at IS NULL OR s.left_at >= $valid_at)
    AND (s.left_at IS NOT NULL OR coalesce(s.status, 'active') = 'active')
  WITH DISTINCT s
  WHERE EXISTS {
          MATCH (s)-[h:HAS_ROLE]->(x)
          WHERE h.role IN ['champion', 'decision_maker', 'economic_buyer']
            AND h.since < $valid_at AND (h.until IS NULL OR h.until >= $valid_at)
            AND (x = a OR (x:Opportunity AND (x)-[:FOR]->(a)))
        } OR EXISTS {
          MATCH (s)-[c:CONTROLS]->(:Budget)-[:OF]->(a)
          WHERE c.authority IN ['owner', 'approver', 'signatory']
            AND c.since < $valid_at AND (c.until IS NULL OR c.until >= $valid_at)
        }
  WITH s, COLLECT {
         MATCH (t:TeamMember)-[k:KNOWS]->(s)
         WHERE k.strength >= $theta AND k.strength > 0
           AND k.since < $valid_at AND (k.until IS NULL OR k.until >= $valid_at)
           AND CASE WHEN t.left_at IS NOT NULL THEN t.left_at >= $valid_at
                    ELSE coalesce(t.status, 'active') = 'active' END
         RETURN DISTINCT t.id
       } AS covering
  WITH s, covering
  ORDER BY s.id
  RETURN collect(CASE WHEN size(covering) = 0 THEN s.id END) AS dark_ids,
         collect(CASE WHEN size(covering) = 1 THEN [s.id, covering[0]] END) AS single_rows
}
CALL (a) {
  MATCH (t:TeamMember)-[k:KNOWS]->(s:Stakeholder)-[w:WORKS_AT]->(a)
  WHERE k.strength >= $theta AND k.strength > 0
    AND k.since < $valid_at AND (k.until IS NULL OR k.until >= $valid_at)
    AND w.since < $valid_at AND (w.until IS NULL OR w.until >= $valid_at)
    AND (s.left_at IS NULL OR s.left_at >= $valid_at)
    AND (s.left_at IS NOT NULL OR coalesce(s.status, 'active') = 'active')
    AND CASE WHEN t.left_at IS NOT NULL THEN t.left_at >= $valid_at
             ELSE coalesce(t.status, 'active') = 'active' END
  WITH DISTINCT t, s
  WITH t, count(s) AS ties
  ORDER BY ties DESC, t.id
  RETURN collect([t.id, ties])[..3] AS top_team_members
}
RETURN a.id AS id, a.name AS name, a.tier AS tier, risk, key_exposure, stakeholders,
       key_stakeholders, key_dark, key_single, key_multi, our_side, their_side, active_ties,
       dark_ids AS dark_key_stakeholder_ids, single_rows AS single_threaded_key_stakeholders,
       top_team_members
ORDER BY risk DESC, id
