// How many of the demo's ids are stored, per label, and whether its last step ran
// (`marker`: an interaction id only the demo's last batch stores). $ids maps each label
// to the demo's ids of that label.
OPTIONAL MATCH (a:Account) WHERE a.id IN $ids.Account
WITH count(a) AS accounts
OPTIONAL MATCH (s:Stakeholder) WHERE s.id IN $ids.Stakeholder
WITH accounts, count(s) AS stakeholders
OPTIONAL MATCH (t:TeamMember) WHERE t.id IN $ids.TeamMember
WITH accounts, stakeholders, count(t) AS team_members
OPTIONAL MATCH (b:Budget) WHERE b.id IN $ids.Budget
WITH accounts, stakeholders, team_members, count(b) AS budgets
OPTIONAL MATCH (o:Opportunity) WHERE o.id IN $ids.Opportunity
WITH accounts, stakeholders, team_members, budgets, count(o) AS opportunities
OPTIONAL MATCH (i:Interaction) WHERE i.id IN $ids.Interaction
WITH accounts, stakeholders, team_members, budgets, opportunities, count(i) AS interactions
OPTIONAL MATCH (m:Interaction {id: $marker})
RETURN accounts, stakeholders, team_members, budgets, opportunities, interactions,
       count(m) AS marker
