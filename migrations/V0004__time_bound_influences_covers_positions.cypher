// Issue 11 (docs/graph-conventions.md, "Time-bound relationships"): INFLUENCES and COVERS
// become time-bound, and each WORKS_AT holds the person's position (title, department,
// seniority). Existing data gets what the new writes keep; every statement is a no-op
// the second time.
//
// INFLUENCES: since = the later of the two people's first employment start (neither
// could sway the other before both were there), or 1970-01-01 when neither has one. An influence line of a person who has left closes at
// the earlier departure (never before its since), as a departure now closes it.
MATCH (a:Stakeholder)-[i:INFLUENCES]->(b:Stakeholder)
WHERE i.since IS NULL
WITH a, b, i,
     COLLECT { MATCH (a)-[w:WORKS_AT]->() RETURN min(w.since) }[0] AS a_start,
     COLLECT { MATCH (b)-[w:WORKS_AT]->() RETURN min(w.since) }[0] AS b_start
WITH a, b, i,
     CASE WHEN a_start IS NULL THEN coalesce(b_start, datetime('1970-01-01T00:00:00Z'))
          WHEN b_start IS NULL OR a_start > b_start THEN a_start
          ELSE b_start END AS since,
     CASE WHEN a.left_at IS NULL THEN b.left_at
          WHEN b.left_at IS NULL OR a.left_at < b.left_at THEN a.left_at
          ELSE b.left_at END AS gone
SET i.since = since,
    i.until = CASE WHEN gone IS NULL THEN null WHEN gone < since THEN since ELSE gone END;
// COVERS: a team member who left had their COVERS removed, so every stored one is a
// current assignment of unknown start: 1970-01-01 keeps it valid at every date, as it
// was read before.
MATCH (:TeamMember)-[c:COVERS]->(:Account)
WHERE c.since IS NULL
SET c.since = datetime('1970-01-01T00:00:00Z');
// WORKS_AT: the position known is the node's; every employment edge gets it (before
// this migration no other was kept), so a re-sent batch changes nothing.
MATCH (s:Stakeholder)-[w:WORKS_AT]->(:Account)
WHERE w.title IS NULL AND w.department IS NULL AND w.seniority IS NULL
  AND (s.title IS NOT NULL OR s.department IS NOT NULL OR s.seniority IS NOT NULL)
SET w.title = s.title, w.department = s.department, w.seniority = s.seniority;
