// A new watch: an isolated bookkeeping node (no relationship, never visible to
// analysts; docs/alerts.md). The properties are built by service/graph/watches.py;
// created_at is the transaction's clock.
CREATE (w:Watch)
SET w = $props, w.created_at = datetime()
RETURN w.created_at AS created_at
