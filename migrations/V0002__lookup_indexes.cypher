// Indexes for the lookups the API makes besides id: account lists filtered by tier,
// stakeholders by status, people by email, and the history filters on time-bound edges.
CREATE INDEX account_tier IF NOT EXISTS FOR (n:Account) ON (n.tier, n.id);
CREATE INDEX stakeholder_status IF NOT EXISTS FOR (n:Stakeholder) ON (n.status);
CREATE INDEX stakeholder_email IF NOT EXISTS FOR (n:Stakeholder) ON (n.email);
CREATE INDEX team_member_email IF NOT EXISTS FOR (n:TeamMember) ON (n.email);
CREATE INDEX interaction_at IF NOT EXISTS FOR (n:Interaction) ON (n.at);
CREATE INDEX works_at_until IF NOT EXISTS FOR ()-[r:WORKS_AT]-() ON (r.until);
CREATE INDEX reports_to_until IF NOT EXISTS FOR ()-[r:REPORTS_TO]-() ON (r.until);
CREATE INDEX knows_until IF NOT EXISTS FOR ()-[r:KNOWS]-() ON (r.until);
CREATE INDEX has_role_until IF NOT EXISTS FOR ()-[r:HAS_ROLE]-() ON (r.until);
CREATE INDEX controls_until IF NOT EXISTS FOR ()-[r:CONTROLS]-() ON (r.until);
