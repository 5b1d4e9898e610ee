// The events feed: up to $limit events after the global sequence number $after, in
// sequence order (the seq range index provides the order; the seek stops after $limit).
MATCH (e:AlertEvent)
WHERE e.seq > $after
WITH e
ORDER BY e.seq
LIMIT $limit
RETURN e.id AS id, e.seq AS seq, e.type AS type, e.at AS at, e.watch_id AS watch_id,
       e.account_id AS account_id, e.data AS data, e.delivery AS delivery
ORDER BY seq
