// One team member with the accounts they cover and their current relationships, each
// relationship with the stakeholder's current employer. No row when the id is unknown.
MATCH (t:TeamMember {id: $team_member_id})
RETURN t {.id, .name, .email, .role, .left_at, .updated_at,
          status: coalesce(t.status, 'active')} AS member,
       COLLECT {
         MATCH (t)-[c:COVERS]->(a:Account)
         WHERE c.until IS NULL
         WITH c, a
         ORDER BY a.id
         RETURN {account_id: a.id, account_name: a.name, tier: a.tier, role: c.role}
       } AS accounts,
       COLLECT {
         MATCH (t)-[k:KNOWS]->(s:Stakeholder)
         WHERE k.until IS NULL
         OPTIONAL MATCH (s)-[w:WORKS_AT]->(a:Account)
         WHERE w.until IS NULL
         WITH k, s, a
         ORDER BY s.id, a.id
         RETURN {stakeholder_id: s.id, stakeholder_name: s.name, account_id: a.id,
                 account_name: a.name, strength: k.strength, source: k.source,
                 source_record_id: k.source_record_id,
                 last_contact: k.last_contact, since: k.since}
       } AS relationships
