// The global event sequence, write-locked: event writers take their numbers one
// transaction after the other, so `seq` grows in commit order.
MERGE (q:AlertSequence {name: 'events'})
ON CREATE SET q.id = 'alert-sequence:events', q.value = 0
SET q._lock = true
