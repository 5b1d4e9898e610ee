// One watch by id, without its webhook secret (the secret never leaves the graph on a
// read: only the deliverer reads it, in its own query).
MATCH (w:Watch {id: $id})
RETURN w.id AS id, w.name AS name, w.created_at AS created_at, w.created_by AS created_by,
       w.scope_kind AS scope_kind, w.account_ids AS account_ids, w.tier AS tier,
       w.conditions AS conditions, w.webhook_url AS webhook_url,
       w.webhook_enabled AS webhook_enabled,
       w.webhook_disabled_reason AS webhook_disabled_reason,
       w.webhook_disabled_at AS webhook_disabled_at
