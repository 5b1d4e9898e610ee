// Everyone in one account as of $valid_at (= the end of the as-of date, see
// docs/graph-conventions.md "As of a date D"), in one round trip: for each person their
// solid manager(s), dotted managers, roles on the account or its opportunities, and our
// ties to them from team members still with us at that time. The tree is assembled in
// Python (service/domain/org_chart.py). No row when the account is unknown.
MATCH (a:Account {id: $account_id})
CALL (a) {
  MATCH (s:Stakeholder)-[w:WORKS_AT]->(a)
  WHERE w.since < $valid_at AND (w.until IS NULL OR w.until >= $valid_at)
    AND (s.left_at IS NULL OR s.left_at >= $valid_at)
  // One employment edge is valid at a date (intervals never overlap); it holds the
  // person's position then.
  WITH s, collect(w)[0] AS w
  RETURN collect({
    id: s.id, name: s.name, title: w.title, department: w.department,
    // Shown at this date means not yet gone then, whatever the status says today.
    status: CASE WHEN s.left_at IS NULL THEN coalesce(s.status, 'active') ELSE 'active' END,
    // The account the person belongs to now (current employer, else the latest).
    home_account_id: CASE
      WHEN COUNT { (s)-[:WORKS_AT]->() } = 1 THEN a.id
      ELSE COLLECT {
        MATCH (s)-[hw:WORKS_AT]->(ha:Account)
        WITH ha, hw
        ORDER BY CASE WHEN hw.until IS NULL THEN 0 ELSE 1 END,
                 coalesce(hw.until, hw.since) DESC, ha.id
        RETURN ha.id LIMIT 1
      }[0]
    END,
    manager_ids: COLLECT {
      MATCH (s)-[r:REPORTS_TO {kind: 'solid'}]->(m:Stakeholder)
      WHERE r.since < $valid_at AND (r.until IS NULL OR r.until >= $valid_at)
      WITH m, r
      ORDER BY r.since DESC, m.id
      RETURN m.id
    },
    dotted_manager_ids: COLLECT {
      MATCH (s)-[r:REPORTS_TO {kind: 'dotted'}]->(m:Stakeholder)
      WHERE r.since < $valid_at AND (r.until IS NULL OR r.until >= $valid_at)
      RETURN DISTINCT m.id
    },
    roles: COLLECT {
      MATCH (s)-[h:HAS_ROLE]->(x)
      WHERE h.since < $valid_at AND (h.until IS NULL OR h.until >= $valid_at)
        AND (x = a OR (x:Opportunity AND (x)-[:FOR]->(a)))
      RETURN {role: h.role, stance: h.stance,
              target_type: CASE WHEN x:Account THEN 'account' ELSE 'opportunity' END,
              target_id: x.id}
    },
    ties: COLLECT {
      MATCH (t:TeamMember)-[k:KNOWS]->(s)
      WHERE k.since < $valid_at AND (k.until IS NULL OR k.until >= $valid_at)
        AND (t.left_at IS NULL OR t.left_at >= $valid_at)
      RETURN {team_member_id: t.id, team_member_name: t.name, strength: k.strength}
    }
  }) AS people
}
RETURN a.id AS id, a.name AS name, a.tier AS tier, people
