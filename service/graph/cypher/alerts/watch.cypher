// One watch (no row when there is none).
MATCH (w:Watch {id: $watch_id})
RETURN w.id AS id, w.scope_kind AS scope_kind, coalesce(w.account_ids, []) AS account_ids,
       w.tier AS tier, w.conditions AS conditions
