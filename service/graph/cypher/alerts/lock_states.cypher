// Write-lock (creating them when new) the AlertStates of an evaluation, in key order,
// for watches that still exist. `id` repeats the key (every node has an id).
UNWIND $states AS k
MATCH (w:Watch {id: k.watch_id})
MERGE (s:AlertState {key: k.key})
ON CREATE SET s.id = k.key, s.watch_id = k.watch_id, s.account_id = k.account_id
SET s._lock = true
RETURN s.key AS key
