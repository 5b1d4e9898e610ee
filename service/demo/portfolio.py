"""The demo portfolio: a realistic, deterministic set of ingest batches with history.

:func:`build_demo_portfolio` returns the steps that ``powermap seed-demo`` applies in
order: five ingest batches in the format of ``POST /v1/ingest`` (each with an
``effective_at`` in the past, so the time-bound edges get real ``since``/``until``
history) and one departure. Everything comes from a seeded :class:`random.Random`;
the only input besides the seed is ``today``, to which every date is relative
(``effective_at``, interaction times, last contacts, close dates, fiscal years). Ids
never depend on ``today``.

The portfolio
=============
Three accounts with 178 stakeholders at the first sync and 179 stored in the end (one
hired later; one left, nothing is ever deleted), in CEO → C-suite → VP → director →
manager org charts with a few dotted lines, and 7 team members:

==============  ======================  ==========  =============================
account id      name                    tier        industry
==============  ======================  ==========  =============================
``acme``        Acme Manufacturing      strategic   Industrial manufacturing
``northwind``   Northwind Bank          key         Financial services
``bluebird``    Bluebird Retail         standard    Retail
==============  ======================  ==========  =============================

Team: ``tm-ava`` (account manager, acme), ``tm-ben`` (account manager, northwind),
``tm-chloe`` (solution engineer, northwind + bluebird), ``tm-dev`` (customer success,
northwind + bluebird), ``tm-elena`` (exec sponsor, acme + northwind), ``tm-farah``
(account manager, bluebird), ``tm-gus`` (sales director, acme).

Stakeholder ids are ``<account>-p<NNN>``, numbered CEO first, then the CEO's staff,
the C-suite, VPs, directors and managers, each in the order of the specification
below; the one later hire is ``acme-p901``. Everyone above manager level has a number
fixed by the specification, not by the random draws.

Steps (T = ``today``):

1. ``initial-sync`` at T−365 d: the three accounts as they were a year ago.
2. ``mover`` at T−150 d: ``northwind-p033`` (Director, Branch Operations) joins
   Bluebird as VP Customer Experience; their two managers are re-homed to their old VP.
3. ``acme-reorg`` at T−100 d: Acme hires a Chief Digital Officer (``acme-p901``);
   two VPs move from the CIO to the CDO, who takes over the digital budget.
4. ``champion-leaves`` at T−75 d: the departure of ``northwind-p014``.
5. ``northwind-backfill`` at T−60 d: the champion's directors now report to the CIO.
6. ``current-sync`` at T−1 d: current tie strengths, a new opportunity.

Each batch carries the interactions that happened since the previous one, as a CRM
sync would; they cover the whole last year. Most of our ties are explicit
(``relationships``); three exist only through interactions (their strength is derived
at ingest): ``tm-dev`` → ``bluebird`` Director, Store Systems and ``tm-farah`` →
Director, Loyalty Programme (recent, active), ``tm-chloe`` → ``northwind`` Director,
Data Centre & Cloud (two old emails, inactive).

Deliberate weak spots (also in :data:`WEAK_SPOTS`, which tests use)
==================================================================
1. **Single-threaded strategic account** — ``acme``: every active tie (strength ≥ 0.2)
   to an Acme stakeholder is held by ``tm-ava``. ``tm-elena`` (exec sponsor) has only a
   stale tie to the CEO ``acme-p001`` (explicit strength 0.1, one event ~300 days
   ago) and ``tm-gus`` covers the account without any tie.
2. **Champion who left** — ``northwind-p014`` (VP Digital Channels), champion (stance
   +2) of ``northwind`` and of the opportunity ``northwind-opp-cloud``, with active ties
   from ``tm-ben`` and ``tm-chloe``; ingested as active at T−365 d, departed at T−75 d
   (status ``left``, every time-bound edge closed). The opportunity has had no
   champion since.
3. **Dark economic buyer** — ``northwind-p003`` (CFO of Northwind Bank): economic buyer
   of ``northwind`` and of ``northwind-opp-cloud``, owner of ``northwind-bud-cloud``;
   no team member has any tie to them (no KNOWS edge, no interaction).
4. **Reorg** — at T−100 d ``acme-p014`` (VP Enterprise Applications) and
   ``acme-p015`` (VP Data & Analytics) moved from the CIO ``acme-p004`` to the new
   Chief Digital Officer ``acme-p901``; ``acme-p004`` went from owner to recommender of
   ``acme-bud-digital``, now owned by ``acme-p901``. The org chart as of 6 months ago
   shows both VPs under the CIO and no CDO.
5. **Detractor with high influence** — ``acme-p006`` (Chief Procurement Officer),
   detractor (stance −2) on ``acme`` and on ``acme-opp-mes``, with strong INFLUENCES
   edges to and from the CEO, CFO, COO and CIO: the highest weighted influence, in
   and out, of the account.
6. **Stakeholder who moved between accounts** — ``northwind-p033``: WORKS_AT
   ``northwind`` until T−150 d, then ``bluebird``; ``tm-dev``'s tie carried over.
7. **Budget whose only owner is reachable only through one champion** —
   ``acme-bud-plant-capex`` has one owner, ``acme-p036`` (Director, Manufacturing
   Engineering), with no tie of ours; their only link to the rest of the engagement
   graph is their manager, the champion ``acme-p016`` (VP Manufacturing): nobody in
   their team is known to us, and no dotted line or influence edge reaches the team
   from elsewhere, so ``acme-p016`` is an articulation point between our team and the
   budget owner.

Every weak spot is checked against the generated batches by
``tests/test_demo_generator.py`` and against the stored graph by
``tests/integration/test_demo_portfolio.py``; ``tests/test_demo_digest.py`` pins
everything generated.

Where things are
================
The org charts, team and name pool are :mod:`service.demo.org_charts`; the first
sync's budgets, opportunities, roles, influence and our ties are the tables of
:mod:`service.demo.facts`. Here :func:`build_demo_portfolio` draws the people and the
year of interactions, builds the first sync, then one function per later step (one
story each: ``_mover``, ``_acme_reorg``, ``_champion_leaves``, ``_northwind_backfill``,
``_current_sync``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from service.demo.facts import (
    BUDGETS,
    CONTROLS,
    CURRENCIES,
    DERIVED_TIES,
    DOTTED_LINES,
    FRAUD_OPPORTUNITY,
    INFLUENCES,
    OPPORTUNITIES,
    ROLES,
    TIES,
    TieSpec,
)
from service.demo.org_charts import (
    ACCOUNTS,
    ACME,
    BLUEBIRD,
    COVERAGE,
    FIRST_NAMES,
    LAST_NAMES,
    TEAM,
    AccountSpec,
    Chief,
    Director,
    Vp,
)

__all__ = [
    "DEMO_SEED",
    "WEAK_SPOTS",
    "Batch",
    "BatchStep",
    "DemoPortfolio",
    "DemoStep",
    "DepartureStep",
    "WeakSpots",
    "build_demo_portfolio",
]

DEMO_SEED: Final = 20_260_101

Batch = dict[str, Any]


@dataclass(frozen=True)
class BatchStep:
    """One ingest batch (``batch`` carries its own ``effective_at``)."""

    name: str
    effective_at: str
    batch: Batch


@dataclass(frozen=True)
class DepartureStep:
    """A stakeholder leaving (``POST /v1/stakeholders/{id}/departure``)."""

    name: str
    stakeholder_id: str
    left_at: str


DemoStep = BatchStep | DepartureStep


@dataclass(frozen=True)
class WeakSpots:
    """The ids behind each deliberate weak spot (see the module docstring)."""

    single_threaded_account: str = "acme"
    single_thread_team_member: str = "tm-ava"
    left_champion: str = "northwind-p014"
    left_champion_account: str = "northwind"
    left_champion_opportunity: str = "northwind-opp-cloud"
    left_days_ago: int = 75
    dark_economic_buyer: str = "northwind-p003"
    dark_economic_buyer_account: str = "northwind"
    reorg_account: str = "acme"
    reorg_new_manager: str = "acme-p901"
    reorg_previous_manager: str = "acme-p004"
    reorg_moved: tuple[str, ...] = ("acme-p014", "acme-p015")
    reorg_budget: str = "acme-bud-digital"
    reorg_days_ago: int = 100
    influential_detractor: str = "acme-p006"
    influential_detractor_account: str = "acme"
    mover: str = "northwind-p033"
    mover_from: str = "northwind"
    mover_to: str = "bluebird"
    moved_days_ago: int = 150
    lone_owner_budget: str = "acme-bud-plant-capex"
    lone_owner: str = "acme-p036"
    lone_owner_gateway_champion: str = "acme-p016"


WEAK_SPOTS: Final = WeakSpots()


@dataclass(frozen=True)
class DemoPortfolio:
    """The ordered steps of the demo, and where to find its weak spots."""

    today: date
    seed: int
    steps: tuple[DemoStep, ...]
    weak_spots: WeakSpots

    def batches(self) -> list[Batch]:
        return [s.batch for s in self.steps if isinstance(s, BatchStep)]

    def node_ids(self) -> dict[str, list[str]]:
        """Every id the demo stores, by label (what ``seed-demo --reset`` removes)."""
        sections = {
            "Account": "accounts",
            "Stakeholder": "stakeholders",
            "TeamMember": "team_members",
            "Budget": "budgets",
            "Opportunity": "opportunities",
            "Interaction": "interactions",
        }
        return {
            label: sorted({row["id"] for b in self.batches() for row in b.get(section, [])})
            for label, section in sections.items()
        }

    @property
    def completion_marker(self) -> str:
        """An interaction id that only the last batch stores: present = fully seeded."""
        return str(self.batches()[-1]["interactions"][-1]["id"])


# Weighted like a KAM team's real activity: many calls and emails, fewer meetings.
INTERACTION_KINDS: Final = ("meeting", "call", "email", "event")
INTERACTION_KIND_WEIGHTS: Final = (0.35, 0.3, 0.25, 0.1)


# --------------------------------------------------------------------------------------
# Building


@dataclass
class _Tie:
    """An explicit relationship of ours, with the window its interactions fall in."""

    team_member_id: str
    stakeholder_id: str
    strength: float
    start_days_ago: int  # when the tie began (≥ 365: before the first sync)
    end_days_ago: int  # the last contact (people who leave or go quiet stop earlier)
    interactions: int | None = None  # None: derived from the strength
    kinds: tuple[str, ...] = ()  # fixed kinds, else drawn
    contacts: list[datetime] = field(default_factory=list)

    @classmethod
    def of(cls, b: _PortfolioBuilder, spec: TieSpec) -> _Tie:
        return cls(
            spec.team_member_id,
            b.p(spec.person),
            spec.strength,
            spec.start_days_ago,
            spec.end_days_ago,
            spec.interactions,
            spec.kinds,
        )


@dataclass(frozen=True)
class _Timeline:
    today: date

    def at(self, days_ago: int, hour: int = 9, minute: int = 0) -> datetime:
        day = self.today - timedelta(days=days_ago)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# (days ago, hour) of each batch; interactions go to the first batch at or after them.
STEP_TIMES: Final = {
    "initial-sync": (365, 9),
    "mover": (150, 9),
    "acme-reorg": (100, 9),
    "northwind-backfill": (60, 9),
    "current-sync": (1, 18),
}
DEPARTURE_TIME: Final = (75, 17)


class _PortfolioBuilder:
    def __init__(self, today: date, seed: int) -> None:
        self.rng = random.Random(seed)
        self.time = _Timeline(today)
        self.today = today
        names = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
        self.rng.shuffle(names)
        self._names: Iterator[tuple[str, str]] = iter(names)
        self.people: dict[str, dict[str, Any]] = {}  # current stakeholder rows by id
        self.by_key: dict[str, str] = {}  # "acme:cfo" -> "acme-p003"
        self.directs: dict[str, list[str]] = {}  # manager id -> report ids (as generated)

    # -- people --------------------------------------------------------------------
    def _person(
        self,
        spec: AccountSpec,
        number: int,
        key: str,
        title: str,
        department: str,
        seniority: str,
        manager: str | None,
    ) -> str:
        first, last = next(self._names)
        pid = f"{spec.id}-p{number:03d}"
        row: dict[str, Any] = {
            "id": pid,
            "account_id": spec.id,
            "name": f"{first} {last}",
            "title": title,
            "email": f"{first}.{last}@{spec.domain}".lower(),
            "department": department,
            "seniority": seniority,
        }
        if manager is not None:
            row["reports_to"] = manager
            self.directs.setdefault(manager, []).append(pid)
        self.people[pid] = row
        self.by_key[f"{spec.id}:{key}"] = pid
        return pid

    def org_chart(self, spec: AccountSpec) -> list[str]:
        """Create an account's people in id order; return the ids."""
        counter = iter(range(1, 900))
        ids: list[str] = []

        def add(key: str, title: str, dept: str, seniority: str, manager: str | None) -> str:
            pid = self._person(spec, next(counter), key, title, dept, seniority, manager)
            ids.append(pid)
            return pid

        ceo = add("ceo", "Chief Executive Officer", "Executive Office", "c_level", None)
        for staff in spec.staff:
            add(staff.key, staff.title, staff.department, staff.seniority, ceo)
        chief_ids = {c.key: add(c.key, c.title, c.department, "c_level", ceo) for c in spec.chiefs}
        vps: list[tuple[Vp, Chief, str]] = []
        for chief in spec.chiefs:
            for vp in chief.vps:
                vps.append(
                    (
                        vp,
                        chief,
                        add(vp.key, vp.title, chief.department, vp.seniority, chief_ids[chief.key]),
                    )
                )
        directors: list[tuple[Director, Chief, str]] = []
        for vp, chief, vp_id in vps:
            for director in vp.directors:
                did = add(
                    director.key, f"Director, {director.area}", chief.department, "director", vp_id
                )
                directors.append((director, chief, did))
        for director, chief, did in directors:
            low, high = director.managers or spec.managers_per_director
            for i in range(self.rng.randint(low, high)):
                focus = ("Projects", "Operations", "Programmes")[i % 3]
                title = (
                    f"Senior Manager, {director.area}"
                    if i == 0
                    else f"Manager, {director.area} {focus}"
                )
                add(f"{director.key}.m{i + 1}", title, chief.department, "manager", did)
        return ids

    def hire(
        self,
        spec: AccountSpec,
        number: int,
        key: str,
        title: str,
        dept: str,
        seniority: str,
        manager: str,
    ) -> str:
        return self._person(spec, number, key, title, dept, seniority, manager)

    def p(self, ref: str) -> str:
        return self.by_key[ref]

    def row(self, pid: str, **changes: Any) -> dict[str, Any]:
        """The person's current full row with ``changes`` applied (and kept)."""
        self.people[pid] = {**self.people[pid], **changes}
        return dict(self.people[pid])


