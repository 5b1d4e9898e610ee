// The events feed of one watch: up to $limit of its events after the global sequence
// number $after, in sequence order. A watch's events are sought by the (watch_id,
// watch_seq) index; its watch_seq grows with seq, both taken in commit order.
MATCH (e:AlertEvent)
WHERE e.watch_id = $watch_id AND e.seq > $after
WITH e
ORDER BY e.seq
LIMIT $limit
RETURN e.id AS id, e.seq AS seq, e.type AS type, e.at AS at, e.watch_id AS watch_id,
       e.account_id AS account_id, e.data AS data, e.delivery AS delivery
ORDER BY seq
