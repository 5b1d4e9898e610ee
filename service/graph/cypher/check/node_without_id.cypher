// Every node of the model, and every ApiKey, Watch, AlertEvent and WebhookDelivery, has a
// non-empty string id (its external key). Bookkeeping nodes whose label starts with "__"
// (migrations), AlertState (keyed by `key`: watch|account) and AlertSequence (by `name`)
// have keys of their own.
MATCH (n)
WHERE NOT any(l IN labels(n) WHERE l STARTS WITH '__' OR l IN ['AlertState', 'AlertSequence'])
  AND (NOT (n.id IS :: STRING NOT NULL) OR trim(toString(n.id)) = '')
RETURN coalesce(toString(n.id), elementId(n)) AS subject,
       'node ' + reduce(s = '', l IN labels(n) | s + ':' + l) + ' without an id' AS detail
ORDER BY subject
