CYPHER replan=skip
// People (of those just given a solid-line manager) who are now their own solid-line
// ancestor. Validation rejects cycles before writing; this catches one formed by a
// concurrent batch that committed in between, so the transaction can be rolled back.
// Someone on a cycle has a current solid-line report of their own (the cycle's edge into
// them): most people manage no one, and that cheap test spares them the walk up.
UNWIND $ids AS id
MATCH (s:Stakeholder {id: id})
WHERE EXISTS { (s)<-[r:REPORTS_TO]-() WHERE r.kind = 'solid' AND r.until IS NULL }
  AND EXISTS {
    (s) (()-[r:REPORTS_TO]->() WHERE r.kind = 'solid' AND r.until IS NULL)+ (s)
  }
RETURN s.id AS id
ORDER BY id
LIMIT 20
