// The stored interactions an upload names, to tell an interaction row that would change
// nothing (service/domain/sync/unchanged.py): kind, time (µs since the epoch, exact:
// written from ISO-8601 text of at most µs precision), provenance, and participants.
UNWIND $ids AS interaction_id
MATCH (i:Interaction {id: interaction_id})
RETURN i.id AS id, i.kind AS kind, i.source AS source,
       i.at.epochSeconds * 1000000 + i.at.nanosecond / 1000 AS at_us,
       i.at.nanosecond % 1000 = 0 AS whole_us,
       COLLECT { MATCH (t:TeamMember)-[:ATTENDED]->(i) RETURN t.id } AS team_member_ids,
       COLLECT { MATCH (i)-[:WITH]->(p:Stakeholder) RETURN p.id } AS stakeholder_ids
