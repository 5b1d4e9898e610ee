// One page of a watch's delivery attempts, newest first: (at, id) descending, after the
// cursor's ($before_at, $before_id) when one is given. Sought by the (watch_id, at)
// index; $limit is one more than the page size.
MATCH (d:WebhookDelivery)
WHERE d.watch_id = $watch_id
  AND ($before_at IS NULL OR d.at < $before_at OR (d.at = $before_at AND d.id < $before_id))
WITH d
ORDER BY d.at DESC, d.id DESC
LIMIT $limit
RETURN d.id AS id, d.event_id AS event_id, d.attempt AS attempt, d.at AS at,
       d.status_code AS status_code, d.error AS error, d.duration_ms AS duration_ms,
       d.outcome AS outcome, d.next_attempt_at AS next_attempt_at
ORDER BY at DESC, id DESC
