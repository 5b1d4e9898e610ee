// The alert conditions' pull (docs/alerts.md, "Cost"): appended to an anchor that binds
// `a`, like account_subgraph.cypher, and returning rows of the same shape, with what no
// condition reads left null: the provenance of KNOWS, REPORTS_TO and HAS_ROLE (source,
// source_record_id) and a stakeholder's department and seniority. The rest is the same
// data, filtered the same way, in the same order: see account_subgraph.cypher. A
// stakeholder's outgoing REPORTS_TO, INFLUENCES, HAS_ROLE and CONTROLS are read in one
// expansion (one walk of their relationships instead of four), each kept by type in a
// list of its own in the order the walk meets them.
// tests/integration/test_account_subgraph_conditions.py checks it against the full pull.
CALL (a) {
  MATCH (s:Stakeholder)-[w:WORKS_AT]->(a)
  WHERE w.since < $valid_at AND (w.until IS NULL OR w.until >= $valid_at)
    AND (s.left_at IS NULL OR s.left_at >= $valid_at)
  WITH s, collect(w)[0] AS w
  RETURN collect(s) AS people, collect(w.title) AS titles
}
CALL (a, people) {
  UNWIND people AS s
  MATCH (s)-[r:REPORTS_TO|INFLUENCES|HAS_ROLE|CONTROLS]->(x)
  WHERE r.since < $valid_at AND (r.until IS NULL OR r.until >= $valid_at)
  WITH a, s, r, x, type(r) AS kind
  RETURN
    collect(CASE WHEN kind = 'REPORTS_TO' AND x:Stakeholder
                 THEN [s.id, x.id, r.kind, r.strength, null, null] END) AS reports_to,
    collect(CASE WHEN kind = 'INFLUENCES' AND x:Stakeholder
                 THEN [s.id, x.id, r.strength] END) AS influences,
    collect(CASE WHEN kind = 'HAS_ROLE'
                      AND (x = a OR (x:Opportunity AND EXISTS { (x)-[:FOR]->(a) }))
                 THEN [s.id, r.role, CASE WHEN x:Account THEN 'account' ELSE 'opportunity' END,
                       x.id, r.stance, null, null] END) AS roles,
    collect(CASE WHEN kind = 'CONTROLS' AND x:Budget AND EXISTS { (x)-[:OF]->(a) }
                 THEN [s.id, x.id, r.authority] END) AS controls
}
CALL (people) {
  UNWIND people AS s
  MATCH (t:TeamMember)-[k:KNOWS]->(s)
  WHERE k.since < $valid_at AND (k.until IS NULL OR k.until >= $valid_at)
  RETURN collect([t.id, s.id, k.strength, k.last_contact.epochMillis, null, null]) AS knows,
         collect(DISTINCT t) AS knowers
}
CALL (a, knowers) {
  OPTIONAL MATCH (c:TeamMember)-[v:COVERS]->(a)
  WHERE v.since < $valid_at AND (v.until IS NULL OR v.until >= $valid_at)
  WITH knowers, collect(DISTINCT c) AS covering
  UNWIND knowers + [c IN covering WHERE NOT c IN knowers] AS t
  RETURN collect([
    t.id, t.name, t.role,
    CASE
      WHEN t.left_at IS NOT NULL THEN CASE WHEN t.left_at < $valid_at THEN 'left' ELSE 'active' END
      ELSE coalesce(t.status, 'active')
    END,
    t IN covering
  ]) AS team
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
          [people[i].id, people[i].name, titles[i], null,
           CASE WHEN people[i].left_at IS NULL THEN coalesce(people[i].status, 'active')
                ELSE 'active' END,
           null]] AS stakeholders,
       team, knows, influences, reports_to, roles, controls, budgets, opportunities
