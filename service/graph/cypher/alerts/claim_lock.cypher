// The oldest change sets not yet evaluated for the watches (docs/alerts.md) that nobody
// holds a live claim on, write-locked (the transient `_lock`, removed by
// claim_change_sets in the same transaction) so that the claim that follows reads their
// latest committed state: two evaluators never both claim one.
MATCH (c:ChangeSet)
WHERE c.alerts_pending = true
  AND (c.alerts_claim_expires_at IS NULL OR c.alerts_claim_expires_at <= $now)
WITH c
ORDER BY c.at, c.id
LIMIT $limit
SET c._lock = true
RETURN c.id AS id
