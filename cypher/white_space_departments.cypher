// @title White space: departments with no relationship at all
// @description Departments of an account (by default every strategic account) where
//   none of our active team members has any current relationship, of any strength, to
//   any active stakeholder: uncharted ground. Departments whose people control budgets
//   or hold key roles come first.
// @param account_id: string = null -- Only this account (when empty: every account of `tier`).
// @param tier: string = "strategic" -- The tier of accounts to scan when no account is given.
// @column account_id: The account's id.
// @column account_name: The account's name.
// @column department: The department (stakeholders without one are grouped under an empty department).
// @column stakeholders: Active stakeholders in the department.
// @column key_stakeholders: How many of them are key stakeholders.
// @column budgets_controlled: Budgets they currently control, with any authority.
// @column most_senior: The most senior people in the department (ids).
MATCH (s:Stakeholder {status: 'active'})-[w:WORKS_AT]->(a:Account)
  WHERE w.until IS NULL
    AND (a.id = $account_id OR ($account_id IS NULL AND a.tier = $tier))
// Per person first, then per department: a subquery inside a list predicate would be a
// nested plan, which the analyst guard refuses.
WITH a, s,
     EXISTS {
       MATCH (:TeamMember {status: 'active'})-[k:KNOWS]->(s) WHERE k.until IS NULL
     } AS known,
     EXISTS {
       MATCH (s)-[r:HAS_ROLE]->()
         WHERE r.until IS NULL AND r.role IN ['decision_maker', 'economic_buyer', 'champion']
     } OR EXISTS {
       MATCH (s)-[c:CONTROLS]->(:Budget)
         WHERE c.until IS NULL AND c.authority IN ['owner', 'approver', 'signatory']
     } AS key
WITH a, coalesce(s.department, '') AS department, collect(s) AS people,
     count(CASE WHEN known THEN 1 END) AS known_people,
     count(CASE WHEN key THEN 1 END) AS key_stakeholders
  WHERE known_people = 0
WITH a, department, people, key_stakeholders,
     [p IN people | CASE p.seniority
        WHEN 'c_level' THEN 0 WHEN 'vp' THEN 1 WHEN 'director' THEN 2 WHEN 'manager' THEN 3
        WHEN 'individual_contributor' THEN 4 ELSE 5 END] AS ranks
WITH a, department, people, key_stakeholders, ranks, reduce(best = 5, r IN ranks | CASE WHEN r < best THEN r ELSE best END) AS top
RETURN a.id AS account_id, a.name AS account_name, department, size(people) AS stakeholders,
       key_stakeholders,
       COUNT {
         MATCH (p:Stakeholder)-[c:CONTROLS]->(b:Budget)
           WHERE p IN people AND c.until IS NULL
         RETURN DISTINCT b
       } AS budgets_controlled,
       COLLECT {
         UNWIND [i IN range(0, size(people) - 1) WHERE ranks[i] = top | people[i].id] AS id
         RETURN id ORDER BY id
       } AS most_senior
ORDER BY key_stakeholders DESC, budgets_controlled DESC, stakeholders DESC, account_id, department
