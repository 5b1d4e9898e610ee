// One event by id (the webhook-id of its deliveries).
MATCH (e:AlertEvent {id: $id})
RETURN e.id AS id, e.seq AS seq, e.type AS type, e.at AS at, e.watch_id AS watch_id,
       e.account_id AS account_id, e.data AS data, e.delivery AS delivery
