// The last event sequence number given (read after lock_sequence).
MATCH (q:AlertSequence {name: 'events'})
RETURN q.value AS value