Interaction = tuple[datetime, str, list[str], list[str]]  # (at, kind, team, stakeholders)


@dataclass
class _History:
    """The year's interactions and our relationship rows, each filed under its batch.

    A CRM sync carries what happened before it: an interaction goes to the first batch
    at or after it, and a tie's ``relationships`` row to the batch where it starts and
    (raised to its final strength) to the one after its last contact.
    """

    moments: dict[str, datetime]  # batch name -> effective moment, in order
    relationships: dict[str, list[Batch]]
    interactions: dict[str, list[Batch]]

    def step_of(self, moment: datetime) -> str:
        """The first batch at or after ``moment``."""
        for name, at in self.moments.items():
            if at >= moment:
                return name
        raise AssertionError(f"no batch after {moment}")

    def batch(self, name: str, **sections: list[Batch]) -> BatchStep:
        """Batch ``name`` with the non-empty ``sections``, then its relationships and
        interactions."""
        effective_at = _iso(self.moments[name])
        body: Batch = {"effective_at": effective_at}
        for section, rows in sections.items():
            if rows:
                body[section] = rows
        if self.relationships[name]:
            body["relationships"] = self.relationships[name]
        if self.interactions[name]:
            body["interactions"] = self.interactions[name]
        return BatchStep(name, effective_at, body)


