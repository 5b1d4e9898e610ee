// Store the AlertStates an evaluation changed (created when new, for a watch that
// still exists). `id` repeats the key (every node has an id). What every state of the
// evaluation shares travels once: when ($now) and the change sets it came from. Every
// write gives the state a new random revision (`rev`: x.rev, made by the evaluator so
// that it knows the revision of the text it wrote, else a new one here): an evaluation
// re-reads the text of a state only when its revision moved since it read it
// (state_revisions.cypher).
UNWIND $states AS x
MATCH (w:Watch {id: x.watch_id})
MERGE (s:AlertState {key: x.key})
ON CREATE SET s.id = x.key, s.watch_id = x.watch_id, s.account_id = x.account_id
SET s += x.props, s.updated_at = $now, s.change_set_ids = $change_set_ids,
    s.rev = coalesce(x.rev, randomUUID())
