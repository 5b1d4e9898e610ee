// Every relationship is one of the model's, between the labels the model gives it
// (docs/graph-conventions.md): the "type" map is type -> [start label, end labels].
MATCH (a)-[r]->(b)
WITH a, r, b,
     {WORKS_AT: [['Stakeholder'], ['Account']],
      REPORTS_TO: [['Stakeholder'], ['Stakeholder']],
      CONTROLS: [['Stakeholder'], ['Budget']],
      HAS_ROLE: [['Stakeholder'], ['Account', 'Opportunity']],
      INFLUENCES: [['Stakeholder'], ['Stakeholder']],
      KNOWS: [['TeamMember'], ['Stakeholder']],
      COVERS: [['TeamMember'], ['Account']],
      OF: [['Budget'], ['Account']],
      FOR: [['Opportunity'], ['Account']],
      WITH: [['Interaction'], ['Stakeholder']],
      ATTENDED: [['TeamMember'], ['Interaction']]}[type(r)] AS ends
WHERE ends IS NULL
   OR NOT any(l IN labels(a) WHERE l IN ends[0])
   OR NOT any(l IN labels(b) WHERE l IN ends[1])
RETURN coalesce(toString(a.id), elementId(a)) + ' -' + type(r) + '-> '
         + coalesce(toString(b.id), elementId(b)) AS subject,
       CASE WHEN ends IS NULL THEN 'relationship type ' + type(r) + ' is not in the model'
            ELSE type(r) + ' from ' + reduce(s = '', l IN labels(a) | s + ':' + l) + ' to '
                 + reduce(s = '', l IN labels(b) | s + ':' + l) + ' is not in the model'
       END AS detail
ORDER BY subject