def build_demo_portfolio(today: date | None = None, seed: int = DEMO_SEED) -> DemoPortfolio:
    """The demo's steps, with every date relative to ``today`` (default: today, UTC).

    The random draws happen in a fixed order — names, the org charts' managers, peer
    influence, then the interactions — so the same ``seed`` gives the same portfolio.

    >>> demo = build_demo_portfolio(date(2026, 6, 30))
    >>> [s.name for s in demo.steps][:2], demo.steps[0].effective_at
    (['initial-sync', 'mover'], '2025-06-30T09:00:00Z')
    >>> sum(len(b.get("stakeholders", [])) for b in demo.batches()) >= 150
    True
    """
    today = today or datetime.now(UTC).date()
    b = _PortfolioBuilder(today, seed)
    org_charts = [b.org_chart(spec) for spec in ACCOUNTS]
    first_sync = _first_sync_sections(b, org_charts)
    # Acme's Chief Digital Officer joins at the reorg (weak spot 4); hired here so her
    # tie with Ava goes through the same interaction timeline as every other tie.
    b.hire(ACME, 901, "cdo", "Chief Digital Officer", "Digital", "c_level", b.p("acme:ceo"))
    history = _history(b, [_Tie.of(b, s) for s in TIES], [_Tie.of(b, s) for s in DERIVED_TIES])
    steps: tuple[DemoStep, ...] = (
        history.batch("initial-sync", **first_sync),
        _mover(b, history),
        _acme_reorg(b, history),
        _champion_leaves(b),
        _northwind_backfill(b, history),
        _current_sync(b, history),
    )
    return DemoPortfolio(today=today, seed=seed, steps=steps, weak_spots=_weak_spots(b))


