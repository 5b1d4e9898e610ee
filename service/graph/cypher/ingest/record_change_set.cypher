CYPHER replan=skip
// One write's change set, recorded in the write's own transaction: an isolated
// bookkeeping node (no relationship, never visible to analysts; docs/graph-conventions.md,
// "Change sets"). The properties are built by service/graph/ingest.py.
CREATE (c:ChangeSet)
SET c = $props
