// One stakeholder with everything around them now, their employment history and their
// positions (title, department, seniority: each employment edge holds one).
// No row when the id is unknown. Lists are ordered for a stable output.
// Every item of a list names the account it belongs to (`account_id`), so a caller
// limited to one account sees only that account's part (service/domain/account_scope.py):
// an employment its account, a role its target's account, a budget its account, another
// person their home account (the current employer, else the latest one).
// Another person's home account is looked up only when `$scoped` (a caller limited to one
// account: the only use of those `account_id`s, which the answer does not show); an API
// key's read leaves them null and spares the server those sorts.
// Every edge item says where it came from: `source` and `source_record_id` of the edge
// (docs/graph-conventions.md, "Provenance"); the person those of the node.
// Times (`since`, `until`, `left_at`, `updated_at`, `last_contact`) held as UTC DateTimes
// (every time the service writes) come as one integer, microseconds since the epoch
// (`t.epochMillis * 1000 + t.microsecond % 1000`: `epochMillis` is rounded down, as a
// time before 1970 needs, where `epochSeconds` is not), which service/graph/values.py
// (`to_native_utc_micros`) turns into the datetime the driver would have given, at a
// fraction of the driver's cost of decoding a DateTime; any other value (another offset,
// a Date written by hand) comes as itself.
MATCH (s:Stakeholder {id: $stakeholder_id})
RETURN s {.id, .name, .title, .email, .department, .seniority,
          left_at: CASE WHEN s.left_at IS :: ZONED DATETIME NOT NULL AND s.left_at.offsetSeconds = 0
                     THEN s.left_at.epochMillis * 1000 + s.left_at.microsecond % 1000
                     ELSE s.left_at END,
          updated_at: CASE WHEN s.updated_at IS :: ZONED DATETIME NOT NULL AND s.updated_at.offsetSeconds = 0
                        THEN s.updated_at.epochMillis * 1000 + s.updated_at.microsecond % 1000
                        ELSE s.updated_at END,
          .source, .source_record_id, status: coalesce(s.status, 'active')} AS person,
       COLLECT {
         MATCH (s)-[w:WORKS_AT]->(a:Account)
         WITH w, a
         ORDER BY w.since, a.id
         RETURN {account_id: a.id, account_name: a.name,
                 since: CASE WHEN w.since IS :: ZONED DATETIME NOT NULL AND w.since.offsetSeconds = 0
                          THEN w.since.epochMillis * 1000 + w.since.microsecond % 1000
                          ELSE w.since END,
                 until: CASE WHEN w.until IS :: ZONED DATETIME NOT NULL AND w.until.offsetSeconds = 0
                          THEN w.until.epochMillis * 1000 + w.until.microsecond % 1000
                          ELSE w.until END,
                 source: w.source, source_record_id: w.source_record_id}
       } AS employment,
       COLLECT {
         MATCH (s)-[w:WORKS_AT]->(a:Account)
         WHERE w.until IS NULL OR w.until > w.since
         WITH w, a
         ORDER BY w.since, a.id
         RETURN {account_id: a.id, title: w.title, department: w.department,
                 seniority: w.seniority,
                 since: CASE WHEN w.since IS :: ZONED DATETIME NOT NULL AND w.since.offsetSeconds = 0
                          THEN w.since.epochMillis * 1000 + w.since.microsecond % 1000
                          ELSE w.since END,
                 until: CASE WHEN w.until IS :: ZONED DATETIME NOT NULL AND w.until.offsetSeconds = 0
                          THEN w.until.epochMillis * 1000 + w.until.microsecond % 1000
                          ELSE w.until END}
       } AS positions,
       COLLECT {
         MATCH (s)-[r:REPORTS_TO {kind: 'solid'}]->(m:Stakeholder)
         WHERE r.until IS NULL
         WITH r, m
         ORDER BY r.since DESC, m.id
         RETURN {id: m.id, name: m.name, title: m.title,
                 since: CASE WHEN r.since IS :: ZONED DATETIME NOT NULL AND r.since.offsetSeconds = 0
                          THEN r.since.epochMillis * 1000 + r.since.microsecond % 1000
                          ELSE r.since END,
                 source: r.source, source_record_id: r.source_record_id,
                 account_id: CASE WHEN $scoped THEN COLLECT {
                   MATCH (m)-[hw:WORKS_AT]->(ha:Account)
                   WITH ha, hw
                   ORDER BY CASE WHEN hw.until IS NULL THEN 0 ELSE 1 END,
                            coalesce(hw.until, hw.since) DESC, ha.id
                   RETURN ha.id LIMIT 1
                 }[0] END}
       } AS managers,
       COLLECT {
         MATCH (s)-[r:REPORTS_TO {kind: 'dotted'}]->(m:Stakeholder)
         WHERE r.until IS NULL
         WITH r, m
         ORDER BY m.id
         RETURN {id: m.id, name: m.name, title: m.title,
                 since: CASE WHEN r.since IS :: ZONED DATETIME NOT NULL AND r.since.offsetSeconds = 0
                          THEN r.since.epochMillis * 1000 + r.since.microsecond % 1000
                          ELSE r.since END,
                 source: r.source, source_record_id: r.source_record_id,
                 account_id: CASE WHEN $scoped THEN COLLECT {
                   MATCH (m)-[hw:WORKS_AT]->(ha:Account)
                   WITH ha, hw
                   ORDER BY CASE WHEN hw.until IS NULL THEN 0 ELSE 1 END,
                            coalesce(hw.until, hw.since) DESC, ha.id
                   RETURN ha.id LIMIT 1
                 }[0] END}
       } AS dotted_managers,
       COLLECT {
         MATCH (d:Stakeholder)-[r:REPORTS_TO {kind: 'solid'}]->(s)
         WHERE r.until IS NULL
         WITH r, d
         ORDER BY d.id
         RETURN {id: d.id, name: d.name, title: d.title,
                 since: CASE WHEN r.since IS :: ZONED DATETIME NOT NULL AND r.since.offsetSeconds = 0
                          THEN r.since.epochMillis * 1000 + r.since.microsecond % 1000
                          ELSE r.since END,
                 source: r.source, source_record_id: r.source_record_id,
                 account_id: CASE WHEN $scoped THEN COLLECT {
                   MATCH (d)-[hw:WORKS_AT]->(ha:Account)
                   WITH ha, hw
                   ORDER BY CASE WHEN hw.until IS NULL THEN 0 ELSE 1 END,
                            coalesce(hw.until, hw.since) DESC, ha.id
                   RETURN ha.id LIMIT 1
                 }[0] END}
       } AS direct_reports,
       COLLECT {
         MATCH (s)-[h:HAS_ROLE]->(x)
         WHERE h.until IS NULL AND (x:Account OR x:Opportunity)
         WITH h, x
         ORDER BY h.role, x.id
         RETURN {role: h.role, stance: h.stance,
                 target_type: CASE WHEN x:Account THEN 'account' ELSE 'opportunity' END,
                 target_id: x.id, target_name: x.name,
                 since: CASE WHEN h.since IS :: ZONED DATETIME NOT NULL AND h.since.offsetSeconds = 0
                          THEN h.since.epochMillis * 1000 + h.since.microsecond % 1000
                          ELSE h.since END,
                 source: h.source, source_record_id: h.source_record_id,
                 account_id: CASE WHEN x:Account THEN x.id
                                  WHEN $scoped
                                  THEN COLLECT { MATCH (x)-[:FOR]->(oa:Account) RETURN oa.id }[0]
                             END}
       } AS roles,
       COLLECT {
         MATCH (s)-[c:CONTROLS]->(b:Budget)
         WHERE c.until IS NULL
         OPTIONAL MATCH (b)-[:OF]->(a:Account)
         WITH c, b, a
         ORDER BY b.id
         RETURN {budget_id: b.id, budget_name: b.name, account_id: a.id,
                 authority: c.authority, amount: b.amount, currency: b.currency,
                 fiscal_year: b.fiscal_year,
                 since: CASE WHEN c.since IS :: ZONED DATETIME NOT NULL AND c.since.offsetSeconds = 0
                          THEN c.since.epochMillis * 1000 + c.since.microsecond % 1000
                          ELSE c.since END,
                 source: c.source, source_record_id: c.source_record_id}
       } AS budgets,
       COLLECT {
         MATCH (o:Stakeholder)-[i:INFLUENCES]->(s)
         WHERE i.until IS NULL
         WITH i, o
         ORDER BY o.id
         RETURN {id: o.id, name: o.name, strength: i.strength,
                 source: i.source, source_record_id: i.source_record_id,
                 account_id: CASE WHEN $scoped THEN COLLECT {
                   MATCH (o)-[hw:WORKS_AT]->(ha:Account)
                   WITH ha, hw
                   ORDER BY CASE WHEN hw.until IS NULL THEN 0 ELSE 1 END,
                            coalesce(hw.until, hw.since) DESC, ha.id
                   RETURN ha.id LIMIT 1
                 }[0] END}
       } AS influenced_by,
       COLLECT {
         MATCH (s)-[i:INFLUENCES]->(o:Stakeholder)
         WHERE i.until IS NULL
         WITH i, o
         ORDER BY o.id
         RETURN {id: o.id, name: o.name, strength: i.strength,
                 source: i.source, source_record_id: i.source_record_id,
                 account_id: CASE WHEN $scoped THEN COLLECT {
                   MATCH (o)-[hw:WORKS_AT]->(ha:Account)
                   WITH ha, hw
                   ORDER BY CASE WHEN hw.until IS NULL THEN 0 ELSE 1 END,
                            coalesce(hw.until, hw.since) DESC, ha.id
                   RETURN ha.id LIMIT 1
                 }[0] END}
       } AS influences,
       COLLECT {
         MATCH (t:TeamMember)-[k:KNOWS]->(s)
         WHERE k.until IS NULL
         WITH k, t
         ORDER BY k.strength DESC, t.id
         RETURN {team_member_id: t.id, team_member_name: t.name, strength: k.strength,
                 source: k.source, source_record_id: k.source_record_id,
                 last_contact: CASE WHEN k.last_contact IS :: ZONED DATETIME NOT NULL AND k.last_contact.offsetSeconds = 0
                                 THEN k.last_contact.epochMillis * 1000 + k.last_contact.microsecond % 1000
                                 ELSE k.last_contact END,
                 since: CASE WHEN k.since IS :: ZONED DATETIME NOT NULL AND k.since.offsetSeconds = 0
                          THEN k.since.epochMillis * 1000 + k.since.microsecond % 1000
                          ELSE k.since END}
       } AS relationships
