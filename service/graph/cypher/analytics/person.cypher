// Who an id is, for the person-centred analytics (departure impact of one person).
// A stakeholder: their account at $valid_at, else the one they worked at last before
// it (people who left keep belonging to the account they left). A team member: every
// account they cover or where they know someone at $valid_at.
// No row when the id is neither.
CALL () {
  MATCH (s:Stakeholder {id: $person_id})
  OPTIONAL MATCH (s)-[w:WORKS_AT]->(a:Account)
  WHERE w.since < $valid_at
  WITH s, w, a
  ORDER BY CASE WHEN w.until IS NULL OR w.until >= $valid_at THEN 0 ELSE 1 END,
           w.until DESC, w.since DESC
  RETURN 'stakeholder' AS kind, s.name AS name, collect(a.id)[..1] AS account_ids
  UNION
  MATCH (t:TeamMember {id: $person_id})
  CALL (t) {
    CALL (t) {
      MATCH (t)-[v:COVERS]->(a:Account)
      WHERE v.since < $valid_at AND (v.until IS NULL OR v.until >= $valid_at)
      RETURN a
      UNION
      MATCH (t)-[k:KNOWS]->(s:Stakeholder)-[w:WORKS_AT]->(a:Account)
      WHERE k.since < $valid_at AND (k.until IS NULL OR k.until >= $valid_at)
        AND w.since < $valid_at AND (w.until IS NULL OR w.until >= $valid_at)
      RETURN a
    }
    WITH a
    ORDER BY a.id
    RETURN collect(a.id) AS account_ids
  }
  RETURN 'team_member' AS kind, t.name AS name, account_ids
}
RETURN kind, name, account_ids