# -- the first sync: the accounts as they were a year ago ---------------------------------


def _first_sync_sections(b: _PortfolioBuilder, org_charts: list[list[str]]) -> dict[str, Any]:
    """Every section of the first batch but our relationships and interactions."""
    for person, manager in DOTTED_LINES:
        b.people[b.p(person)].setdefault("dotted_reports_to", []).append(b.p(manager))
    fy = b.today.year + 1
    return {
        "accounts": [
            {
                "id": s.id,
                "name": s.name,
                "tier": s.tier,
                "industry": s.industry,
                "annual_revenue": s.annual_revenue,
            }
            for s in ACCOUNTS
        ],
        "team_members": [
            {
                "id": tid,
                "name": name,
                "email": f"{name.lower().replace(' ', '.')}@ourco.example",
                "role": role,
            }
            for tid, name, role in TEAM
        ],
        "stakeholders": [dict(b.people[pid]) for ids in org_charts for pid in ids],
        "budgets": [
            {
                "id": bid,
                "account_id": acc,
                "name": f"{name} FY{fy}",
                "amount": amount,
                "currency": CURRENCIES[acc],
                "fiscal_year": fy,
                "category": category,
            }
            for bid, acc, name, amount, category in BUDGETS
        ],
        "opportunities": [_opportunity(b.today, *spec) for spec in OPPORTUNITIES],
        "controls": [
            {"stakeholder_id": b.p(ref), "budget_id": bid, "authority": authority}
            for ref, bid, authority in CONTROLS
        ],
        "roles": [_role(b, *spec) for spec in ROLES],
        "influences": _influences(b, org_charts),
        "coverage": [
            {"team_member_id": tm, "account_id": acc, "role": role} for tm, acc, role in COVERAGE
        ],
    }


