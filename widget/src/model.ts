// The org-chart payload (docs/graph-conventions.md, "Org chart") and the index the
// widget keeps over it: every person by id with parent and depth, for search,
// reveal and keyboard navigation, whether or not the person is currently drawn.

export type CoverageState = "dark" | "single" | "multi";

export interface Role {
  role: string;
  stance?: number | null;
  target_type?: string;
  target_id?: string;
  target_name?: string;
}

export interface Coverage {
  state: CoverageState;
  count: number;
  team_member_ids?: string[];
}

export interface Relationship {
  team_member_id: string;
  team_member_name?: string | null;
  strength: number;
}

export interface Person {
  id: string;
  name: string;
  title?: string | null;
  department?: string | null;
  status?: string | null;
  roles?: Role[];
  stance?: number | null;
  coverage?: Coverage | null;
  strongest_relationship?: Relationship | null;
  children?: Person[];
}

export interface OrgChart {
  account: { id: string; name?: string; tier?: string };
  as_of?: string | null;
  people_count?: number;
  roots: Person[];
  dotted_lines?: { from_id: string; to_id: string }[];
}

/** The invisible node above the account's roots, so several roots lay out side by side. */
export const TOP_ID = "\u0000top";

export interface IndexedPerson {
  person: Person;
  parentId: string | null; // null for a root
  level: number; // 1 for a root
  descendants: number;
}

export function topNode(chart: OrgChart): Person {
  return { id: TOP_ID, name: "", children: chart.roots };
}

export function indexPeople(chart: OrgChart): Map<string, IndexedPerson> {
  const index = new Map<string, IndexedPerson>();
  // Iterative walk: real org charts can be deep enough to make recursion a risk.
  const stack: { person: Person; parentId: string | null; level: number }[] = chart.roots.map(
    (person) => ({ person, parentId: null, level: 1 }),
  );
  const order: IndexedPerson[] = [];
  while (stack.length > 0) {
    const { person, parentId, level } = stack.pop()!;
    const entry: IndexedPerson = { person, parentId, level, descendants: 0 };
    index.set(person.id, entry);
    order.push(entry);
    for (const child of person.children ?? []) {
      stack.push({ person: child, parentId: person.id, level: level + 1 });
    }
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const entry = order[i];
    if (entry.parentId !== null) {
      const parent = index.get(entry.parentId)!;
      parent.descendants += 1 + entry.descendants;
    }
  }
  return index;
}

/** Ids of everyone whose subtree is open at first: the levels above `depth`. */
export function initiallyExpanded(index: Map<string, IndexedPerson>, depth: number): Set<string> {
  const open = new Set<string>();
  for (const [id, entry] of index) {
    if (entry.level < depth && (entry.person.children?.length ?? 0) > 0) open.add(id);
  }
  return open;
}

export function ancestorsOf(index: Map<string, IndexedPerson>, id: string): string[] {
  const out: string[] = [];
  let current = index.get(id)?.parentId ?? null;
  while (current !== null) {
    out.push(current);
    current = index.get(current)?.parentId ?? null;
  }
  return out;
}

export function searchPeople(
  index: Map<string, IndexedPerson>,
  query: string,
  limit: number,
): IndexedPerson[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const starts: IndexedPerson[] = [];
  const contains: IndexedPerson[] = [];
  for (const entry of index.values()) {
    const name = entry.person.name.toLowerCase();
    const title = (entry.person.title ?? "").toLowerCase();
    if (name.startsWith(q) || name.includes(` ${q}`)) starts.push(entry);
    else if (name.includes(q) || title.includes(q) || entry.person.id.toLowerCase() === q)
      contains.push(entry);
  }
  const byName = (a: IndexedPerson, b: IndexedPerson) =>
    a.person.name.localeCompare(b.person.name);
  return [...starts.sort(byName), ...contains.sort(byName)].slice(0, limit);
}

const ROLE_LABELS: Record<string, string> = {
  champion: "Champion",
  gatekeeper: "Gatekeeper",
  influencer: "Influencer",
  detractor: "Detractor",
  decision_maker: "Decision maker",
  economic_buyer: "Economic buyer",
  technical_buyer: "Technical buyer",
  user: "User",
  coach: "Coach",
  executive_sponsor: "Executive sponsor",
  evaluator: "Evaluator",
};

const ROLE_SHORT: Record<string, string> = {
  champion: "Champion",
  gatekeeper: "Gatekeeper",
  influencer: "Influencer",
  detractor: "Detractor",
  decision_maker: "Decider",
  economic_buyer: "Econ. buyer",
  technical_buyer: "Tech. buyer",
  user: "User",
  coach: "Coach",
  executive_sponsor: "Exec. sponsor",
  evaluator: "Evaluator",
};

export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role.replace(/_/g, " ");
}

export function roleShort(role: string): string {
  return ROLE_SHORT[role] ?? role.replace(/_/g, " ");
}

/** Distinct role names of a person, account-level roles first. */
export function distinctRoles(person: Person): string[] {
  const roles = [...(person.roles ?? [])].sort((a, b) =>
    (a.target_type === "account" ? 0 : 1) - (b.target_type === "account" ? 0 : 1),
  );
  return [...new Set(roles.map((r) => r.role))];
}

export const STANCE_LABELS: Record<string, string> = {
  "-2": "strongly against",
  "-1": "against",
  "0": "neutral",
  "1": "supportive",
  "2": "strongly supportive",
};

export function stanceLabel(stance: number | null | undefined): string {
  if (stance === null || stance === undefined) return "stance unknown";
  return STANCE_LABELS[String(Math.max(-2, Math.min(2, Math.round(stance))))] ?? "stance unknown";
}

export const COVERAGE_LABELS: Record<CoverageState, string> = {
  dark: "dark (no active tie)",
  single: "single-threaded",
  multi: "multi-threaded",
};

export function coverageOf(person: Person): CoverageState | null {
  const state = person.coverage?.state;
  return state === "dark" || state === "single" || state === "multi" ? state : null;
}
