// @title Accounts with no active tie to an economic buyer
// @description Accounts where none of our active team members holds an active
//   relationship (strength at least θ) to any current economic buyer — either because
//   no economic buyer is known at all, or because every known one is dark to us.
//   An economic buyer is an active stakeholder with a current economic_buyer role on the
//   account or on one of its opportunities. Strategic accounts first.
// @param theta: float = 0.2 -- Active-tie threshold θ: a relationship counts when its strength is at least θ.
// @param tier: string = null -- Only accounts of this tier: strategic, key or standard (all when empty).
// @column account_id: The account's id.
// @column account_name: The account's name.
// @column tier: The account's tier.
// @column reason: no_economic_buyer_known or no_active_tie.
// @column economic_buyer_ids: The account's current economic buyers (ids).
// @column best_tie_strength: Our strongest current relationship to any of them, below θ (empty when none).
MATCH (a:Account)
  WHERE $tier IS NULL OR a.tier = $tier
CALL (a) {
  OPTIONAL MATCH (eb:Stakeholder {status: 'active'})-[r:HAS_ROLE {role: 'economic_buyer'}]->(target)
    WHERE r.until IS NULL AND (target = a OR (target:Opportunity AND (target)-[:FOR]->(a)))
  RETURN collect(DISTINCT eb) AS buyers
}
CALL (buyers) {
  UNWIND buyers AS eb
  MATCH (t:TeamMember {status: 'active'})-[k:KNOWS]->(eb)
    WHERE k.until IS NULL
  RETURN max(k.strength) AS best
}
WITH a, buyers, best
  WHERE best IS NULL OR best < $theta
RETURN a.id AS account_id, a.name AS account_name, a.tier AS tier,
       CASE WHEN size(buyers) = 0 THEN 'no_economic_buyer_known' ELSE 'no_active_tie' END AS reason,
       COLLECT { UNWIND buyers AS eb RETURN eb.id AS id ORDER BY id } AS economic_buyer_ids,
       best AS best_tie_strength
ORDER BY CASE tier WHEN 'strategic' THEN 0 WHEN 'key' THEN 1 ELSE 2 END, account_id
