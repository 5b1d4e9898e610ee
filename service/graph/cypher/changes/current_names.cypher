// The current names of the people a page of the changes feed names whose change set
// does not carry their name: stakeholders and team members by id (each an index seek).
// A person no longer stored has no row.
UNWIND $stakeholder_ids AS id
MATCH (s:Stakeholder {id: id})
RETURN 'Stakeholder' AS label, s.id AS id, s.name AS name
UNION ALL
UNWIND $team_member_ids AS id
MATCH (t:TeamMember {id: id})
RETURN 'TeamMember' AS label, t.id AS id, t.name AS name
