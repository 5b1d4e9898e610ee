// Delete every API key called $name (the demo's keys, on `seed-demo --reset`).
MATCH (k:ApiKey {name: $name}) DETACH DELETE k RETURN count(*) AS removed
