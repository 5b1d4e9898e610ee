// The side panel of one person: what the chart already knows (roles, coverage,
// strongest tie) at once, then budgets from GET /v1/stakeholders/{id} and the
// departure impact from the analytics API, each section failing on its own. One of our
// team members (the network view's navy squares) gets what a team member has instead:
// their coverage of the account and their ties to its people, from
// GET /v1/team-members/{id} (an embed token sees only what is about its account).
// Payloads are read defensively: a missing or differently shaped field shows as
// "not available", never as a broken panel. All text goes in through textContent.

import { h } from "./dom";
import { ApiError, type ApiClient, encodeId } from "./api";
import {
  COVERAGE_LABELS,
  type Person,
  coverageOf,
  roleLabel,
  stanceLabel,
} from "./model";

type Json = Record<string, unknown>;

/** Whom the panel is about: one of the account's stakeholders or one of our team. */
export type PersonKind = "stakeholder" | "team_member";

/** `account_manager` → "Account manager". */
function humanise(value: string): string {
  const text = value.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function asObject(value: unknown): Json | null {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : null;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | null {
  if (typeof value === "string" && value) return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

/** A readable name for an item of unknown shape: a person, budget, opportunity or tie. */
export function describeItem(item: unknown): string {
  const o = asObject(item);
  if (!o) return str(item) ?? "—";
  for (const key of ["text", "name", "title", "label"]) {
    const v = str(o[key]);
    if (v) return v;
  }
  const role = str(o.role);
  if (role) return roleLabel(role);
  const nested = ["stakeholder", "person", "budget", "opportunity", "team_member"]
    .map((k) => asObject(o[k]))
    .find(Boolean);
  if (nested) return describeItem(nested);
  const pair = [
    str(o.team_member_name) ?? str(o.team_member_id),
    str(o.stakeholder_name) ?? str(o.stakeholder_id),
  ].filter(Boolean);
  if (pair.length === 2) return `${pair[0]} ↔ ${pair[1]}`;
  for (const key of [
    "stakeholder_name",
    "budget_name",
    "opportunity_name",
    "team_member_name",
    "stakeholder_id",
    "budget_id",
    "opportunity_id",
    "id",
  ]) {
    const v = str(o[key]);
    if (v) return v;
  }
  return "—";
}

const IMPACT_LISTS: [string, string][] = [
  ["active_ties_lost", "Active relationships lost"],
  ["newly_dark", "Key stakeholders left dark"],
  ["newly_single_threaded", "Key stakeholders left single-threaded"],
  ["budgets_without_owner", "Budgets left without an owner"],
  ["opportunities_at_risk", "Opportunities at risk"],
  ["account_roles_lost", "Account roles left vacant"],
  ["newly_unreachable", "Key stakeholders no longer reachable"],
];

export class SidePanel {
  readonly root: HTMLElement;
  private readonly heading: HTMLHeadingElement;
  private readonly sub: HTMLElement;
  private readonly body: HTMLElement;
  private abort: AbortController | null = null;
  private readonly whatIfButton: HTMLButtonElement;
  personId: string | null = null;
  private personName = "";
  private personKind: PersonKind = "stakeholder";
  /** Set by the what-if mode (whatif.ts): the panel then offers "What if they left?". */
  onWhatIf: ((id: string, name: string, kind: PersonKind) => void) | null = null;

  constructor(
    container: HTMLElement,
    private readonly onClose: () => void,
  ) {
    this.heading = h("h2", { attrs: { id: "pm-panel-title" } });
    this.sub = h("div", { class: "sub" });
    const close = h("button", {
      text: "✕",
      class: "close",
      attrs: { type: "button", "aria-label": "Close details" },
    });
    close.addEventListener("click", () => this.onClose());
    this.body = h("div", { class: "body" });
    this.whatIfButton = h("button", {
      text: "What if they left? Show on the chart",
      class: "whatif-add",
      attrs: { type: "button" },
    });
    this.whatIfButton.addEventListener("click", () => {
      if (!this.personId) return;
      this.onWhatIf?.(this.personId, this.personName, this.personKind);
      this.onClose(); // the answer is on the chart: give it the room

    });
    this.root = h(
      "aside",
      { class: "panel", attrs: { role: "dialog", "aria-modal": "false", "aria-labelledby": "pm-panel-title" } },
      h("header", {}, h("div", {}, this.heading, this.sub), close),
      h("div", { class: "panel-actions" }, this.whatIfButton),
      this.body,
    );
    this.root.hidden = true;
    this.root.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.onClose();
      }
    });
    container.appendChild(this.root);
  }

  get isOpen(): boolean {
    return !this.root.hidden;
  }

  close(): void {
    this.abort?.abort();
    this.abort = null;
    this.personId = null;
    this.root.hidden = true;
  }

  focus(): void {
    this.root.querySelector<HTMLButtonElement>("button.close")?.focus();
  }

  /** Opens the panel on a stakeholder or (`kind`) one of our team members. */
  open(
    person: Person,
    api: ApiClient,
    accountId: string,
    asOf: string | null,
    kind: PersonKind = "stakeholder",
  ): void {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.personId = person.id;
    this.root.hidden = false;
    this.root.setAttribute("data-person-id", person.id);
    this.heading.textContent = person.name;
    this.personName = person.name;
    this.personKind = kind;
    this.root.setAttribute("data-person-kind", kind);
    this.whatIfButton.hidden = this.onWhatIf === null;
    this.whatIfButton.setAttribute("aria-label", `What if ${person.name} left? Add them to the what-if on the chart`);
    this.sub.textContent = [person.title, person.department, person.status === "left" ? "has left" : null]
      .filter(Boolean)
      .join(" · ");

    const impact = this.section("If this person left", "impact");
    impact.appendChild(h("p", { class: "muted loading", text: "Loading…" }));
    api
      .get<Json>(
        `/v1/people/${encodeId(person.id)}/departure-impact`,
        { account_id: accountId, as_of: asOf },
        abort.signal,
      )
      .then((result) => {
        if (!abort.signal.aborted) this.fillImpact(impact, result);
      })
      .catch((error: unknown) => this.fail(impact, error, abort));

    if (kind === "team_member") {
      this.openTeamMember(person, api, accountId, abort, impact);
      return;
    }
    const roles = this.section("Roles", "roles");
    this.fillRoles(roles, person.roles ?? []);
    const coverage = this.section("Coverage", "coverage");
    this.fillCoverage(coverage, person, null);
    const budgets = this.section("Budgets controlled", "budgets");
    budgets.appendChild(h("p", { class: "muted loading", text: "Loading…" }));
    this.body.replaceChildren(roles, coverage, budgets, impact);

    const path = `/v1/stakeholders/${encodeId(person.id)}`;
    api
      .get<Json>(path, {}, abort.signal)
      .then((detail) => {
        if (abort.signal.aborted) return;
        const detailRoles = asArray(detail.roles);
        if (detailRoles.length) this.fillRoles(roles, detailRoles as Person["roles"] & unknown[]);
        this.fillBudgets(budgets, asArray(detail.budgets ?? detail.controls));
        this.fillCoverage(coverage, person, detail);
      })
      .catch((error: unknown) => this.fail(budgets, error, abort));
  }

  /** One of ours: their coverage of this account and their ties to its people. */
  private openTeamMember(
    person: Person,
    api: ApiClient,
    accountId: string,
    abort: AbortController,
    impact: HTMLElement,
  ): void {
    const covers = this.section("Covers this account", "accounts");
    covers.appendChild(h("p", { class: "muted loading", text: "Loading…" }));
    const ties = this.section("Relationships here", "ties");
    ties.appendChild(h("p", { class: "muted loading", text: "Loading…" }));
    this.body.replaceChildren(covers, ties, impact);
    api
      .get<Json>(`/v1/team-members/${encodeId(person.id)}`, {}, abort.signal)
      .then((detail) => {
        if (abort.signal.aborted) return;
        // Kept to this account here too (an API key, unlike an embed token, sees them all).
        const here = (items: unknown[]) =>
          items.map(asObject).filter((o): o is Json => o !== null && o.account_id === accountId);
        this.fillCovers(covers, here(asArray(detail.accounts)));
        this.fillTies(ties, here(asArray(detail.relationships)));
      })
      .catch((error: unknown) => {
        this.fail(covers, error, abort);
        this.fail(ties, error, abort);
      });
  }

  private fillCovers(section: HTMLElement, accounts: Json[]): void {
    this.reset(section);
    if (!accounts.length) {
      section.appendChild(h("p", { class: "muted", text: "No coverage role on this account (knows people here)." }));
      return;
    }
    const list = h("ul");
    for (const a of accounts) {
      const role = str(a.role);
      const where = str(a.account_name) ?? str(a.account_id) ?? "this account";
      list.appendChild(h("li", { text: `${role ? humanise(role) : "Covers"} on ${where}` }));
    }
    section.appendChild(list);
  }

  private fillTies(section: HTMLElement, ties: Json[]): void {
    this.reset(section);
    if (!ties.length) {
      section.appendChild(h("p", { class: "muted", text: "No relationship with anyone here." }));
      return;
    }
    const strength = (t: Json) => (typeof t.strength === "number" ? t.strength : -1);
    const list = h("ul");
    for (const t of [...ties].sort((a, b) => strength(b) - strength(a))) {
      const who = str(t.stakeholder_name) ?? str(t.stakeholder_id) ?? "—";
      const parts = [who];
      if (strength(t) >= 0) parts.push(strength(t).toFixed(2));
      const contact = str(t.last_contact);
      if (contact) parts.push(`last contact ${contact.slice(0, 10)}`);
      list.appendChild(h("li", { attrs: { "data-stakeholder-id": str(t.stakeholder_id) ?? "" }, text: parts.join(" · ") }));
    }
    section.appendChild(list);
  }

  private section(title: string, name: string): HTMLElement {
    return h("section", { class: name, attrs: { "aria-label": title, "data-section": name } }, h("h3", { text: title }));
  }

  private reset(section: HTMLElement): void {
    while (section.childNodes.length > 1) section.lastChild!.remove();
  }

  private fail(section: HTMLElement, error: unknown, abort: AbortController): void {
    if (abort.signal.aborted) return;
    this.reset(section);
    let text = "Could not load this part.";
    if (error instanceof ApiError) {
      if (error.status === 404) text = "Not available for this person.";
      else if (error.isAuth) text = "Not allowed with this link (it may have expired).";
      else if (error.status === 0) text = "The service could not be reached.";
      else text = error.problem.detail ?? text;
    }
    section.appendChild(h("p", { class: "muted error", text }));
  }

  private fillRoles(section: HTMLElement, roles: unknown[]): void {
    this.reset(section);
    if (!roles.length) {
      section.appendChild(h("p", { class: "muted", text: "No buying role recorded." }));
      return;
    }
    const list = h("ul");
    for (const raw of roles) {
      const r = asObject(raw);
      if (!r) continue;
      const role = str(r.role) ?? "role";
      const target =
        str(r.target_name) ??
        (r.target_type === "opportunity" ? `opportunity ${str(r.target_id) ?? ""}`.trim() : "account");
      const stance = typeof r.stance === "number" ? r.stance : null;
      list.appendChild(h("li", { text: `${roleLabel(role)} on ${target} — ${stanceLabel(stance)}` }));
    }
    section.appendChild(list);
  }

  private fillCoverage(section: HTMLElement, person: Person, detail: Json | null): void {
    this.reset(section);
    const coverage = asObject(detail?.coverage) ?? (person.coverage as Json | null | undefined) ?? null;
    const state = (str(coverage?.state) as keyof typeof COVERAGE_LABELS | null) ?? coverageOf(person);
    const count = typeof coverage?.count === "number" ? coverage.count : null;
    section.appendChild(
      h(
        "p",
        {},
        h("span", {
          class: `pill coverage-${state ?? "unknown"}`,
          text: state ? COVERAGE_LABELS[state] ?? state : "unknown",
        }),
        document.createTextNode(count !== null ? `  ${count} active team tie${count === 1 ? "" : "s"}` : ""),
      ),
    );
    const ties = asArray(detail?.relationships ?? detail?.ties);
    if (ties.length) {
      const list = h("ul");
      for (const raw of ties.slice(0, 8)) {
        const t = asObject(raw);
        if (!t) continue;
        const who = str(t.team_member_name) ?? str(t.team_member_id) ?? describeItem(t);
        const strength = typeof t.strength === "number" ? ` · ${t.strength.toFixed(2)}` : "";
        list.appendChild(h("li", { text: `${who}${strength}` }));
      }
      section.appendChild(list);
    } else if (person.strongest_relationship) {
      const tie = person.strongest_relationship;
      section.appendChild(
        h("p", {
          text: `Strongest: ${tie.team_member_name ?? tie.team_member_id} · ${tie.strength.toFixed(2)}`,
        }),
      );
    }
  }

  private fillBudgets(section: HTMLElement, budgets: unknown[]): void {
    this.reset(section);
    if (!budgets.length) {
      section.appendChild(h("p", { class: "muted", text: "Controls no budget." }));
      return;
    }
    const list = h("ul");
    for (const raw of budgets) {
      const b = asObject(raw);
      if (!b) continue;
      const budget = asObject(b.budget) ?? b;
      const name =
        str(budget.name) ?? str(budget.budget_name) ?? str(budget.id) ?? str(budget.budget_id) ?? "budget";
      const amount = typeof budget.amount === "number" ? budget.amount : null;
      const currency = str(budget.currency) ?? "";
      const money =
        amount !== null
          ? ` — ${new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 }).format(amount)} ${currency}`.trimEnd()
          : "";
      const authority = str(b.authority);
      list.appendChild(h("li", { text: `${name}${money}${authority ? ` (${authority})` : ""}` }));
    }
    section.appendChild(list);
  }

  private fillImpact(section: HTMLElement, result: Json): void {
    this.reset(section);
    const score = typeof result.score === "number" ? Math.max(0, Math.min(100, result.score)) : null;
    if (score !== null) {
      const meterFill = h("span");
      // CSSOM, not a style attribute: allowed under a CSP without 'unsafe-inline'.
      meterFill.style.width = `${score}%`;
      section.appendChild(
        h(
          "div",
          { class: "score", attrs: { "aria-label": `Departure impact score ${Math.round(score)} of 100` } },
          h("span", { class: "value", text: String(Math.round(score)) }),
          h("span", { class: "meter", attrs: { "aria-hidden": "true" } }, meterFill),
          h("span", { class: "muted", text: "/ 100" }),
        ),
      );
    }
    const components = asArray(result.score_components)
      .map(asObject)
      .filter((c): c is Json => c !== null && typeof c.points === "number" && c.points > 0)
      .sort((a, b) => (b.points as number) - (a.points as number));
    if (components.length) {
      const why = components
        .slice(0, 4)
        .map((c) => `${(str(c.name) ?? "other").replace(/_/g, " ")} ${Math.round(c.points as number)}`)
        .join(" · ");
      section.appendChild(h("p", { class: "muted components", text: `Score from: ${why}` }));
    }
    const lost = h("ul", { class: "lost" });
    for (const [key, label] of IMPACT_LISTS) {
      const items = asArray(result[key]);
      if (!items.length) continue;
      const names = items.slice(0, 4).map(describeItem).join(", ");
      const more = items.length > 4 ? ` and ${items.length - 4} more` : "";
      lost.appendChild(h("li", { attrs: { "data-impact": key }, text: `${label}: ${items.length} — ${names}${more}` }));
    }
    if (lost.childNodes.length) {
      section.appendChild(h("p", { class: "muted", text: "What would be lost:" }));
      section.appendChild(lost);
    } else {
      section.appendChild(h("p", { class: "muted", text: "Nothing measurable would be lost." }));
    }
    const actions = asArray(result.recommended_actions);
    if (actions.length) {
      section.appendChild(h("h3", { text: "Recommended actions" }));
      const list = h("ol", { class: "actions" });
      for (const action of actions.slice(0, 6)) list.appendChild(h("li", { text: describeItem(action) }));
      section.appendChild(list);
    }
  }
}
