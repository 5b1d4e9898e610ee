// No cycle of current solid reporting lines: nobody is their own solid-line ancestor.
// One row per cycle, named by its smallest member id.
MATCH (s:Stakeholder)
WHERE EXISTS { (s)<-[r:REPORTS_TO]-() WHERE r.kind = 'solid' AND r.until IS NULL }
MATCH path = (s) (()-[r:REPORTS_TO]->() WHERE r.kind = 'solid' AND r.until IS NULL)+ (s)
WITH [n IN nodes(path) | coalesce(toString(n.id), elementId(n))] AS members
WITH members, reduce(m = head(members), x IN members | CASE WHEN x < m THEN x ELSE m END)
       AS first
WHERE head(members) = first
RETURN first AS subject,
       'solid reporting cycle ' + reduce(s = '', x IN members |
         s + CASE WHEN s = '' THEN '' ELSE ' -> ' END + x) AS detail
ORDER BY subject
