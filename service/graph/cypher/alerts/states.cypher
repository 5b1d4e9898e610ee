// The stored AlertStates among $keys (watch id + '|' + account id).
UNWIND $keys AS key
MATCH (s:AlertState {key: key})
RETURN s.key AS key, s.state AS state, s.view_at AS view_at
