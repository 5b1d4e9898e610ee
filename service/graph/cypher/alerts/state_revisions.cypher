// What the evaluation's transaction reads first of the AlertStates among $keys: only
// each one's revision and view time, not its text. A state whose revision is the one
// read before the transaction has the text read then (every write gives a state a new
// random `rev`); the others are read whole (states.cypher). One record holding a list
// of [key, rev, view_at_us] (a key without a state is left out): ≈ 800 small records
// cost the driver and the server more than the index seeks themselves.
UNWIND $keys AS key
MATCH (s:AlertState {key: key})
RETURN collect([key, s.rev, s.view_at_us]) AS revisions
