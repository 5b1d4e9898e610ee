// The account graph as JSON (`GET /v1/accounts/{id}/graph?format=json`, CONTRACT-14 §1,
// docs/export.md): networkx's node-link form. The types are the ones the overlays
// (overlays.ts) read too; every field beyond the fixed points may be missing.
//
// `engagementGraph` reduces it to the account's engagement graph of
// docs/definitions.md ("Engagement graph"): the active stakeholders, the active team
// members with an active tie to one of them, and the active ties, influence and
// reporting lines (solid and dotted) between those people, one undirected edge per
// pair (the strongest relationship names it). That is what the network view draws.

import type { ApiClient } from "./api";
import { encodeId } from "./api";

export type GraphNodeKind = "stakeholder" | "team_member" | "budget" | "opportunity" | "account";
export type GraphEdgeKind = "reports_to" | "influences" | "knows" | "role" | "controls";
export type CoverageLevel = "dark" | "single" | "multi";

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  name?: string | null;
  account_id?: string | null;
  // stakeholder
  title?: string | null;
  department?: string | null;
  seniority?: string | null;
  status?: string | null;
  stance?: number | null;
  is_key?: boolean | null;
  roles?: string[] | null;
  pagerank?: number | null;
  betweenness?: number | null;
  coverage_count?: number | null;
  coverage_level?: CoverageLevel | null;
  best_warm_path_strength?: number | null;
  // team member
  role?: string | null;
  // budget, opportunity, account
  amount?: number | null;
  currency?: string | null;
  stage?: string | null;
  tier?: string | null;
}

export interface GraphEdge {
  source: string;
  target: string;
  key?: string;
  kind: GraphEdgeKind;
  /** reports_to: "solid" | "dotted" */
  line?: string | null;
  /** influences (source influences target) and knows (the tie strength), 0–1 */
  strength?: number | null;
  /** knows: strength ≥ the active tie threshold */
  active?: boolean | null;
  role?: string | null;
  stance?: number | null;
  authority?: string | null;
  provenance?: string | null;
  provenance_record_id?: string | null;
}

export interface AccountGraph {
  directed: boolean;
  multigraph: boolean;
  graph: {
    account_id: string;
    account_name?: string | null;
    tier?: string | null;
    as_of: string;
    active_tie_threshold: number;
  };
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface StakeholderNode extends GraphNode {
  kind: "stakeholder";
  name: string;
}

export interface TeamMemberNode extends GraphNode {
  kind: "team_member";
  name: string;
}

function fetchAccountGraph(
  api: ApiClient,
  accountId: string,
  asOf: string | null,
  signal?: AbortSignal,
): Promise<AccountGraph> {
  return api.get<AccountGraph>(
    `/v1/accounts/${encodeId(accountId)}/graph`,
    { format: "json", as_of: asOf },
    signal,
  );
}

interface SharedFetch {
  promise: Promise<AccountGraph>;
  abort: AbortController;
  /** Callers waiting that have not given up (aborted their own signal). */
  waiting: number;
  settled: boolean;
}

function abortError(): DOMException {
  return new DOMException("The request was aborted.", "AbortError");
}

/**
 * The account graphs of one widget: one fetch per (account, as_of), shared by whoever
 * asks — the overlays (overlays.ts) and the network view (index.ts) — and kept once
 * in. Each caller passes its own signal: aborting it rejects that caller's promise
 * only, and the request itself is aborted when every caller waiting for it has given
 * up. A failed fetch is forgotten, so the next ask tries again. A new ApiClient (the
 * element reloaded: another token, base or date) starts afresh.
 */
export class AccountGraphs {
  private api: ApiClient | null = null;
  private readonly entries = new Map<string, SharedFetch>();

