// Stored team members named by an upload (inactive users, archived owners, deletions).
UNWIND $ids AS team_member_id
MATCH (t:TeamMember {id: team_member_id})
RETURN t.id AS id, t.name AS name, coalesce(t.status, 'active') AS status
