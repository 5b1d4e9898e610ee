// @title Opportunities with no champion
// @description Open opportunities (every stage but closed_won and closed_lost, unless
//   `include_closed`) on which no active stakeholder currently holds the champion
//   role, with the champions they used to have (role ended or person left), the
//   economic buyers of the deal or its account if any, and the closing date. Soonest close first.
// @param account_id: string = null -- Only this account's opportunities (all when empty).
// @param include_closed: boolean = false -- Also list closed (won or lost) opportunities.
// @column opportunity_id: The opportunity's id.
// @column opportunity_name: Its name.
// @column stage: Its stage.
// @column amount: Its amount.
// @column close_date: Its expected close date.
// @column account_id: The account it is for.
// @column account_name: That account's name.
// @column former_champion_ids: People who were its champion before (ids).
// @column economic_buyer_ids: The active economic buyers of the opportunity or of its account (ids).
MATCH (o:Opportunity)-[:FOR]->(a:Account)
  WHERE ($account_id IS NULL OR a.id = $account_id)
    AND ($include_closed OR NOT o.stage IN ['closed_won', 'closed_lost'])
    AND NOT EXISTS {
      MATCH (s:Stakeholder {status: 'active'})-[r:HAS_ROLE {role: 'champion'}]->(o)
        WHERE r.until IS NULL
    }
RETURN o.id AS opportunity_id, o.name AS opportunity_name, o.stage AS stage, o.amount AS amount,
       o.close_date AS close_date, a.id AS account_id, a.name AS account_name,
       COLLECT {
         MATCH (s:Stakeholder)-[:HAS_ROLE {role: 'champion'}]->(o)
         RETURN DISTINCT s.id AS id ORDER BY id
       } AS former_champion_ids,
       COLLECT {
         // Anchored on o and a: an unbound (x) would let the planner scan every node,
         // which the analyst guard refuses.
         UNWIND [o, a] AS x
         MATCH (s:Stakeholder {status: 'active'})-[r:HAS_ROLE {role: 'economic_buyer'}]->(x)
           WHERE r.until IS NULL
         RETURN DISTINCT s.id AS id ORDER BY id
       } AS economic_buyer_ids
ORDER BY close_date, opportunity_id
