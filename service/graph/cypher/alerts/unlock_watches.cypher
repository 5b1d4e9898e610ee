// Release the watches, with their next per-watch sequence numbers.
UNWIND $watches AS x
MATCH (w:Watch {id: x.id})
SET w.next_seq = x.next_seq
REMOVE w._lock
