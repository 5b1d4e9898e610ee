// A time-bound edge has a `since`, and its `until` (when set) is not before its `since`.
// An edge closed at its own `since` (superseded by a batch older than it, or opened
// after its person's departure) is an empty interval: allowed, never valid as of any date.
MATCH (a)-[r:WORKS_AT|REPORTS_TO|HAS_ROLE|CONTROLS|KNOWS|INFLUENCES|COVERS]->(b)
WHERE r.since IS NULL OR r.until < r.since
RETURN coalesce(toString(a.id), elementId(a)) + ' -' + type(r) + '-> '
         + coalesce(toString(b.id), elementId(b)) AS subject,
       CASE WHEN r.since IS NULL THEN 'no since'
            ELSE 'until ' + toString(r.until) + ' is before since ' + toString(r.since)
       END AS detail
ORDER BY subject
