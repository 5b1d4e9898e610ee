// Write-lock the watches an evaluation stores events and states for (in id order; the
// watch API and the deliverer lock a watch first too). A deleted watch has no row.
UNWIND $ids AS id
MATCH (w:Watch {id: id})
SET w._lock = true
RETURN w.id AS id
