// The stored interactions an upload names, to tell an interaction row that would change
// nothing (service/domain/sync/unchanged.py): each one's signature — kind, time in µs
// since the epoch, the sorted team members and stakeholders it joins — as
// `interaction_signature` builds it for a row. Interactions without provenance or with a
// time finer than a µs have none (always written). ONE row: `ids` and `signatures`,
// flat lists (cheap for the client to decode).
UNWIND $ids AS interaction_id
MATCH (i:Interaction {id: interaction_id})
WHERE i.source IS NOT NULL AND i.at.nanosecond % 1000 = 0
WITH i,
     COLLECT { MATCH (t:TeamMember)-[:ATTENDED]->(i) RETURN DISTINCT t.id AS id ORDER BY id }
       AS members,
     COLLECT { MATCH (i)-[:WITH]->(p:Stakeholder) RETURN DISTINCT p.id AS id ORDER BY id }
       AS people
RETURN collect(i.id) AS ids,
       collect(i.kind + '|' + toString(i.at.epochMillis * 1000 + i.at.microsecond % 1000)
               + '|' + reduce(text = '', x IN members | text + ',' + x)
               + '|' + reduce(text = '', x IN people | text + ',' + x)) AS signatures
