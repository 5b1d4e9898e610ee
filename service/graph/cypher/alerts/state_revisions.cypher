// What the evaluation's transaction reads first of the AlertStates among $keys: only
// each one's revision and view time, not its text. A state whose revision is the one
// read before the transaction has the text read then (every write gives a state a new
// random `rev`); the others are read whole (states.cypher).
UNWIND $keys AS key
MATCH (s:AlertState {key: key})
RETURN key, s.rev AS rev, s.view_at_us AS view_at_us
