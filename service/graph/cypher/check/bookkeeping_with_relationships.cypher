// Nodes outside the model (ApiKey, __Migration, __MigrationLock, any other bookkeeping
// or unknown label) stand alone: no relationship touches them.
MATCH (n)
WHERE NOT (n:Account OR n:Stakeholder OR n:TeamMember OR n:Budget OR n:Opportunity
           OR n:Interaction)
  AND EXISTS { (n)--() }
RETURN coalesce(toString(n.id), elementId(n)) AS subject,
       'bookkeeping node ' + reduce(s = '', l IN labels(n) | s + ':' + l) + ' has '
         + toString(COUNT { (n)--() }) + ' relationship(s)' AS detail
ORDER BY subject
