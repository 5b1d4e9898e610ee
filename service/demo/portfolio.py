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
``tests/integration/test_demo_portfolio.py``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

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


# --------------------------------------------------------------------------------------
# Org-chart specification. Keys name positions; ids are assigned in the documented order.


@dataclass(frozen=True)
class _Director:
    key: str
    area: str
    managers: tuple[int, int] | None = None  # (min, max) managers; None = account default


@dataclass(frozen=True)
class _Vp:
    key: str
    title: str
    directors: tuple[_Director, ...]
    seniority: str = "vp"


@dataclass(frozen=True)
class _Chief:
    key: str
    title: str
    department: str
    vps: tuple[_Vp, ...] = ()


@dataclass(frozen=True)
class _Staff:
    key: str
    title: str
    department: str
    seniority: str


@dataclass(frozen=True)
class _AccountSpec:
    id: str
    name: str
    tier: str
    industry: str
    annual_revenue: float
    domain: str
    staff: tuple[_Staff, ...]
    chiefs: tuple[_Chief, ...]
    managers_per_director: tuple[int, int]


def _d(key: str, area: str, managers: tuple[int, int] | None = None) -> _Director:
    return _Director(key, area, managers)


ACME: Final = _AccountSpec(
    id="acme",
    name="Acme Manufacturing",
    tier="strategic",
    industry="Industrial manufacturing",
    annual_revenue=5.2e9,
    domain="acme-mfg.example",
    staff=(_Staff("cos", "Chief of Staff to the CEO", "Executive Office", "director"),),
    chiefs=(
        _Chief(
            "cfo",
            "Chief Financial Officer",
            "Finance",
            (
                _Vp(
                    "vp_controller",
                    "VP Finance & Corporate Controller",
                    (_d("d_reporting", "Financial Reporting"), _d("d_acctops", "Accounting")),
                ),
                _Vp(
                    "vp_fpa",
                    "VP Financial Planning & Analysis",
                    (_d("d_bizplan", "Business Planning"), _d("d_capplan", "Capital Planning")),
                ),
            ),
        ),
        _Chief(
            "cio",
            "Chief Information Officer",
            "Information Technology",
            (
                _Vp(
                    "vp_infra",
                    "VP Infrastructure & Operations",
                    (_d("d_cloud", "Cloud Platforms"), _d("d_network", "Network Services")),
                ),
                _Vp(
                    "ciso",
                    "Chief Information Security Officer",
                    (_d("d_secops", "Security Operations"),),
                ),
                # the two VPs the reorg moves to the new Chief Digital Officer
                _Vp(
                    "vp_apps",
                    "VP Enterprise Applications",
                    (_d("d_erp", "ERP Systems"), _d("d_mes", "Manufacturing Systems")),
                ),
                _Vp(
                    "vp_data",
                    "VP Data & Analytics",
                    (_d("d_data_eng", "Data Engineering"), _d("d_analytics", "Analytics")),
                ),
            ),
        ),
        _Chief(
            "coo",
            "Chief Operating Officer",
            "Operations",
            (
                _Vp(
                    "vp_mfg",
                    "VP Manufacturing",
                    (
                        _d("d_mfg_eng", "Manufacturing Engineering", (2, 2)),
                        _d("d_plant_ops", "Plant Operations", (2, 3)),
                        _d("d_lean", "Lean & Continuous Improvement"),
                    ),
                ),
                _Vp(
                    "vp_supply",
                    "VP Supply Chain",
                    (_d("d_logistics", "Logistics"), _d("d_demand", "Demand Planning")),
                ),
                _Vp("vp_quality", "VP Quality", (_d("d_qa", "Quality Assurance"),)),
            ),
        ),
        _Chief(
            "cpo",
            "Chief Procurement Officer",
            "Procurement",
            (
                _Vp(
                    "vp_sourcing",
                    "VP Strategic Sourcing",
                    (_d("d_indirect", "Indirect Procurement"), _d("d_itproc", "IT Procurement")),
                ),
            ),
        ),
        _Chief(
            "cto",
            "Chief Technology Officer",
            "Engineering",
            (
                _Vp(
                    "vp_product_eng",
                    "VP Product Engineering",
                    (_d("d_mech", "Mechanical Engineering"), _d("d_embedded", "Embedded Software")),
                ),
                _Vp(
                    "vp_rnd",
                    "VP Research & Development",
                    (_d("d_materials", "Advanced Materials"),),
                ),
            ),
        ),
        _Chief(
            "chro",
            "Chief Human Resources Officer",
            "Human Resources",
            (_Vp("vp_talent", "VP Talent", (_d("d_ta", "Talent Acquisition"),)),),
        ),
        _Chief(
            "cco",
            "Chief Commercial Officer",
            "Sales & Marketing",
            (
                _Vp("vp_sales", "VP Sales EMEA", (_d("d_channel", "Channel Sales"),)),
                _Vp("vp_marketing", "VP Marketing", (_d("d_digital_mkt", "Digital Marketing"),)),
            ),
        ),
    ),
    managers_per_director=(0, 2),
)
NORTHWIND: Final = _AccountSpec(
    id="northwind",
    name="Northwind Bank",
    tier="key",
    industry="Financial services",
    annual_revenue=3.1e9,
    domain="northwind-bank.example",
    staff=(
        _Staff(
            "ea", "Executive Assistant to the CEO", "Executive Office", "individual_contributor"
        ),
    ),
    chiefs=(
        _Chief(
            "cfo",
            "Chief Financial Officer",
            "Finance",
            (
                _Vp(
                    "vp_control",
                    "VP Financial Control",
                    (
                        _d("d_regrep", "Regulatory Reporting"),
                        _d("d_finacct", "Financial Accounting"),
                    ),
                ),
                _Vp("treasurer", "Group Treasurer", (_d("d_liquidity", "Liquidity Management"),)),
            ),
        ),
        _Chief(
            "cio",
            "Chief Information Officer",
            "Technology",
            (
                _Vp(
                    "vp_core",
                    "VP Core Banking Platforms",
                    (_d("d_payments", "Payments Technology"), _d("d_core", "Core Systems")),
                ),
                _Vp("vp_infra", "VP IT Infrastructure", (_d("d_dc", "Data Centre & Cloud"),)),
                # the champion who leaves
                _Vp(
                    "vp_digital",
                    "VP Digital Channels",
                    (_d("d_mobile", "Mobile Banking"), _d("d_online", "Online Banking")),
                ),
            ),
        ),
        _Chief(
            "cro",
            "Chief Risk Officer",
            "Risk",
            (
                _Vp(
                    "vp_credit",
                    "VP Credit Risk",
                    (_d("d_credit_analytics", "Credit Risk Analytics"),),
                ),
                _Vp("vp_oprisk", "VP Operational Risk", (_d("d_risktech", "Risk Technology"),)),
            ),
        ),
        _Chief(
            "coo",
            "Chief Operating Officer",
            "Operations",
            (
                _Vp(
                    "vp_retail_ops",
                    "VP Retail Banking Operations",
                    # the director of branch operations moves to Bluebird
                    (
                        _d("d_contact", "Contact Centre"),
                        _d("d_branch", "Branch Operations", (2, 2)),
                    ),
                ),
                _Vp(
                    "vp_procurement",
                    "VP Procurement & Vendor Management",
                    (_d("d_vendor", "Vendor Management"),),
                ),
            ),
        ),
        _Chief(
            "cdo",
            "Chief Data Officer",
            "Data",
            (_Vp("vp_governance", "VP Data Governance", (_d("d_dq", "Data Quality"),)),),
        ),
        _Chief(
            "chro",
            "Chief People Officer",
            "Human Resources",
            (_Vp("vp_people", "VP People Operations", (_d("d_hrbp", "HR Business Partners"),)),),
        ),
        _Chief(
            "gc",
            "General Counsel",
            "Legal",
            (_Vp("dgc", "Deputy General Counsel", (_d("d_compliance", "Compliance"),)),),
        ),
    ),
    managers_per_director=(1, 2),
)
BLUEBIRD: Final = _AccountSpec(
    id="bluebird",
    name="Bluebird Retail",
    tier="standard",
    industry="Retail",
    annual_revenue=1.4e9,
    domain="bluebird-retail.example",
    staff=(),
    chiefs=(
        _Chief(
            "cfo",
            "Chief Financial Officer",
            "Finance",
            (_Vp("vp_finance", "VP Finance", (_d("d_fp", "Financial Planning"),)),),
        ),
        _Chief(
            "cio",
            "Chief Information Officer",
            "Information Technology",
            (
                _Vp(
                    "vp_digital_tech",
                    "VP Digital Commerce Technology",
                    (_d("d_ecom", "E-commerce Platforms"),),
                ),
                _Vp("vp_itops", "VP IT Operations", (_d("d_store_sys", "Store Systems"),)),
            ),
        ),
        _Chief(
            "coo",
            "Chief Operating Officer",
            "Operations",
            (
                _Vp(
                    "vp_stores",
                    "VP Store Operations",
                    (
                        _d("d_north", "Regional Operations North"),
                        _d("d_south", "Regional Operations South"),
                    ),
                ),
                _Vp(
                    "vp_supply",
                    "VP Supply Chain & Logistics",
                    (_d("d_dcs", "Distribution Centres"),),
                ),
            ),
        ),
        _Chief(
            "cmo",
            "Chief Marketing Officer",
            "Marketing",
            (_Vp("vp_cust_mkt", "VP Customer Marketing", (_d("d_loyalty", "Loyalty Programme"),)),),
        ),
        _Chief(
            "cmero",
            "Chief Merchandising Officer",
            "Merchandising",
            (
                _Vp(
                    "vp_merch_planning",
                    "VP Merchandise Planning",
                    (_d("d_category", "Category Management"),),
                ),
            ),
        ),
    ),
    managers_per_director=(1, 3),
)

