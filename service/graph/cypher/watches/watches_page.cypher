// One page of watches in id order, seeking the id uniqueness index from the cursor.
// $after is '' for the first page; $limit is one more than the page size so the caller
// can tell whether another page follows. Never the webhook secret.
MATCH (w:Watch)
WHERE w.id > $after
WITH w
ORDER BY w.id
LIMIT $limit
RETURN w.id AS id, w.name AS name, w.created_at AS created_at, w.created_by AS created_by,
       w.scope_kind AS scope_kind, w.account_ids AS account_ids, w.tier AS tier,
       w.conditions AS conditions, w.webhook_url AS webhook_url,
       w.webhook_enabled AS webhook_enabled,
       w.webhook_disabled_reason AS webhook_disabled_reason,
       w.webhook_disabled_at AS webhook_disabled_at
ORDER BY id
