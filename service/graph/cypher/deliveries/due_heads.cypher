// The head of each watch's outbox (its pending event of lowest watch_seq) when that
// head is due and not claimed (or its claim lapsed), for watches with an enabled
// webhook: in order per watch, a later event waits while an earlier one is pending.
MATCH (e:AlertEvent {delivery: 'pending'})
WITH e.watch_id AS watch_id, min(e.watch_seq) AS head_seq
MATCH (w:Watch {id: watch_id})
WHERE w.webhook_enabled = true AND w.webhook_url IS NOT NULL
MATCH (head:AlertEvent {watch_id: watch_id, watch_seq: head_seq})
WHERE head.delivery = 'pending'
  AND head.next_attempt_at <= $now
  AND (head.claimed_by IS NULL OR head.claim_expires_at IS NULL
       OR head.claim_expires_at <= $now)
RETURN watch_id, head.id AS event_id
ORDER BY head.next_attempt_at, head.seq
LIMIT $limit
