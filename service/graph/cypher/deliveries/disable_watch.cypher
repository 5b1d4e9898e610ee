// The receiver answered 410 Gone: the watch's webhook is disabled (the watch and its
// feed stay) and its events still waiting are cancelled.
MATCH (w:Watch {id: $watch_id})
SET w.webhook_enabled = false,
    w.webhook_disabled_reason = $reason,
    w.webhook_disabled_at = $at
WITH w
OPTIONAL MATCH (e:AlertEvent {watch_id: w.id, delivery: 'pending'})
SET e.delivery = 'cancelled',
    e.claimed_by = null,
    e.claim_expires_at = null
RETURN count(e) AS cancelled
