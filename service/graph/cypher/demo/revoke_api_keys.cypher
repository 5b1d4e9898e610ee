// Revoke every API key called $name that is not revoked yet.
MATCH (k:ApiKey {name: $name}) WHERE k.revoked_at IS NULL
SET k.revoked_at = datetime()
RETURN count(k) AS revoked
