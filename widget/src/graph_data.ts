// The account graph as JSON (`GET /v1/accounts/{id}/graph?format=json`, CONTRACT-14 §1,
// docs/export.md): networkx's node-link form. Types only — the overlays (overlays.ts)
// and the network view read it; every field beyond the fixed points may be missing.

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
