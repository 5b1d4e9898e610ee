// One page of an account's stakeholders in id order, with their current solid manager
// and current roles. No row when the account is unknown; otherwise one row whose
// `items` may be empty. A stakeholder belongs to the account through a current WORKS_AT,
// or (for people who left, whose edges the departure closed) through their latest one.
// $status is 'active', 'left' or 'all'; $limit is one more than the page size.
MATCH (a:Account {id: $account_id})
CALL (a) {
  // Expand from the account (bounded by its size) rather than seek the portfolio-wide
  // id index from the cursor; the cursor filter comes after DISTINCT for that reason.
  MATCH (s:Stakeholder)-[w:WORKS_AT]->(a)
  WHERE (w.until IS NULL
         OR (s.status = 'left'
             AND NOT EXISTS {
               MATCH (s)-[later:WORKS_AT]->()
               WHERE later.until IS NULL OR later.until > w.until
             }))
  WITH DISTINCT s
  WHERE s.id > $after
    AND CASE $status
            WHEN 'all' THEN true
            WHEN 'left' THEN s.status = 'left'
            ELSE coalesce(s.status, 'active') = 'active'
          END
  WITH s
  ORDER BY s.id
  LIMIT $limit
  RETURN collect({
    id: s.id, name: s.name, title: s.title, email: s.email, department: s.department,
    seniority: s.seniority, status: coalesce(s.status, 'active'), left_at: s.left_at,
    // Each manager and role with the account it belongs to (the manager's home
    // account, the role target's account), for callers limited to one account.
    managers: COLLECT {
      MATCH (s)-[r:REPORTS_TO {kind: 'solid'}]->(m:Stakeholder)
      WHERE r.until IS NULL
      WITH m, r
      ORDER BY r.since DESC, m.id
      RETURN {id: m.id,
              account_id: COLLECT {
                MATCH (m)-[hw:WORKS_AT]->(ha:Account)
                WITH ha, hw
                ORDER BY CASE WHEN hw.until IS NULL THEN 0 ELSE 1 END,
                         coalesce(hw.until, hw.since) DESC, ha.id
                RETURN ha.id LIMIT 1
              }[0]}
    },
    roles: COLLECT {
      MATCH (s)-[h:HAS_ROLE]->(x)
      WHERE h.until IS NULL AND (x:Account OR x:Opportunity)
      WITH h, x
      ORDER BY h.role, x.id
      RETURN {role: h.role, stance: h.stance,
              target_type: CASE WHEN x:Account THEN 'account' ELSE 'opportunity' END,
              target_id: x.id,
              account_id: CASE WHEN x:Account THEN x.id
                               ELSE COLLECT { MATCH (x)-[:FOR]->(oa:Account) RETURN oa.id }[0]
                          END}
    }
  }) AS items
}
RETURN items
