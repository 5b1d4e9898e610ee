// A person who left (status 'left' or left_at set) has no current edge: a stakeholder no
// current WORKS_AT, REPORTS_TO (either way), HAS_ROLE, CONTROLS, INFLUENCES (either way)
// or KNOWS to them; a team member no current KNOWS and no current COVERS
// (docs/graph-conventions.md, "Departure").
MATCH (p)
WHERE (p:Stakeholder OR p:TeamMember) AND (p.status = 'left' OR p.left_at IS NOT NULL)
MATCH (p)-[r]-(o)
WHERE (p:Stakeholder AND r.until IS NULL
       AND (startNode(r) = p AND (r:WORKS_AT OR r:REPORTS_TO OR r:HAS_ROLE OR r:CONTROLS)
            OR startNode(r) = p AND r:INFLUENCES
            OR endNode(r) = p AND (r:REPORTS_TO OR r:KNOWS OR r:INFLUENCES)))
   OR (p:TeamMember AND startNode(r) = p AND r.until IS NULL AND (r:KNOWS OR r:COVERS))
RETURN p.id AS subject,
       'left at ' + coalesce(toString(p.left_at), '?') + ' but has a current ' + type(r)
         + CASE WHEN startNode(r) = p THEN ' to ' ELSE ' from ' END
         + coalesce(toString(o.id), elementId(o)) AS detail
ORDER BY subject, detail
