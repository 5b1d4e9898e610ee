// Under the watch's lock: claim the head of its outbox when it is still due and
// unclaimed (or its claim lapsed); returns what the attempt needs, nothing otherwise.
MATCH (w:Watch {id: $watch_id})
WHERE w.webhook_enabled = true AND w.webhook_url IS NOT NULL
MATCH (e:AlertEvent {watch_id: $watch_id, delivery: 'pending'})
WITH w, e
ORDER BY e.watch_seq
LIMIT 1
WITH w, e
WHERE e.next_attempt_at <= $now
  AND (e.claimed_by IS NULL OR e.claim_expires_at IS NULL OR e.claim_expires_at <= $now)
SET e.claimed_by = $worker_id,
    e.claim_expires_at = $claim_expires_at
RETURN e.id AS id, e.type AS type, toString(e.at) AS at, e.watch_id AS watch_id,
       e.account_id AS account_id, e.data AS data, coalesce(e.attempts, 0) AS attempts,
       w.webhook_url AS url, w.webhook_secret AS secret
