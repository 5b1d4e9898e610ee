// Watches, alerts and webhook deliveries (docs/alerts.md): isolated bookkeeping nodes,
// never visible to analysts. Looked up by id; the outbox is read per watch in order and
// the feed in global sequence order; the evaluator finds change sets not yet evaluated.
CREATE CONSTRAINT watch_id IF NOT EXISTS FOR (n:Watch) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT alert_state_key IF NOT EXISTS FOR (n:AlertState) REQUIRE n.key IS UNIQUE;
CREATE INDEX alert_state_account IF NOT EXISTS FOR (n:AlertState) ON (n.account_id);
CREATE INDEX alert_state_watch IF NOT EXISTS FOR (n:AlertState) ON (n.watch_id);
CREATE CONSTRAINT alert_event_id IF NOT EXISTS FOR (n:AlertEvent) REQUIRE n.id IS UNIQUE;
CREATE INDEX alert_event_seq IF NOT EXISTS FOR (n:AlertEvent) ON (n.seq);
CREATE INDEX alert_event_watch IF NOT EXISTS FOR (n:AlertEvent) ON (n.watch_id, n.watch_seq);
CREATE INDEX alert_event_delivery IF NOT EXISTS FOR (n:AlertEvent) ON (n.delivery);
CREATE CONSTRAINT webhook_delivery_id IF NOT EXISTS FOR (n:WebhookDelivery) REQUIRE n.id IS UNIQUE;
CREATE INDEX webhook_delivery_watch IF NOT EXISTS FOR (n:WebhookDelivery) ON (n.watch_id, n.at);
CREATE CONSTRAINT alert_sequence_name IF NOT EXISTS FOR (n:AlertSequence) REQUIRE n.name IS UNIQUE;
CREATE INDEX change_set_alerts_pending IF NOT EXISTS FOR (n:ChangeSet) ON (n.alerts_pending);