TEAM: Final = (
    ("tm-ava", "Ava Thompson", "account_manager"),
    ("tm-ben", "Ben Okafor", "account_manager"),
    ("tm-chloe", "Chloe Martin", "solution_engineer"),
    ("tm-dev", "Dev Patel", "customer_success"),
    ("tm-elena", "Elena Rossi", "exec_sponsor"),
    ("tm-farah", "Farah Haddad", "account_manager"),
    ("tm-gus", "Gus Lindqvist", "sales_director"),
)
COVERAGE: Final = (
    ("tm-ava", "acme", "account_manager"),
    ("tm-elena", "acme", "exec_sponsor"),
    ("tm-gus", "acme", "sales_director"),
    ("tm-ben", "northwind", "account_manager"),
    ("tm-chloe", "northwind", "solution_engineer"),
    ("tm-dev", "northwind", "customer_success"),
    ("tm-elena", "northwind", "exec_sponsor"),
    ("tm-farah", "bluebird", "account_manager"),
    ("tm-chloe", "bluebird", "solution_engineer"),
    ("tm-dev", "bluebird", "customer_success"),
)

FIRST_NAMES: Final = (
    "Aaliyah",
    "Adrian",
    "Aiko",
    "Alejandro",
    "Amara",
    "Anders",
    "Anika",
    "Arjun",
    "Astrid",
    "Beatriz",
    "Bilal",
    "Bjorn",
    "Camille",
    "Carlos",
    "Chiara",
    "Cyrus",
    "Dalia",
    "Daniel",
    "Daria",
    "Diego",
    "Dmitri",
    "Elif",
    "Emeka",
    "Emma",
    "Esther",
    "Fatima",
    "Felix",
    "Freya",
    "Gabriel",
    "Grace",
    "Hamza",
    "Hannah",
    "Hiro",
    "Ines",
    "Isaac",
    "Ivana",
    "Jamal",
    "Jana",
    "Javier",
    "Jonas",
    "Julia",
    "Kai",
    "Kamala",
    "Karim",
    "Katarina",
    "Kenji",
    "Lars",
    "Leila",
    "Liam",
    "Lucia",
    "Luca",
    "Magnus",
    "Maya",
    "Mateo",
    "Mei",
    "Miguel",
    "Mira",
    "Nadia",
    "Naomi",
    "Nikhil",
    "Nina",
    "Noah",
    "Olga",
    "Omar",
    "Oscar",
    "Paloma",
    "Priya",
    "Rafael",
    "Rania",
    "Ravi",
    "Rosa",
    "Samir",
    "Sana",
    "Sofia",
    "Stefan",
    "Tariq",
    "Thea",
    "Tomas",
    "Uma",
    "Valentina",
    "Viktor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zara",
    "Zoe",
)
LAST_NAMES: Final = (
    "Abara",
    "Andersson",
    "Bauer",
    "Becker",
    "Bianchi",
    "Brennan",
    "Carvalho",
    "Castillo",
    "Chen",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Fontaine",
    "Garcia",
    "Gupta",
    "Hakimi",
    "Hansen",
    "Ibrahim",
    "Ito",
    "Jansen",
    "Kaur",
    "Keller",
    "Kim",
    "Kowalski",
    "Larsen",
    "Laurent",
    "Lopez",
    "Mahmoud",
    "Marino",
    "Mendes",
    "Meyer",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Novak",
    "Nowak",
    "Oduya",
    "Olsen",
    "Park",
    "Petrov",
    "Quinn",
    "Rahman",
    "Reyes",
    "Richter",
    "Rossi",
    "Sato",
    "Schmidt",
    "Sharma",
    "Silva",
    "Singh",
    "Sorensen",
    "Tanaka",
    "Torres",
    "Vasquez",
    "Vogel",
    "Walsh",
    "Weber",
    "Yilmaz",
    "Zhang",
)

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
        spec: _AccountSpec,
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

    def org_chart(self, spec: _AccountSpec) -> list[str]:
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
        vps: list[tuple[_Vp, _Chief, str]] = []
        for chief in spec.chiefs:
            for vp in chief.vps:
                vps.append(
                    (
                        vp,
                        chief,
                        add(vp.key, vp.title, chief.department, vp.seniority, chief_ids[chief.key]),
                    )
                )
        directors: list[tuple[_Director, _Chief, str]] = []
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
        spec: _AccountSpec,
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


