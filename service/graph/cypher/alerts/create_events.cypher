// Store an evaluation's events (the outbox and the feed) and advance the sequence. What
// every event of the evaluation shares travels once: its time ($now, also the first
// delivery attempt's), the change sets it came from, no attempt made yet.
UNWIND $events AS e
CREATE (v:AlertEvent)
SET v = e, v.at = $now, v.next_attempt_at = $now, v.attempts = 0,
    v.change_set_ids = $change_set_ids
WITH count(v) AS created
MATCH (q:AlertSequence {name: 'events'})
SET q.value = $last_seq
REMOVE q._lock
RETURN created
