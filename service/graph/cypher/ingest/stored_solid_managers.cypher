CYPHER replan=skip
// The current solid-line manager of every stored person on the chains above the given
// people (themselves included): what a batch's new solid lines could close a cycle with.
UNWIND $ids AS id
MATCH (p:Stakeholder {id: id})
MATCH (p) (()-[r:REPORTS_TO]->() WHERE r.kind = 'solid' AND r.until IS NULL)* (a:Stakeholder)
MATCH (a)-[m:REPORTS_TO]->(boss:Stakeholder)
WHERE m.kind = 'solid' AND m.until IS NULL
RETURN DISTINCT a.id AS id, boss.id AS manager