def _opportunity(
    today: date, oid: str, account: str, name: str, stage: str, amount: int, close_in_days: int
) -> Batch:
    return {
        "id": oid,
        "account_id": account,
        "name": name,
        "stage": stage,
        "amount": amount,
        "close_date": (today + timedelta(days=close_in_days)).isoformat(),
    }


def _role(b: _PortfolioBuilder, ref: str, role: str, stance: int, target: str) -> Batch:
    row: Batch = {"stakeholder_id": b.p(ref), "role": role, "stance": stance}
    row["opportunity_id" if "-opp-" in target else "account_id"] = target
    return row


def _influences(b: _PortfolioBuilder, org_charts: list[list[str]]) -> list[Batch]:
    """:data:`INFLUENCES`, then peer influence among VPs and directors drawn at random
    but never touching the plant-capex owner's team (weak spot 7 needs the champion to
    be its only way in)."""
    influences = [{"from_id": b.p(a), "to_id": b.p(c), "strength": s} for a, c, s in INFLUENCES]
    protected = {b.p("acme:d_mfg_eng"), *b.directs.get(b.p("acme:d_mfg_eng"), [])}
    seen = {(r["from_id"], r["to_id"]) for r in influences}
    for ids in org_charts:
        pool = [
            pid
            for pid in ids
            if b.people[pid]["seniority"] in ("vp", "director") and pid not in protected
        ]
        for _ in range(len(ids) // 5):
            src, dst = b.rng.sample(pool, 2)
            if (src, dst) in seen or (dst, src) in seen:
                continue
            seen.add((src, dst))
            influences.append(
                {"from_id": src, "to_id": dst, "strength": round(b.rng.uniform(0.2, 0.8), 2)}
            )
    return influences


# -- our side: interactions over the year, and the relationship rows they back ------------


def _history(b: _PortfolioBuilder, ties: list[_Tie], derived_ties: list[_Tie]) -> _History:
    t = b.time
    history = _History(
        moments={name: t.at(days, hour) for name, (days, hour) in STEP_TIMES.items()},
        relationships={name: [] for name in STEP_TIMES},
        interactions={name: [] for name in STEP_TIMES},
    )
    knows_by_tm: dict[str, list[_Tie]] = {}
    for tie in ties:
        knows_by_tm.setdefault(tie.team_member_id, []).append(tie)
    interactions = _draw_interactions(b, ties + derived_ties, knows_by_tm)
    # A tie's contacts include the group meetings its person joined.
    for moment, _kind, tms, people in interactions:
        for other in people[1:]:
            for tie in knows_by_tm[tms[0]]:
                if tie.stakeholder_id == other:
                    tie.contacts.append(moment)
    for n, (moment, kind, tms, people) in enumerate(interactions, start=1):
        history.interactions[history.step_of(moment)].append(
            {
                "id": f"int-{n:04d}",
                "kind": kind,
                "at": _iso(moment),
                "team_member_ids": tms,
                "stakeholder_ids": people,
            }
        )
    steps = list(STEP_TIMES)
    for tie in ties:
        start_step = (
            steps[0] if tie.start_days_ago >= 365 else history.step_of(t.at(tie.start_days_ago, 8))
        )
        final_step = history.step_of(max(tie.contacts))
        if steps.index(final_step) < steps.index(start_step):
            final_step = start_step
        if final_step != start_step:
            # an earlier, weaker version of the tie: the later sync raises it
            history.relationships[start_step].append(
                _relationship(b, history, tie, start_step, round(tie.strength * 0.7, 2))
            )
        history.relationships[final_step].append(
            _relationship(b, history, tie, final_step, tie.strength)
        )
    return history


def _draw_interactions(
    b: _PortfolioBuilder, ties: list[_Tie], knows_by_tm: dict[str, list[_Tie]]
) -> list[Interaction]:
    """Each tie's interactions spread over its window within the last year, by time."""
    interactions: list[Interaction] = []
    for tie in ties:
        count = (
            tie.interactions if tie.interactions is not None else max(1, round(tie.strength * 10))
        )
        latest = min(tie.start_days_ago, 364)
        for i in range(count):
            days_ago = tie.end_days_ago if i == 0 else b.rng.randint(tie.end_days_ago, latest)
            moment = b.time.at(days_ago, b.rng.randint(8, 16), b.rng.choice((0, 15, 30, 45)))
            kind = (
                tie.kinds[i]
                if tie.kinds
                else b.rng.choices(INTERACTION_KINDS, INTERACTION_KIND_WEIGHTS)[0]
            )
            people = [tie.stakeholder_id]
            # Now and then a colleague the same team member knows joins (same account,
            # tie in its window): a group meeting, never a new pair of ours.
            if tie.strength > 0 and b.rng.random() < 0.3:
                account = b.people[tie.stakeholder_id]["account_id"]
                peers = [
                    other.stakeholder_id
                    for other in knows_by_tm[tie.team_member_id]
                    if other is not tie
                    and b.people[other.stakeholder_id]["account_id"] == account
                    and other.end_days_ago <= days_ago <= min(other.start_days_ago, 364)
                ]
                if peers:
                    people.append(b.rng.choice(peers))
            interactions.append((moment, kind, [tie.team_member_id], people))
            tie.contacts.append(moment)
    interactions.sort(key=lambda x: (x[0], x[2], x[3], x[1]))
    return interactions


def _relationship(
    b: _PortfolioBuilder, history: _History, tie: _Tie, step: str, strength: float
) -> Batch:
    before = [c for c in tie.contacts if c <= history.moments[step]]
    last = max(before) if before else b.time.at(tie.start_days_ago)
    return {
        "team_member_id": tie.team_member_id,
        "stakeholder_id": tie.stakeholder_id,
        "strength": strength,
        "last_contact": last.date().isoformat(),
    }


# -- the stories after the first sync ------------------------------------------------------


def _mover(b: _PortfolioBuilder, history: _History) -> BatchStep:
    """Weak spot 6: the director of branch operations moves to Bluebird; their managers
    go to their former VP."""
    mover = b.p("northwind:d_branch")
    first, last = b.people[mover]["name"].lower().split()
    moved = b.row(
        mover,
        account_id="bluebird",
        title="VP Customer Experience",
        department="Operations",
        seniority="vp",
        email=f"{first}.{last}@{BLUEBIRD.domain}",
        reports_to=b.p("bluebird:coo"),
    )
    rehomed = [b.row(m, reports_to=b.p("northwind:vp_retail_ops")) for m in b.directs[mover]]
    return history.batch("mover", stakeholders=[moved, *rehomed])


def _acme_reorg(b: _PortfolioBuilder, history: _History) -> BatchStep:
    """Weak spot 4: Acme's reorg under a new Chief Digital Officer, who takes over two
    VPs from the CIO and the digital budget."""
    cdo = b.p("acme:cdo")
    moved = [
        b.row(b.p(f"acme:{k}"), reports_to=cdo, department="Digital")
        for k in ("vp_apps", "vp_data")
    ]
    return history.batch(
        "acme-reorg",
        stakeholders=[b.row(cdo), *moved],
        controls=[
            {"stakeholder_id": cdo, "budget_id": "acme-bud-digital", "authority": "owner"},
            {
                "stakeholder_id": b.p("acme:cio"),
                "budget_id": "acme-bud-digital",
                "authority": "recommender",
            },
        ],
        roles=[
            _role(b, "acme:cdo", "decision_maker", 1, "acme-opp-mes"),
            _role(b, "acme:cdo", "influencer", 1, "acme"),
        ],
        influences=[
            {"from_id": cdo, "to_id": b.p("acme:ceo"), "strength": 0.7},
            {"from_id": b.p("acme:vp_data"), "to_id": cdo, "strength": 0.6},
        ],
    )


def _champion_leaves(b: _PortfolioBuilder) -> DepartureStep:
    """Weak spot 2: Northwind's champion leaves."""
    days_ago, hour = DEPARTURE_TIME
    return DepartureStep(
        "champion-leaves", b.p("northwind:vp_digital"), _iso(b.time.at(days_ago, hour))
    )


def _northwind_backfill(b: _PortfolioBuilder, history: _History) -> BatchStep:
    """The departed champion's directors now report to the CIO."""
    champion = b.p("northwind:vp_digital")
    return history.batch(
        "northwind-backfill",
        stakeholders=[b.row(d, reports_to=b.p("northwind:cio")) for d in b.directs[champion]],
    )


def _current_sync(b: _PortfolioBuilder, history: _History) -> BatchStep:
    """Yesterday's sync: current tie strengths, a new opportunity, MES at proposal."""
    return history.batch(
        "current-sync",
        opportunities=[
            _opportunity(b.today, *FRAUD_OPPORTUNITY),
            {**_opportunity(b.today, *OPPORTUNITIES[0]), "stage": "proposal"},
        ],
        roles=[_role(b, "northwind:cro", "influencer", 0, "northwind-opp-fraud")],
    )


def _weak_spots(b: _PortfolioBuilder) -> WeakSpots:
    p = b.p
    return WeakSpots(
        left_champion=p("northwind:vp_digital"),
        dark_economic_buyer=p("northwind:cfo"),
        reorg_new_manager=p("acme:cdo"),
        reorg_previous_manager=p("acme:cio"),
        reorg_moved=(p("acme:vp_apps"), p("acme:vp_data")),
        influential_detractor=p("acme:cpo"),
        mover=p("northwind:d_branch"),
        lone_owner=p("acme:d_mfg_eng"),
        lone_owner_gateway_champion=p("acme:vp_mfg"),
    )
