"""The account pull's rows become the analytics model without the model's own checks
repeated (service/graph/account_subgraph.py, ``_checked_maker``): the objects are the
ones the validating constructors make, the rows the model would refuse are still
dropped (or, for a role on an unknown kind of target, still refused), on hand-made and
random rows. Pure: no Neo4j."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from service.analytics.model import (
    AccountGraph,
    Budget,
    Controls,
    Influences,
    Knows,
    Opportunity,
    ReportsTo,
    Role,
    Stakeholder,
    TeamMember,
)
from service.graph import account_subgraph as pulls

AS_OF = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)
SAMPLES: list[tuple[type[Any], tuple[Any, ...]]] = [
    (Stakeholder, ("s1", "Ada", "CFO", None, "left", "vp")),
    (TeamMember, ("t1", "Tom", "active", "account_manager")),
    (Knows, ("t1", "s1", 0.7, AS_OF, "crm", "r1")),
    (Influences, ("s1", "s2", 0.3)),
    (ReportsTo, ("s1", "s2", "dotted", None, None, None)),
    (Role, ("s1", "champion", "opportunity", "o1", -2, "crm", "r2")),
    (Controls, ("s1", "b1", "owner")),
    (Budget, ("b1", "Cloud", 1.5e6, "EUR")),
    (Opportunity, ("o1", "Renewal", "proposal", None)),
]
MAKERS = {
    Stakeholder: pulls._stakeholder,
    TeamMember: pulls._team_member,
    Knows: pulls._knows,
    Influences: pulls._influences,
    ReportsTo: pulls._reports_to,
    Role: pulls._role,
    Controls: pulls._controls,
    Budget: pulls._budget,
    Opportunity: pulls._opportunity,
}


@pytest.mark.parametrize(("cls", "values"), SAMPLES, ids=[c.__name__ for c, _ in SAMPLES])
def test_a_checked_maker_makes_what_the_constructor_makes(
    cls: type[Any], values: tuple[Any, ...]
) -> None:
    made: Any = MAKERS[cls](*values)
    assert type(made) is cls
    assert made == cls(*values)
    assert dataclasses.astuple(made) == values
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, dataclasses.fields(made)[0].name, "other")


def test_a_maker_does_not_run_the_checks_it_is_trusted_with() -> None:
    with pytest.raises(ValueError, match="strength"):
        Knows("t1", "s1", 1.5)
    assert pulls._knows("t1", "s1", 1.5, None, None, None).strength == 1.5


def _validated(row: dict[str, Any], as_of: datetime) -> AccountGraph:
    """What to_account_graph made before: every object through its checking constructor."""

    def strength(value: Any) -> Any:
        return pulls._strength(value)

    stakeholders = [
        Stakeholder(
            sid, n if n is not None else sid, t, d, "left" if st == "left" else "active", sn
        )
        for sid, n, t, d, st, sn in row["stakeholders"]
    ]
    people = {s.id for s in stakeholders}
    return AccountGraph(
        account_id=row["id"],
        as_of=as_of,
        stakeholders=stakeholders,
        team_members=[
            TeamMember(tid, n if n is not None else tid, "left" if st == "left" else "active", r)
            for tid, n, r, st, _c in row["team"]
        ],
        knows=[
            Knows(t, s, strength(v), pulls._from_epoch_millis(lc), src, rid)
            for t, s, v, lc, src, rid in row["knows"]
            if strength(v) is not None
        ],
        influences=[
            Influences(a, b, strength(v))
            for a, b, v in row["influences"]
            if strength(v) is not None and b in people
        ],
        reports_to=[
            ReportsTo(p, m, k, strength(v), src, rid)
            for p, m, k, v, src, rid in row["reports_to"]
            if m in people and k in ("solid", "dotted") and (v is None or strength(v) is not None)
        ],
        roles=[
            Role(s, r, k, t, st, src, rid)
            for s, r, k, t, st, src, rid in row["roles"]
            if r in pulls._ROLES and (st is None or -2 <= st <= 2)
        ],
        controls=[Controls(s, b, a) for s, b, a in row["controls"] if a in pulls._AUTHORITIES],
        budgets=[Budget(b, n if n is not None else b, a, c) for b, n, a, c in row["budgets"]],
        opportunities=[
            Opportunity(o, n if n is not None else o, st, a)
            for o, n, st, a in row["opportunities"]
            if st not in pulls.CLOSED_STAGES
        ],
        account_name=row["name"],
    )


def _random_row(rng: random.Random) -> dict[str, Any]:
    people = [f"s{i}" for i in range(rng.randint(0, 30))]
    team = [f"t{i}" for i in range(rng.randint(0, 5))]
    anyone = people + ["elsewhere"]

    def some(n: int) -> range:
        return range(rng.randint(0, n))

    def strength() -> Any:
        return rng.choice([None, 0.0, 0.35, 1.0, 1.2, -0.1, 1, float("nan")])

    def of(items: list[str]) -> str:
        return rng.choice(items) if items else "nobody"

    return {
        "id": "acme",
        "name": rng.choice([None, "Acme"]),
        "tier": rng.choice([None, "key"]),
        "stakeholders": [
            [
                p,
                rng.choice([None, f"N{p}"]),
                rng.choice([None, "VP"]),
                None,
                rng.choice([None, "active", "left", "odd"]),
                None,
            ]
            for p in people
        ],
        "team": [
            [t, rng.choice([None, "T"]), "am", rng.choice([None, "left"]), rng.random() < 0.5]
            for t in team
        ],
        "knows": [
            [of(team), of(people), strength(), rng.choice([None, 1_764_000_000_000]), None, None]
            for _ in some(40)
        ],
        "influences": [[of(people), of(anyone), strength()] for _ in some(10)],
        "reports_to": [
            [of(people), of(anyone), rng.choice(["solid", "dotted", "odd"]), strength(), "x", "y"]
            for _ in some(20)
        ],
        "roles": [
            [
                of(people),
                rng.choice(["champion", "coach", "odd"]),
                "account",
                "acme",
                rng.choice([None, -3, -2, 0, 2, 3]),
                None,
                None,
            ]
            for _ in some(12)
        ],
        "controls": [[of(people), "b1", rng.choice(["owner", "approver", "odd"])] for _ in some(6)],
        "budgets": [["b1", rng.choice([None, "B"]), 10.0, "EUR"]],
        "opportunities": [
            [f"o{i}", None, rng.choice(["open", "closed_won", "closed_lost", None]), 5.0]
            for i in some(4)
        ],
    }


@pytest.mark.parametrize("seed", range(40))
def test_random_rows_make_the_graph_the_checking_constructors_make(seed: int) -> None:
    row = _random_row(random.Random(seed))
    pulled = pulls.to_account_graph(row, AS_OF)
    assert pulled.graph == _validated(row, AS_OF)
    assert pulled.tier == row["tier"]
    assert pulled.covering == frozenset(t[0] for t in row["team"] if t[4])


def test_a_role_on_an_unknown_kind_of_target_is_still_refused() -> None:
    row = _random_row(random.Random(1)) | {
        "stakeholders": [["s1", "Ada", None, None, "active", None]],
        "roles": [["s1", "champion", "budget", "b1", None, None, None]],
    }
    with pytest.raises(ValueError, match="Role.target_kind"):
        Role("s1", "champion", "budget", "b1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Role.target_kind"):
        pulls.to_account_graph(row, AS_OF)
