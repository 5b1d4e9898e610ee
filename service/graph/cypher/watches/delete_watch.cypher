// Delete a watch in one transaction: take the Watch node's write lock first (the
// deliverer and the evaluator take it before touching the watch's events, so neither
// interleaves), cancel its events still waiting for delivery (they stay in the feed),
// remove what the evaluator remembered of it (its AlertStates), then the watch itself.
// No row when there is no such watch.
MATCH (w:Watch {id: $id})
SET w._lock = true
REMOVE w._lock
WITH w
CALL (w) {
  MATCH (e:AlertEvent {watch_id: w.id})
  WHERE e.delivery = 'pending'
  SET e.delivery = 'cancelled', e.claimed_by = null, e.claim_expires_at = null
  RETURN count(e) AS cancelled
}
CALL (w) {
  MATCH (s:AlertState {watch_id: w.id})
  DELETE s
  RETURN count(s) AS states
}
DELETE w
RETURN cancelled, states
