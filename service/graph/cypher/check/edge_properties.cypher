// The properties that say what a model edge is: REPORTS_TO kind is 'solid' or 'dotted',
// KNOWS source is 'explicit' or 'interactions', HAS_ROLE has a role, CONTROLS an authority.
MATCH (a)-[r:REPORTS_TO|KNOWS|HAS_ROLE|CONTROLS]->(b)
WHERE r:REPORTS_TO AND NOT coalesce(r.kind, '') IN ['solid', 'dotted']
   OR r:KNOWS AND NOT coalesce(r.source, '') IN ['explicit', 'interactions']
   OR r:HAS_ROLE AND r.role IS NULL
   OR r:CONTROLS AND r.authority IS NULL
RETURN coalesce(toString(a.id), elementId(a)) + ' -' + type(r) + '-> '
         + coalesce(toString(b.id), elementId(b)) AS subject,
       CASE type(r)
         WHEN 'REPORTS_TO' THEN 'kind ' + coalesce(toString(r.kind), 'missing')
         WHEN 'KNOWS' THEN 'source ' + coalesce(toString(r.source), 'missing')
         WHEN 'HAS_ROLE' THEN 'no role'
         ELSE 'no authority'
       END AS detail
ORDER BY subject
