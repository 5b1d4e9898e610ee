// What an evaluation needs of the watches it locked: the next per-watch sequence
// number and whether events go to a webhook.
UNWIND $ids AS id
MATCH (w:Watch {id: id})
RETURN w.id AS id, coalesce(w.next_seq, 1) AS next_seq,
       w.webhook_url IS NOT NULL AND coalesce(w.webhook_enabled, false) AS webhook
