// One attempt's record (idempotent: the id is made once per attempt) and, when the
// claim is still this worker's, the event's new delivery state. A claim that lapsed and
// was taken by another deliverer leaves the event to that one.
MATCH (e:AlertEvent {id: $event_id})
MERGE (d:WebhookDelivery {id: $delivery_id})
  ON CREATE SET d.event_id = $event_id,
                d.watch_id = $watch_id,
                d.attempt = $attempt,
                d.at = $at,
                d.url = $url,
                d.status_code = $status_code,
                d.error = $error,
                d.duration_ms = $duration_ms,
                d.outcome = $outcome,
                d.next_attempt_at = $next_attempt_at
WITH e, coalesce(e.delivery = 'pending' AND e.claimed_by = $worker_id
                 AND coalesce(e.attempts, 0) = $attempt - 1, false) AS ours
CALL (e, ours) {
  WITH e, ours
  WHERE ours
  SET e.attempts = $attempt,
      e.delivery = $delivery,
      e.next_attempt_at = coalesce($next_attempt_at, e.next_attempt_at),
      e.delivered_at = $delivered_at,
      e.claimed_by = null,
      e.claim_expires_at = null
}
RETURN ours
