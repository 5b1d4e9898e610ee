// A person's status is 'active' or 'left', and left_at is set exactly when they left.
MATCH (p)
WHERE (p:Stakeholder OR p:TeamMember)
  AND (NOT coalesce(p.status, '') IN ['active', 'left']
       OR (p.status = 'left') <> (p.left_at IS NOT NULL))
RETURN p.id AS subject,
       'status ' + coalesce(toString(p.status), 'missing') + ' with left_at '
         + coalesce(toString(p.left_at), 'null') AS detail
ORDER BY subject
