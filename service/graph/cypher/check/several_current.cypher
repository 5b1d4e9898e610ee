// At most one current edge (until IS NULL) per edge identity (docs/graph-conventions.md):
// WORKS_AT and solid REPORTS_TO per stakeholder (one employer, one solid-line manager),
// dotted REPORTS_TO per (stakeholder, manager), HAS_ROLE per (stakeholder, target, role),
// CONTROLS per (stakeholder, budget), KNOWS per (team member, stakeholder), any source,
// INFLUENCES per (from, to), COVERS per (team member, account).
MATCH (a)-[r:WORKS_AT|REPORTS_TO|HAS_ROLE|CONTROLS|KNOWS|INFLUENCES|COVERS]->(b)
WHERE r.until IS NULL
WITH a, b, r,
     CASE
       WHEN r:WORKS_AT THEN ['WORKS_AT']
       WHEN r:REPORTS_TO AND r.kind = 'solid' THEN ['REPORTS_TO solid']
       WHEN r:REPORTS_TO THEN ['REPORTS_TO dotted', elementId(b)]
       WHEN r:HAS_ROLE THEN ['HAS_ROLE ' + coalesce(r.role, '?'), elementId(b)]
       ELSE [type(r), elementId(b)]
     END AS identity
WITH a, identity, collect(coalesce(toString(b.id), elementId(b))) AS targets
WHERE size(targets) > 1
RETURN coalesce(toString(a.id), elementId(a)) AS subject,
       toString(size(targets)) + ' current ' + identity[0] + ' edges (to '
         + reduce(s = '', t IN targets | s + CASE WHEN s = '' THEN '' ELSE ', ' END + t)
         + ')' AS detail
ORDER BY subject, detail
