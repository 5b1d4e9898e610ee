// The stored AlertStates among $keys (watch id + '|' + account id), those with the same
// state text (and view time) together: watches with the same conditions usually hold
// the same state for an account, and the text travels once. Each key comes with its
// state's revision (`rev`: a new random one at every write, none on a state written
// before revisions were kept). One record holding a list of [state, view_at_us,
// [[key, rev], …]]: hundreds of records cost the driver and the server more than the
// reads themselves (state_revisions.cypher).
UNWIND $keys AS key
MATCH (s:AlertState {key: key})
WITH s.state AS state, s.view_at_us AS view_at_us, collect([s.key, s.rev]) AS keys
RETURN collect([state, view_at_us, keys]) AS states
