// One of our team members leaves: status 'left', left_at, their current KNOWS closed at
// left_at (history kept), and their COVERS removed: COVERS has no history by convention
// and means "is on the account team now". Returns the accounts they covered.
MATCH (t:TeamMember {id: $id})
SET t._lock = true
REMOVE t._lock
WITH t, coalesce(t.status = 'left', false) AS already
WITH t, already, CASE WHEN already THEN coalesce(t.left_at, $left_at) ELSE $left_at END AS left_at
SET t.status = 'left', t.left_at = left_at,
    t.updated_at = CASE WHEN already THEN t.updated_at ELSE $now END
WITH t, already, left_at
OPTIONAL MATCH (t)-[k:KNOWS]->()
WHERE k.until IS NULL
WITH t, already, left_at, collect(k) AS open
FOREACH (k IN open | SET k.until = CASE WHEN k.since > left_at THEN k.since ELSE left_at END)
WITH t, already, left_at, size(open) AS closed,
     [k IN open | ['KNOWS', 'closed', t.id, endNode(k).id, k.since.epochSeconds * 1000000 + k.since.microsecond, k.until.epochSeconds * 1000000 + k.until.microsecond,
                   k.source, k.strength, null, null, null, null, null]] AS ended
OPTIONAL MATCH (t)-[c:COVERS]->(a:Account)
WITH t, already, left_at, closed, ended, collect(c) AS covers, collect(a.id) AS accounts,
     collect(CASE WHEN c IS NOT NULL
                  THEN ['COVERS', 'closed', t.id, a.id, null, null, c.role, null, null, null, null, null, null] END) AS removed
FOREACH (c IN covers | DELETE c)
// `changes`: the edges closed or removed, as in the batch statements
// (docs/graph-conventions.md, "Change sets"), one list of 13 fields each.
RETURN t.id AS id, left_at, already, closed, accounts AS uncovered, ended + removed AS changes
