// Store an evaluation's events (the outbox and the feed) and advance the sequence.
UNWIND $events AS e
CREATE (v:AlertEvent)
SET v = e
WITH count(v) AS created
MATCH (q:AlertSequence {name: 'events'})
SET q.value = $last_seq
REMOVE q._lock
RETURN created
