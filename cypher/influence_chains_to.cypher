// @title Influence chains into a stakeholder
// @description Who sways a given stakeholder, directly or through others: every chain of
//   current INFLUENCES edges (up to `max_hops` long, no person twice, active people only)
//   that ends at the stakeholder, with its strength (the product of the edge
//   strengths) and which of our active team members have an active tie to the person
//   at the start of the chain: a way in. Strongest chains first.
// @param stakeholder_id: string required -- The stakeholder the chains lead to.
// @param max_hops: integer = 3 -- The longest chain to report (1 to 4).
// @param min_strength: float = 0.0 -- Leave out chains weaker than this.
// @param theta: float = 0.2 -- Active-tie threshold θ for "we know the source".
// @column source_id: The person at the start of the chain.
// @column source_name: Their name.
// @column hops: The number of influence edges in the chain.
// @column strength: The product of the edge strengths along the chain.
// @column chain_ids: The people along the chain, source first, the stakeholder last.
// @column our_contacts_to_source: Our active team members with an active tie to the source (ids).
// @column path: The chain itself (nodes and relationships).
MATCH path = (source:Stakeholder {status: 'active'})-[:INFLUENCES*1..4]->
             (:Stakeholder {id: $stakeholder_id, status: 'active'})
  WHERE length(path) <= $max_hops
    AND all(n IN nodes(path) WHERE n.status = 'active')
    AND all(r IN relationships(path) WHERE r.until IS NULL)
    AND all(i IN range(0, length(path) - 1) WHERE NOT nodes(path)[i] IN nodes(path)[i + 1..])
WITH path, source,
     reduce(product = 1.0, r IN relationships(path) | product * r.strength) AS strength
  WHERE strength >= $min_strength
RETURN source.id AS source_id, source.name AS source_name, length(path) AS hops, strength,
       [n IN nodes(path) | n.id] AS chain_ids,
       COLLECT {
         MATCH (t:TeamMember {status: 'active'})-[k:KNOWS]->(source)
           WHERE k.until IS NULL AND k.strength >= $theta
         RETURN t.id AS id ORDER BY id
       } AS our_contacts_to_source,
       path
ORDER BY strength DESC, hops, chain_ids
