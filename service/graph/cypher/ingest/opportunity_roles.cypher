CYPHER replan=skip
// Buying roles on an Opportunity: one current HAS_ROLE per (stakeholder, target, role); a
// changed stance closes it and opens a new one, never before the closed edges' until (no
// overlap in history). Row: {stakeholder_id, target_id, role, stance}.
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.stakeholder_id})
MATCH (t:Opportunity {id: row.target_id})
SET s._lock = true
REMOVE s._lock
WITH s, t, row
// From the stakeholder's side: an account has thousands of relationships.
OPTIONAL MATCH (s)-[c:HAS_ROLE]->()
WHERE c.role = row.role AND endNode(c) = t
WITH s, t, row, collect(c) AS edges
WITH s, t, row, edges, [c IN edges WHERE c.until IS NULL] AS currents
WITH s, t, row, edges,
     [c IN currents WHERE c.stance <> row.stance] AS stale,
     any(c IN currents WHERE c.stance = row.stance) AS kept
WITH s, t, row, stale, kept,
     reduce(x = $effective_at, c IN edges |
            CASE WHEN coalesce(c.until, c.since) > x THEN coalesce(c.until, c.since) ELSE x END) AS at
FOREACH (c IN stale | SET c.until = at)
// Nothing is opened for a person who has left (a departure committed since validation).
WITH s, t, row, stale, kept OR coalesce(s.status, 'active') = 'left' AS kept, at
FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END |
  CREATE (s)-[:HAS_ROLE {role: row.role, stance: row.stance, since: at,
                       source: $source, source_record_id: row.source_record_id}]->(t))
// `changes`: one flat list of the changed edges, 13 fields each (no-op rows add none):
// type, change, from id, to id, since µs, until µs, 3 identity fields, 2 × (before,
// after) of values changed in place (docs/graph-conventions.md, "Change sets").
WITH count(CASE WHEN NOT kept THEN 1 END) AS created, sum(size(stale)) AS closed,
       collect(CASE WHEN NOT kept OR size(stale) > 0 THEN
         [c IN stale | ['HAS_ROLE', 'closed', s.id, t.id, c.since.epochMillis * 1000 + c.since.microsecond % 1000, at.epochMillis * 1000 + at.microsecond % 1000,
                        c.role, c.stance, 'opportunity', null, null, null, null]]
         + CASE WHEN kept THEN []
                ELSE [['HAS_ROLE', 'opened', s.id, t.id, at.epochMillis * 1000 + at.microsecond % 1000, null,
                       row.role, row.stance, 'opportunity', null, null, null, null]] END
       END) AS per_row
RETURN created, closed, COLLECT { UNWIND per_row AS r UNWIND r AS c UNWIND c AS f RETURN f } AS changes
