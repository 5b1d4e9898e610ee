// The accounts in a watch's scope: every account ('portfolio'), those of one tier
// ('tier') or those listed that exist ('accounts').
MATCH (a:Account)
WHERE $kind = 'portfolio'
   OR ($kind = 'tier' AND a.tier = $tier)
   OR ($kind = 'accounts' AND a.id IN $account_ids)
RETURN a.id AS id
ORDER BY id
