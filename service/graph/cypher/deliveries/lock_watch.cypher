// Takes the watch's write lock for the rest of the transaction (the transient _lock is
// never committed): claims and outcomes of one watch's deliveries are serialised, so the
// statements after this one read the committed state no other deliverer is changing.
MATCH (w:Watch {id: $watch_id})
SET w._lock = true
REMOVE w._lock
RETURN w.id AS id