def build_demo_portfolio(today: date | None = None, seed: int = DEMO_SEED) -> DemoPortfolio:
    """The demo's steps, with every date relative to ``today`` (default: today, UTC).

    >>> demo = build_demo_portfolio(date(2026, 6, 30))
    >>> [s.name for s in demo.steps][:2], demo.steps[0].effective_at
    (['initial-sync', 'mover'], '2025-06-30T09:00:00Z')
    >>> sum(len(b.get("stakeholders", [])) for b in demo.batches()) >= 150
    True
    """
    today = today or datetime.now(UTC).date()
    b = _PortfolioBuilder(today, seed)
    t = b.time
    fy = today.year + 1

    # -- accounts and org charts (as of a year ago) -------------------------------
    acme_ids = b.org_chart(ACME)
    nw_ids = b.org_chart(NORTHWIND)
    bb_ids = b.org_chart(BLUEBIRD)
    p = b.p

    dotted = [
        # matrix lines: IT people serving the business, finance partnering operations
        ("acme:d_mes", "acme:vp_mfg"),
        ("acme:d_itproc", "acme:cio"),
        ("acme:d_capplan", "acme:coo"),
        ("acme:ciso", "acme:cfo"),
        ("northwind:d_risktech", "northwind:cio"),
        ("northwind:vp_oprisk", "northwind:coo"),
        ("northwind:d_dq", "northwind:cro"),
        ("bluebird:d_ecom", "bluebird:cmo"),
        ("bluebird:d_store_sys", "bluebird:vp_stores"),
    ]
    for person, manager in dotted:
        row = b.people[p(person)]
        row.setdefault("dotted_reports_to", []).append(p(manager))

    accounts = [
        {
            "id": s.id,
            "name": s.name,
            "tier": s.tier,
            "industry": s.industry,
            "annual_revenue": s.annual_revenue,
        }
        for s in (ACME, NORTHWIND, BLUEBIRD)
    ]
    team = [
        {
            "id": tid,
            "name": name,
            "email": f"{name.lower().replace(' ', '.')}@ourco.example",
            "role": role,
        }
        for tid, name, role in TEAM
    ]
    coverage = [
        {"team_member_id": tm, "account_id": acc, "role": role} for tm, acc, role in COVERAGE
    ]

    budgets = [
        ("acme-bud-plant-capex", "acme", f"Plant modernisation capex FY{fy}", 4_800_000, "capex"),
        ("acme-bud-it-opex", "acme", f"IT operating budget FY{fy}", 12_500_000, "it"),
        ("acme-bud-digital", "acme", f"Digital transformation programme FY{fy}", 6_000_000, "it"),
        ("acme-bud-supply", "acme", f"Supply-chain resilience FY{fy}", 2_200_000, "operations"),
        (
            "northwind-bud-cloud",
            "northwind",
            f"Core banking cloud migration FY{fy}",
            9_000_000,
            "it",
        ),
        ("northwind-bud-it-run", "northwind", f"Technology run budget FY{fy}", 21_000_000, "it"),
        ("northwind-bud-risk", "northwind", f"Risk systems FY{fy}", 3_400_000, "risk"),
        ("bluebird-bud-ecom", "bluebird", f"E-commerce platform FY{fy}", 1_600_000, "it"),
        ("bluebird-bud-stores", "bluebird", f"Store systems refresh FY{fy}", 2_900_000, "capex"),
    ]
    currency = {"acme": "USD", "northwind": "EUR", "bluebird": "GBP"}
    budget_rows = [
        {
            "id": bid,
            "account_id": acc,
            "name": name,
            "amount": amount,
            "currency": currency[acc],
            "fiscal_year": fy,
            "category": cat,
        }
        for bid, acc, name, amount, cat in budgets
    ]
    controls_spec = [
        ("acme:d_mfg_eng", "acme-bud-plant-capex", "owner"),
        ("acme:coo", "acme-bud-plant-capex", "approver"),
        ("acme:d_mfg_eng.m1", "acme-bud-plant-capex", "recommender"),
        ("acme:cio", "acme-bud-it-opex", "owner"),
        ("acme:cfo", "acme-bud-it-opex", "approver"),
        ("acme:vp_infra", "acme-bud-it-opex", "recommender"),
        ("acme:cio", "acme-bud-digital", "owner"),
        ("acme:cfo", "acme-bud-digital", "approver"),
        ("acme:vp_data", "acme-bud-digital", "recommender"),
        ("acme:vp_supply", "acme-bud-supply", "owner"),
        ("acme:coo", "acme-bud-supply", "approver"),
        ("acme:cpo", "acme-bud-supply", "signatory"),
        ("northwind:cfo", "northwind-bud-cloud", "owner"),
        ("northwind:ceo", "northwind-bud-cloud", "approver"),
        ("northwind:cio", "northwind-bud-cloud", "recommender"),
        ("northwind:vp_digital", "northwind-bud-cloud", "recommender"),
        ("northwind:cio", "northwind-bud-it-run", "owner"),
        ("northwind:cfo", "northwind-bud-it-run", "approver"),
        ("northwind:vp_infra", "northwind-bud-it-run", "recommender"),
        ("northwind:cro", "northwind-bud-risk", "owner"),
        ("northwind:cfo", "northwind-bud-risk", "approver"),
        ("northwind:d_risktech", "northwind-bud-risk", "recommender"),
        ("bluebird:cio", "bluebird-bud-ecom", "owner"),
        ("bluebird:cfo", "bluebird-bud-ecom", "approver"),
        ("bluebird:vp_digital_tech", "bluebird-bud-ecom", "recommender"),
        ("bluebird:coo", "bluebird-bud-stores", "owner"),
        ("bluebird:cfo", "bluebird-bud-stores", "approver"),
        ("bluebird:vp_finance", "bluebird-bud-stores", "signatory"),
    ]
    controls = [
        {"stakeholder_id": p(ref), "budget_id": bid, "authority": auth}
        for ref, bid, auth in controls_spec
    ]

    def opp(
        oid: str, acc: str, name: str, stage: str, amount: int, close_in_days: int
    ) -> dict[str, Any]:
        return {
            "id": oid,
            "account_id": acc,
            "name": name,
            "stage": stage,
            "amount": amount,
            "close_date": (today + timedelta(days=close_in_days)).isoformat(),
        }

    opportunities = [
        opp("acme-opp-mes", "acme", "MES platform rollout", "qualification", 1_800_000, 150),
        opp(
            "acme-opp-renewal", "acme", "Enterprise licence renewal", "closed_won", 2_400_000, -240
        ),
        opp(
            "northwind-opp-cloud",
            "northwind",
            "Core banking cloud migration",
            "proposal",
            3_200_000,
            60,
        ),
        opp(
            "bluebird-opp-omni",
            "bluebird",
            "Omnichannel order management",
            "qualification",
            450_000,
            120,
        ),
    ]

    # (person, role, stance, target): target is an account id or an opportunity id
    roles_spec = [
        ("acme:ceo", "decision_maker", 0, "acme"),
        ("acme:cfo", "economic_buyer", 1, "acme"),
        ("acme:cio", "technical_buyer", 1, "acme"),
        ("acme:cio", "decision_maker", 1, "acme-opp-mes"),
        ("acme:coo", "decision_maker", 1, "acme-opp-mes"),
        ("acme:cfo", "economic_buyer", 0, "acme-opp-mes"),
        ("acme:vp_mfg", "champion", 2, "acme"),
        ("acme:vp_mfg", "champion", 2, "acme-opp-mes"),
        ("acme:cpo", "detractor", -2, "acme"),
        ("acme:cpo", "detractor", -2, "acme-opp-mes"),
        ("acme:cos", "gatekeeper", 0, "acme"),
        ("acme:d_itproc", "gatekeeper", -1, "acme-opp-mes"),
        ("acme:vp_data", "influencer", 1, "acme"),
        ("acme:d_mes", "coach", 2, "acme-opp-mes"),
        ("acme:d_plant_ops", "user", 1, "acme-opp-mes"),
        ("acme:vp_apps", "champion", 1, "acme-opp-renewal"),
        ("acme:cio", "economic_buyer", 1, "acme-opp-renewal"),
        ("northwind:ceo", "decision_maker", 0, "northwind"),
        ("northwind:cfo", "economic_buyer", 0, "northwind"),
        ("northwind:cfo", "economic_buyer", 0, "northwind-opp-cloud"),
        ("northwind:cio", "decision_maker", 1, "northwind"),
        ("northwind:cio", "decision_maker", 1, "northwind-opp-cloud"),
        ("northwind:vp_digital", "champion", 2, "northwind"),
        ("northwind:vp_digital", "champion", 2, "northwind-opp-cloud"),
        ("northwind:cro", "detractor", -1, "northwind-opp-cloud"),
        ("northwind:vp_procurement", "gatekeeper", -1, "northwind"),
        ("northwind:d_vendor", "gatekeeper", 0, "northwind-opp-cloud"),
        ("northwind:vp_core", "technical_buyer", 1, "northwind-opp-cloud"),
        ("northwind:d_mobile", "coach", 2, "northwind"),
        ("northwind:cdo", "influencer", 1, "northwind"),
        ("northwind:d_payments", "user", 1, "northwind-opp-cloud"),
        ("bluebird:ceo", "decision_maker", 0, "bluebird"),
        ("bluebird:cfo", "economic_buyer", 1, "bluebird"),
        ("bluebird:cio", "decision_maker", 1, "bluebird-opp-omni"),
        ("bluebird:vp_digital_tech", "champion", 2, "bluebird"),
        ("bluebird:vp_digital_tech", "champion", 2, "bluebird-opp-omni"),
        ("bluebird:cmo", "influencer", 1, "bluebird"),
        ("bluebird:vp_supply", "detractor", -1, "bluebird-opp-omni"),
        ("bluebird:vp_finance", "gatekeeper", 0, "bluebird-opp-omni"),
        ("bluebird:d_store_sys", "user", 1, "bluebird-opp-omni"),
    ]

    def role_row(ref: str, role: str, stance: int, target: str) -> dict[str, Any]:
        row: dict[str, Any] = {"stakeholder_id": p(ref), "role": role, "stance": stance}
        row["opportunity_id" if "-opp-" in target else "account_id"] = target
        return row

    roles = [role_row(*spec) for spec in roles_spec]

    influence_spec = [
        # the detractor's web (weak spot 5)
        ("acme:cpo", "acme:ceo", 0.8),
        ("acme:cpo", "acme:cfo", 0.85),
        ("acme:cpo", "acme:coo", 0.7),
        ("acme:cpo", "acme:cio", 0.65),
        ("acme:ceo", "acme:cpo", 0.6),
        ("acme:cfo", "acme:cpo", 0.75),
        ("acme:coo", "acme:cpo", 0.5),
        ("acme:vp_sourcing", "acme:cpo", 0.8),
        ("acme:d_itproc", "acme:cpo", 0.6),
        ("acme:d_indirect", "acme:cpo", 0.7),
        ("acme:cio", "acme:cpo", 0.4),
        # the rest of Acme
        ("acme:cfo", "acme:ceo", 0.7),
        ("acme:coo", "acme:ceo", 0.6),
        ("acme:cos", "acme:ceo", 0.65),
        ("acme:vp_mfg", "acme:coo", 0.7),
        ("acme:vp_mfg", "acme:d_mfg_eng", 0.8),
        ("acme:vp_data", "acme:cio", 0.55),
        ("acme:vp_apps", "acme:cio", 0.5),
        ("acme:d_mes", "acme:vp_apps", 0.5),
        ("acme:vp_fpa", "acme:cfo", 0.6),
        ("acme:cto", "acme:ceo", 0.45),
        ("northwind:cio", "northwind:ceo", 0.6),
        ("northwind:cfo", "northwind:ceo", 0.8),
        ("northwind:cro", "northwind:cfo", 0.7),
        ("northwind:cro", "northwind:ceo", 0.5),
        ("northwind:vp_digital", "northwind:cio", 0.75),
        ("northwind:vp_digital", "northwind:cfo", 0.35),
        ("northwind:treasurer", "northwind:cfo", 0.65),
        ("northwind:vp_control", "northwind:cfo", 0.5),
        ("northwind:cdo", "northwind:cio", 0.45),
        ("northwind:vp_procurement", "northwind:coo", 0.55),
        ("northwind:vp_core", "northwind:cio", 0.6),
        ("northwind:d_mobile", "northwind:vp_digital", 0.5),
        ("bluebird:cmo", "bluebird:ceo", 0.6),
        ("bluebird:cfo", "bluebird:ceo", 0.7),
        ("bluebird:vp_digital_tech", "bluebird:cio", 0.7),
        ("bluebird:vp_supply", "bluebird:coo", 0.4),
        ("bluebird:cmero", "bluebird:ceo", 0.5),
        ("bluebird:d_ecom", "bluebird:vp_digital_tech", 0.55),
    ]
    influences = [{"from_id": p(a), "to_id": p(c), "strength": s} for a, c, s in influence_spec]
    # Peer influence among directors and VPs, drawn at random but never touching the
    # plant-capex owner's team (weak spot 7 needs the champion to be its only way in).
    protected = {p("acme:d_mfg_eng"), *b.directs.get(p("acme:d_mfg_eng"), [])}
    seen = {(r["from_id"], r["to_id"]) for r in influences}
    for ids in (acme_ids, nw_ids, bb_ids):
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

    # Acme's Chief Digital Officer joins at the reorg (weak spot 4); hired here so her
    # tie with Ava goes through the same interaction timeline as every other tie.
    cdo = b.hire(ACME, 901, "cdo", "Chief Digital Officer", "Digital", "c_level", p("acme:ceo"))

    # -- our relationships -------------------------------------------------------
    ties = [
        # Acme: everything through Ava (weak spot 1)
        _Tie("tm-ava", p("acme:vp_mfg"), 0.85, 400, 4),
        _Tie("tm-ava", p("acme:cio"), 0.7, 400, 9),
        _Tie("tm-ava", p("acme:cfo"), 0.45, 400, 30),
        _Tie("tm-ava", p("acme:coo"), 0.4, 400, 40),
        _Tie("tm-ava", p("acme:vp_apps"), 0.6, 400, 12),
        _Tie("tm-ava", p("acme:vp_data"), 0.5, 300, 20),
        _Tie("tm-ava", p("acme:d_mes"), 0.75, 400, 6),
        _Tie("tm-ava", p("acme:d_erp"), 0.55, 250, 15),
        _Tie("tm-ava", p("acme:d_plant_ops"), 0.35, 200, 45),
        _Tie("tm-ava", cdo, 0.5, 95, 8),
        _Tie("tm-elena", p("acme:ceo"), 0.1, 300, 300, interactions=1, kinds=("event",)),
        # Northwind: multi-threaded, but the champion leaves and the CFO stays dark
        _Tie("tm-ben", p("northwind:vp_digital"), 0.85, 400, 101),
        _Tie("tm-chloe", p("northwind:vp_digital"), 0.6, 400, 110),
        _Tie("tm-ben", p("northwind:cio"), 0.75, 400, 5),
        _Tie("tm-ben", p("northwind:vp_core"), 0.6, 400, 14),
        _Tie("tm-ben", p("northwind:ceo"), 0.3, 400, 60),
        _Tie("tm-ben", p("northwind:cdo"), 0.5, 250, 25),
        _Tie("tm-ben", p("northwind:d_mobile"), 0.6, 400, 8),
        _Tie("tm-chloe", p("northwind:vp_core"), 0.7, 400, 3),
        _Tie("tm-chloe", p("northwind:d_payments"), 0.65, 400, 10),
        _Tie("tm-chloe", p("northwind:d_core"), 0.55, 300, 18),
        _Tie("tm-chloe", p("northwind:d_mobile"), 0.5, 400, 22),
        _Tie("tm-dev", p("northwind:d_branch"), 0.7, 400, 7),  # the mover (weak spot 6)
        _Tie("tm-dev", p("northwind:d_contact"), 0.6, 400, 11),
        _Tie("tm-dev", p("northwind:d_online"), 0.5, 400, 16),
        _Tie("tm-elena", p("northwind:ceo"), 0.55, 400, 35),
        _Tie("tm-elena", p("northwind:cio"), 0.4, 400, 50),
        _Tie("tm-ben", p("northwind:cro"), 0.25, 200, 70),
        # Bluebird
        _Tie("tm-farah", p("bluebird:cio"), 0.6, 400, 6),
        _Tie("tm-farah", p("bluebird:vp_digital_tech"), 0.8, 400, 2),
        _Tie("tm-farah", p("bluebird:cfo"), 0.4, 400, 28),
        _Tie("tm-farah", p("bluebird:cmo"), 0.35, 300, 33),
        _Tie("tm-farah", p("bluebird:ceo"), 0.3, 400, 55),
        _Tie("tm-chloe", p("bluebird:d_ecom"), 0.7, 400, 4),
        _Tie("tm-chloe", p("bluebird:vp_itops"), 0.45, 250, 19),
        _Tie("tm-dev", p("bluebird:vp_stores"), 0.5, 400, 13),
    ]
    # Ties that exist only through interactions (their strength is derived at ingest).
    derived_ties = [
        _Tie("tm-dev", p("bluebird:d_store_sys"), 0.0, 70, 3, interactions=6),
        _Tie("tm-farah", p("bluebird:d_loyalty"), 0.0, 120, 20, interactions=4),
        _Tie(
            "tm-chloe", p("northwind:d_dc"), 0.0, 360, 330, interactions=2, kinds=("email", "email")
        ),
    ]

    # -- interactions: per tie, spread over its window within the last year -----------
    step_moments = {name: t.at(days, hour) for name, (days, hour) in STEP_TIMES.items()}
    interactions: list[tuple[datetime, str, list[str], list[str]]] = []
    knows_by_tm: dict[str, list[_Tie]] = {}
    for tie in ties:
        knows_by_tm.setdefault(tie.team_member_id, []).append(tie)
    for tie in ties + derived_ties:
        count = (
            tie.interactions if tie.interactions is not None else max(1, round(tie.strength * 10))
        )
        latest = min(tie.start_days_ago, 364)
        for i in range(count):
            days_ago = tie.end_days_ago if i == 0 else b.rng.randint(tie.end_days_ago, latest)
            moment = t.at(days_ago, b.rng.randint(8, 16), b.rng.choice((0, 15, 30, 45)))
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
    interaction_rows = [
        {
            "id": f"int-{n:04d}",
            "kind": kind,
            "at": _iso(moment),
            "team_member_ids": tms,
            "stakeholder_ids": people,
        }
        for n, (moment, kind, tms, people) in enumerate(interactions, start=1)
    ]
    # A tie's contacts include the group meetings its person joined.
    for moment, _kind, tms, people in interactions:
        for other in people[1:]:
            for tie in knows_by_tm[tms[0]]:
                if tie.stakeholder_id == other:
                    tie.contacts.append(moment)

    steps_order = list(STEP_TIMES)

    def step_of(moment: datetime) -> str:
        """The first batch at or after ``moment`` (a CRM sync carries what happened before it)."""
        for name in steps_order:
            if step_moments[name] >= moment:
                return name
        raise AssertionError(f"no batch after {moment}")

    def relationship(tie: _Tie, step: str, strength: float) -> dict[str, Any]:
        before = [c for c in tie.contacts if c <= step_moments[step]]
        last = max(before) if before else t.at(tie.start_days_ago)
        return {
            "team_member_id": tie.team_member_id,
            "stakeholder_id": tie.stakeholder_id,
            "strength": strength,
            "last_contact": last.date().isoformat(),
        }

    relationships: dict[str, list[dict[str, Any]]] = {name: [] for name in steps_order}
    for tie in ties:
        start_step = (
            steps_order[0] if tie.start_days_ago >= 365 else step_of(t.at(tie.start_days_ago, 8))
        )
        final_step = step_of(max(tie.contacts))
        if steps_order.index(final_step) < steps_order.index(start_step):
            final_step = start_step
        if final_step != start_step:
            # an earlier, weaker version of the tie: the later sync raises it
            relationships[start_step].append(
                relationship(tie, start_step, round(tie.strength * 0.7, 2))
            )
        relationships[final_step].append(relationship(tie, final_step, tie.strength))
    interactions_by_step: dict[str, list[dict[str, Any]]] = {name: [] for name in steps_order}
    for row, (moment, *_rest) in zip(interaction_rows, interactions, strict=True):
        interactions_by_step[step_of(moment)].append(row)

    # -- the steps --------------------------------------------------------------
    def batch(name: str, **sections: list[dict[str, Any]]) -> BatchStep:
        effective_at = _iso(step_moments[name])
        body: Batch = {"effective_at": effective_at}
        for section, rows in sections.items():
            if rows:
                body[section] = rows
        if relationships[name]:
            body["relationships"] = relationships[name]
        if interactions_by_step[name]:
            body["interactions"] = interactions_by_step[name]
        return BatchStep(name, effective_at, body)

    initial = batch(
        "initial-sync",
        accounts=accounts,
        team_members=team,
        stakeholders=[dict(b.people[pid]) for pid in acme_ids + nw_ids + bb_ids],
        budgets=budget_rows,
        opportunities=opportunities,
        controls=controls,
        roles=roles,
        influences=influences,
        coverage=coverage,
    )

    # Weak spot 6: the director of branch operations moves to Bluebird; their managers
    # go to their former VP.
    mover = p("northwind:d_branch")
    mover_first, mover_last = b.people[mover]["name"].lower().split()
    moved = b.row(
        mover,
        account_id="bluebird",
        title="VP Customer Experience",
        department="Operations",
        seniority="vp",
        email=f"{mover_first}.{mover_last}@{BLUEBIRD.domain}",
        reports_to=p("bluebird:coo"),
    )
    rehomed = [b.row(m, reports_to=p("northwind:vp_retail_ops")) for m in b.directs[mover]]
    mover_step = batch(
        "mover",
        stakeholders=[moved, *rehomed],
    )

    # Weak spot 4: Acme's reorg under a new Chief Digital Officer.
    reorg_rows = [b.row(cdo)] + [
        b.row(p(f"acme:{k}"), reports_to=cdo, department="Digital") for k in ("vp_apps", "vp_data")
    ]
    reorg = batch(
        "acme-reorg",
        stakeholders=reorg_rows,
        controls=[
            {"stakeholder_id": cdo, "budget_id": "acme-bud-digital", "authority": "owner"},
            {
                "stakeholder_id": p("acme:cio"),
                "budget_id": "acme-bud-digital",
                "authority": "recommender",
            },
        ],
        roles=[
            role_row("acme:cdo", "decision_maker", 1, "acme-opp-mes"),
            role_row("acme:cdo", "influencer", 1, "acme"),
        ],
        influences=[
            {"from_id": cdo, "to_id": p("acme:ceo"), "strength": 0.7},
            {"from_id": p("acme:vp_data"), "to_id": cdo, "strength": 0.6},
        ],
    )

    champion = p("northwind:vp_digital")
    departure = DepartureStep(
        "champion-leaves", champion, _iso(t.at(DEPARTURE_TIME[0], DEPARTURE_TIME[1]))
    )
    backfill = batch(
        "northwind-backfill",
        stakeholders=[b.row(d, reports_to=p("northwind:cio")) for d in b.directs[champion]],
    )

    current = batch(
        "current-sync",
        opportunities=[
            opp(
                "northwind-opp-fraud",
                "northwind",
                "Real-time fraud analytics",
                "prospecting",
                900_000,
                200,
            ),
            {**opportunities[0], "stage": "proposal"},
        ],
        roles=[role_row("northwind:cro", "influencer", 0, "northwind-opp-fraud")],
    )

    steps: tuple[DemoStep, ...] = (initial, mover_step, reorg, departure, backfill, current)
    spots = WeakSpots(
        left_champion=champion,
        dark_economic_buyer=p("northwind:cfo"),
        reorg_new_manager=cdo,
        reorg_previous_manager=p("acme:cio"),
        reorg_moved=(p("acme:vp_apps"), p("acme:vp_data")),
        influential_detractor=p("acme:cpo"),
        mover=mover,
        lone_owner=p("acme:d_mfg_eng"),
        lone_owner_gateway_champion=p("acme:vp_mfg"),
    )
    return DemoPortfolio(today=today, seed=seed, steps=steps, weak_spots=spots)
