// Every watch, with what the evaluator needs to know which accounts it covers and
// what it evaluates there.
MATCH (w:Watch)
RETURN w.id AS id, w.scope_kind AS scope_kind, coalesce(w.account_ids, []) AS account_ids,
       w.tier AS tier, w.conditions AS conditions
ORDER BY id
