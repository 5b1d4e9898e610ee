// The body of every analytics pull: appended to an anchor query (account_by_id,
// account_by_budget, account_by_stakeholder, accounts_by_ids) that binds `a`, it
// returns one row per account with everything service/analytics needs, as of
// $valid_at (= the end of the as-of date; docs/graph-conventions.md "As of a date D"):
// an edge counts when `since < $valid_at AND (until IS NULL OR until >= $valid_at)`,
// a person when `left_at IS NULL OR left_at >= $valid_at`.
// KNOWS, REPORTS_TO and HAS_ROLE rows end with the edge's provenance (source,
// source_record_id: docs/graph-conventions.md, "Provenance"), which the power map shows.
// Lists are rows of plain values (not maps), collected next to the data, so a
// 5,000-person account travels in one record. INFLUENCES and COVERS are time-bound too.
// A person's title and department are those of their employment valid at $valid_at.
// INFLUENCES and REPORTS_TO may point
// outside the account (a mover); service/graph/account_subgraph.py drops those ends.
CALL (a) {
  MATCH (s:Stakeholder)-[w:WORKS_AT]->(a)
  WHERE w.since < $valid_at AND (w.until IS NULL OR w.until >= $valid_at)
    AND (s.left_at IS NULL OR s.left_at >= $valid_at)
  WITH s, collect(w)[0] AS w
  RETURN collect(s) AS people, collect([w.title, w.department]) AS positions
}
CALL (people) {
  UNWIND people AS s
  MATCH (s)-[r:REPORTS_TO]->(m:Stakeholder)
  WHERE r.since < $valid_at AND (r.until IS NULL OR r.until >= $valid_at)
  RETURN collect([s.id, m.id, r.kind, r.strength, r.source, r.source_record_id]) AS reports_to
}
CALL (people) {
  UNWIND people AS s
  MATCH (s)-[i:INFLUENCES]->(o:Stakeholder)
  WHERE i.since < $valid_at AND (i.until IS NULL OR i.until >= $valid_at)
  RETURN collect([s.id, o.id, i.strength]) AS influences
}
// last_contact travels as epoch milliseconds: hydrating 10,000 driver DateTimes costs
// more than the whole query.
CALL (people) {
  UNWIND people AS s
  MATCH (t:TeamMember)-[k:KNOWS]->(s)
  WHERE k.since < $valid_at AND (k.until IS NULL OR k.until >= $valid_at)
  RETURN collect([t.id, s.id, k.strength, k.last_contact.epochMillis,
                  k.source, k.source_record_id]) AS knows,
         collect(DISTINCT t) AS knowers
}
CALL (a, knowers) {
  OPTIONAL MATCH (c:TeamMember)-[v:COVERS]->(a)
  WHERE v.since < $valid_at AND (v.until IS NULL OR v.until >= $valid_at)
  WITH knowers, collect(DISTINCT c) AS covering
  UNWIND knowers + [c IN covering WHERE NOT c IN knowers] AS t
  RETURN collect([
    t.id, t.name, t.role,
    // Gone at this date means left before it, whatever the status says today.
    CASE
      WHEN t.left_at IS NOT NULL THEN CASE WHEN t.left_at < $valid_at THEN 'left' ELSE 'active' END
      ELSE coalesce(t.status, 'active')
    END,
    t IN covering
  ]) AS team
}
CALL (a, people) {
  UNWIND people AS s
  MATCH (s)-[h:HAS_ROLE]->(x)
  WHERE h.since < $valid_at AND (h.until IS NULL OR h.until >= $valid_at)
    AND (x = a OR (x:Opportunity AND (x)-[:FOR]->(a)))
  RETURN collect([s.id, h.role, CASE WHEN x:Account THEN 'account' ELSE 'opportunity' END,
                  x.id, h.stance, h.source, h.source_record_id]) AS roles
}
CALL (a, people) {
  UNWIND people AS s
  MATCH (s)-[c:CONTROLS]->(b:Budget)-[:OF]->(a)
  WHERE c.since < $valid_at AND (c.until IS NULL OR c.until >= $valid_at)
  RETURN collect([s.id, b.id, c.authority]) AS controls
}
CALL (a) {
  MATCH (b:Budget)-[:OF]->(a)
  RETURN collect([b.id, b.name, b.amount, b.currency]) AS budgets
}
CALL (a) {
  MATCH (o:Opportunity)-[:FOR]->(a)
  RETURN collect([o.id, o.name, o.stage, o.amount]) AS opportunities
}
RETURN a.id AS id, a.name AS name, a.tier AS tier,
       [i IN range(0, size(people) - 1) |
          [people[i].id, people[i].name, positions[i][0], positions[i][1],
           CASE WHEN people[i].left_at IS NULL THEN coalesce(people[i].status, 'active')
                ELSE 'active' END,
           people[i].seniority]] AS stakeholders,
       team, knows, influences, reports_to, roles, controls, budgets, opportunities
