// The change sets an evaluation stored its events and states for: evaluated.
UNWIND $ids AS id
MATCH (c:ChangeSet {id: id})
REMOVE c.alerts_pending, c.alerts_claimed_by, c.alerts_claim_expires_at
