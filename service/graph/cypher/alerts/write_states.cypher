// Store the new AlertStates ($props empty for one left as it was) and release them.
UNWIND $states AS x
MATCH (s:AlertState {key: x.key})
SET s += x.props
REMOVE s._lock