  get(api: ApiClient, accountId: string, asOf: string | null, signal: AbortSignal): Promise<AccountGraph> {
    if (api !== this.api) {
      // Callers of the old client keep their promises; their aborts still end those requests.
      this.entries.clear();
      this.api = api;
    }
    if (signal.aborted) return Promise.reject(abortError());
    const key = `${accountId}\u0000${asOf ?? ""}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const abort = new AbortController();
      const created: SharedFetch = {
        abort,
        waiting: 0,
        settled: false,
        promise: fetchAccountGraph(api, accountId, asOf, abort.signal).then(
          (graph) => {
            created.settled = true;
            return graph;
          },
          (error: unknown) => {
            created.settled = true;
            if (this.entries.get(key) === created) this.entries.delete(key);
            throw error;
          },
        ),
      };
      entry = created;
      this.entries.set(key, entry);
    }
    const shared = entry;
    shared.waiting++;
    return new Promise<AccountGraph>((resolve, reject) => {
      let waiting = true;
      const stop = (): boolean => {
        if (!waiting) return false;
        waiting = false;
        shared.waiting--;
        signal.removeEventListener("abort", giveUp);
        return true;
      };
      const giveUp = (): void => {
        if (!stop()) return;
        reject(abortError());
        if (shared.waiting === 0 && !shared.settled) {
          if (this.entries.get(key) === shared) this.entries.delete(key);
          shared.abort.abort();
        }
      };
      signal.addEventListener("abort", giveUp, { once: true });
      shared.promise.then(
        (graph) => {
          if (stop()) resolve(graph);
        },
        (error: unknown) => {
          if (stop()) reject(error);
        },
      );
    });
  }
}

/** A person of the engagement graph: a stakeholder or one of our team members. */
export type Person = StakeholderNode | TeamMemberNode;

/** The relationship an engagement edge is named after (docs/definitions.md). */
export type EngagementKind = "knows" | "reports_to" | "dotted" | "influences";

export interface EngagementEdge {
  source: string;
  target: string;
  kind: EngagementKind;
  strength: number;
}

export interface EngagementGraph {
  people: Person[];
  edges: EngagementEdge[];
}

// Reporting lines count 0.5 unless they carry a strength (docs/definitions.md).
const REPORTS_TO_STRENGTH = 0.5;
// On equal strength the edge is named after the first of KNOWS, REPORTS_TO, INFLUENCES.
const NAMING_ORDER: Record<EngagementKind, number> = { knows: 0, reports_to: 1, dotted: 1, influences: 2 };

function isActive(node: GraphNode): boolean {
  return (node.status ?? "active") === "active";
}

function strengthOf(edge: GraphEdge): number {
  return typeof edge.strength === "number" && Number.isFinite(edge.strength) ? edge.strength : REPORTS_TO_STRENGTH;
}

export function engagementGraph(graph: AccountGraph): EngagementGraph {
  const stakeholders = new Map<string, StakeholderNode>();
  const team = new Map<string, TeamMemberNode>();
  for (const node of graph.nodes) {
    if (!isActive(node)) continue;
    if (node.kind === "stakeholder") stakeholders.set(node.id, node as StakeholderNode);
    else if (node.kind === "team_member") team.set(node.id, node as TeamMemberNode);
  }
  const threshold = graph.graph.active_tie_threshold;
  const tieIsActive = (edge: GraphEdge): boolean =>
    typeof edge.active === "boolean"
      ? edge.active
      : typeof threshold === "number" && typeof edge.strength === "number" && edge.strength >= threshold;

  // One edge per pair of people, keyed by their numbers (cheaper than string keys).
  const number = new Map<string, number>();
  for (const id of stakeholders.keys()) number.set(id, number.size);
  for (const id of team.keys()) number.set(id, number.size);
  const size = number.size;
  const best = new Map<number, EngagementEdge>();
  const tied = new Set<string>();
  const offer = (a: string, b: string, kind: EngagementKind, strength: number): void => {
    if (a === b || !(strength > 0)) return;
    const [source, target] = a < b ? [a, b] : [b, a];
    const key = number.get(source)! * size + number.get(target)!;
    const current = best.get(key);
    if (
      !current ||
      strength > current.strength ||
      (strength === current.strength && NAMING_ORDER[kind] < NAMING_ORDER[current.kind])
    ) {
      best.set(key, { source, target, kind, strength });
    }
  };
  for (const edge of graph.edges) {
    if (edge.kind === "knows") {
      const [member, person] = team.has(edge.source) ? [edge.source, edge.target] : [edge.target, edge.source];
      if (!team.has(member) || !stakeholders.has(person) || !tieIsActive(edge)) continue;
      tied.add(member);
      offer(member, person, "knows", strengthOf(edge));
    } else if (edge.kind === "reports_to" || edge.kind === "influences") {
      if (!stakeholders.has(edge.source) || !stakeholders.has(edge.target)) continue;
      const kind: EngagementKind =
        edge.kind === "influences" ? "influences" : edge.line === "dotted" ? "dotted" : "reports_to";
      offer(edge.source, edge.target, kind, strengthOf(edge));
    }
  }
  const people: Person[] = [...stakeholders.values(), ...[...team.values()].filter((t) => tied.has(t.id))];
  return { people, edges: [...best.values()] };
}

/** The metric a node's size shows. */
export type SizeMetric = "betweenness" | "pagerank";

export function metricOf(person: Person, metric: SizeMetric): number {
  const value = person[metric];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
