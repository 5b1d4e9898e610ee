CYPHER replan=skip
// The team members who attended an interaction. Row: {id, team_member_ids}, the complete
// list: links to others are removed, missing ones created. Returns which interactions
// changed and whom they lost, so the ties of those pairs are recomputed too.
UNWIND $rows AS row
MATCH (i:Interaction {id: row.id})
OPTIONAL MATCH (t:TeamMember)-[a:ATTENDED]->(i)
WITH i, row, collect(a) AS links, collect(t.id) AS linked_ids
WITH i, row,
     [a IN links WHERE NOT startNode(a).id IN row.team_member_ids] AS stale,
     [x IN row.team_member_ids WHERE NOT x IN linked_ids] AS added
WITH i, stale, added, [a IN stale | startNode(a).id] AS removed_ids
FOREACH (a IN stale | DELETE a)
WITH i, added, removed_ids
CALL (i, added) {
  UNWIND added AS team_member_id
  MATCH (t:TeamMember {id: team_member_id})
  CREATE (t)-[:ATTENDED]->(i)
  RETURN count(*) AS created
}
RETURN sum(created) AS created, sum(size(removed_ids)) AS removed,
       collect(CASE WHEN created > 0 OR size(removed_ids) > 0
                    THEN {id: i.id, removed: removed_ids} END) AS changes
