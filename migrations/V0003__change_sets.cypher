// The change sets of the writes (docs/graph-conventions.md, "Change sets"): one isolated
// bookkeeping node per committed write that changed something. Looked up by id, read in
// time order (a feed, an outbox), and found by a touched account: account_ids is a
// list, which a range index cannot search by element, so a full-text index with the
// keyword analyzer (each id one exact token) serves `account id IN account_ids`.
CREATE INDEX change_set_id IF NOT EXISTS FOR (n:ChangeSet) ON (n.id);
CREATE INDEX change_set_at IF NOT EXISTS FOR (n:ChangeSet) ON (n.at);
CREATE FULLTEXT INDEX change_set_accounts IF NOT EXISTS
FOR (n:ChangeSet) ON EACH [n.account_ids]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'keyword'}};
