// Whether a watch with this id is stored: one row, `exists`.
OPTIONAL MATCH (w:Watch {id: $id})
RETURN w IS NOT NULL AS exists
