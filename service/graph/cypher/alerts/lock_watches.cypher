// Write-lock the watches an evaluation stores events and states for (in id order; the
// watch API and the deliverer lock a watch first too). While an evaluation holds its
// watches, no other evaluation reads or writes their AlertStates or numbers their
// events. A deleted watch has no row.
UNWIND $ids AS id
MATCH (w:Watch {id: id})
SET w._lock = true
RETURN w.id AS id
