// The properties that say what a model edge is: REPORTS_TO kind is 'solid' or 'dotted',
// HAS_ROLE has a role, CONTROLS an authority, KNOWS a source: 'interactions' (derived)
// or the source of the write that opened it; any other time-bound edge's source, when
// set, is a write's source (docs/graph-conventions.md, "Provenance").
MATCH (a)-[r:REPORTS_TO|KNOWS|HAS_ROLE|CONTROLS|WORKS_AT|INFLUENCES|COVERS]->(b)
WHERE r:REPORTS_TO AND NOT coalesce(r.kind, '') IN ['solid', 'dotted']
   OR r:KNOWS
      AND NOT coalesce(r.source, '') IN ['api', 'salesforce', 'hubspot', 'demo', 'interactions']
   OR NOT r:KNOWS AND r.source IS NOT NULL
      AND NOT r.source IN ['api', 'salesforce', 'hubspot', 'demo']
   OR r:HAS_ROLE AND r.role IS NULL
   OR r:CONTROLS AND r.authority IS NULL
RETURN coalesce(toString(a.id), elementId(a)) + ' -' + type(r) + '-> '
         + coalesce(toString(b.id), elementId(b)) AS subject,
       CASE
         WHEN r:REPORTS_TO AND NOT coalesce(r.kind, '') IN ['solid', 'dotted']
           THEN 'kind ' + coalesce(toString(r.kind), 'missing')
         WHEN r:HAS_ROLE AND r.role IS NULL THEN 'no role'
         WHEN r:CONTROLS AND r.authority IS NULL THEN 'no authority'
         ELSE 'source ' + coalesce(toString(r.source), 'missing')
       END AS detail
ORDER BY subject
