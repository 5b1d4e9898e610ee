// Provenance (docs/graph-conventions.md, "Provenance"): every model node and every
// time-bound edge records the `source` of the write that created or opened it. Data
// written before this migration came through the generic batch, the departure routes,
// `powermap import` or the demo seed, which cannot be told apart any more: it all
// becomes `api`. A tie's old `source` 'explicit' (a strength given in a batch) becomes
// `api` too; 'interactions' (derived) stays. No `source_record_id` is invented.
// Idempotent: only what has no source (or the old 'explicit') is touched.
MATCH (n:Account|Stakeholder|TeamMember|Budget|Opportunity|Interaction)
WHERE n.source IS NULL
SET n.source = 'api';
MATCH ()-[r:WORKS_AT|REPORTS_TO|HAS_ROLE|CONTROLS|INFLUENCES|COVERS]->()
WHERE r.source IS NULL
SET r.source = 'api';
MATCH ()-[r:KNOWS]->()
WHERE r.source IS NULL OR r.source = 'explicit'
SET r.source = 'api';
