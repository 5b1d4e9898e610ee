// The intervals of one edge identity (see several_current) never overlap: two edges
// overlap when some instant lies in both, max(since) < min(until), an open until being
// the future. Pairs of two current edges are several_current's; empty intervals (until =
// since) contain no instant.
MATCH (a)-[r:WORKS_AT|REPORTS_TO|HAS_ROLE|CONTROLS|KNOWS|INFLUENCES|COVERS]->(b)
WHERE r.since IS NOT NULL
WITH a, b, r,
     CASE
       WHEN r:WORKS_AT THEN ['WORKS_AT']
       WHEN r:REPORTS_TO AND r.kind = 'solid' THEN ['REPORTS_TO solid']
       WHEN r:REPORTS_TO THEN ['REPORTS_TO dotted', elementId(b)]
       WHEN r:HAS_ROLE THEN ['HAS_ROLE ' + coalesce(r.role, '?'), elementId(b)]
       ELSE [type(r), elementId(b)]
     END AS identity
WITH a, identity,
     collect({target: coalesce(toString(b.id), elementId(b)), since: r.since,
              until: r.until, key: elementId(r)}) AS edges
WHERE size(edges) > 1
UNWIND edges AS x
UNWIND edges AS y
WITH a, identity, x, y
WHERE x.key < y.key
  AND NOT (x.until IS NULL AND y.until IS NULL)
  AND (x.until IS NULL OR x.since < x.until AND y.since < x.until)
  AND (y.until IS NULL OR y.since < y.until AND x.since < y.until)
WITH a, identity,
     CASE WHEN x.since <= y.since THEN [x, y] ELSE [y, x] END AS pair
RETURN coalesce(toString(a.id), elementId(a)) AS subject,
       identity[0] + ' to ' + pair[0].target + ' [' + toString(pair[0].since) + ', '
         + coalesce(toString(pair[0].until), 'now') + ') overlaps ' + pair[1].target + ' ['
         + toString(pair[1].since) + ', ' + coalesce(toString(pair[1].until), 'now') + ')'
         AS detail
ORDER BY subject, detail
