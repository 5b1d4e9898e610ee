// Claim the change sets claim_lock locked, unless another evaluator claimed (or
// finished) one while this transaction waited for its lock. The claim lapses at
// $expires_at, so a crashed evaluator's change sets are taken up again.
UNWIND $ids AS id
MATCH (c:ChangeSet {id: id})
REMOVE c._lock
WITH c
WHERE c.alerts_pending = true
  AND (c.alerts_claim_expires_at IS NULL OR c.alerts_claim_expires_at <= $now)
SET c.alerts_claimed_by = $claimer, c.alerts_claim_expires_at = $expires_at
RETURN c.id AS id, c.account_ids AS account_ids
ORDER BY c.at, c.id
