"""Where plan_units places each row (service/domain/ingest/plan.py): its per-row fast
placement gives what the general rule, :meth:`_Placement.of`, gives — one account when
the batch nodes a row names all lie in one account, else the spanning phase. No server."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.ingest.plan import ACCOUNT, SPANNING, _Placement, plan_units
from service.domain.ingest.validation import ValidBatch
from service.graph.ingest import Statement

ACCOUNTS = ["a1", "a2", "a3"]
# Ids the batch may define (with an account) or only name (stored: no constraint).
PEOPLE = ["s1", "s2", "s3", "s4"]
BUDGETS = ["b1", "b2"]
OPPORTUNITIES = ["o1", "o2"]
UNTIL = "2026-01-01T00:00:00+00:00"

defined = st.fixed_dictionaries(
    {
        "people": st.dictionaries(st.sampled_from(PEOPLE), st.sampled_from(ACCOUNTS)),
        "budgets": st.dictionaries(st.sampled_from(BUDGETS), st.sampled_from(ACCOUNTS)),
        "opportunities": st.dictionaries(st.sampled_from(OPPORTUNITIES), st.sampled_from(ACCOUNTS)),
    }
)
until = st.sampled_from([None, UNTIL])


def batch_of(nodes: dict[str, dict[str, str]], edges: dict[str, list[Any]]) -> ValidBatch:
    from datetime import datetime

    rows: dict[str, list[dict[str, Any]]] = {
        "stakeholders": [
            {"id": p, "account_id": a, "name": p, **edges["lines"].get(p, {})}
            for p, a in nodes["people"].items()
        ],
        "budgets": [{"id": b, "account_id": a, "name": b} for b, a in nodes["budgets"].items()],
        "opportunities": [
            {"id": o, "account_id": a, "name": o} for o, a in nodes["opportunities"].items()
        ],
        "controls": [
            {"stakeholder_id": s, "budget_id": b, "authority": "approver"}
            | ({"until": datetime.fromisoformat(u)} if u else {})
            for s, b, u in edges["controls"]
        ],
        "roles": [
            {"stakeholder_id": s, "role": "champion", "stance": 1, key: t}
            | ({"until": datetime.fromisoformat(u)} if u else {})
            for s, key, t, u in edges["roles"]
        ],
        "influences": [
            {"from_id": f, "to_id": t, "strength": 0.5}
            | ({"until": datetime.fromisoformat(u)} if u else {})
            for f, t, u in edges["influences"]
        ],
        "relationships": [
            {"team_member_id": "t1", "stakeholder_id": s, "strength": 0.5}
            | ({"until": datetime.fromisoformat(u)} if u else {})
            for s, u in edges["relationships"]
        ],
    }
    return ValidBatch(rows=rows, received={}, effective_at=None)


edge_rows = st.fixed_dictionaries(
    {
        "controls": st.lists(
            st.tuples(st.sampled_from(PEOPLE), st.sampled_from(BUDGETS), until), max_size=4
        ),
        "roles": st.lists(
            st.one_of(
                st.tuples(
                    st.sampled_from(PEOPLE), st.just("account_id"), st.sampled_from(ACCOUNTS), until
                ),
                st.tuples(
                    st.sampled_from(PEOPLE),
                    st.just("opportunity_id"),
                    st.sampled_from(OPPORTUNITIES),
                    until,
                ),
            ),
            max_size=4,
        ),
        "influences": st.lists(
            st.tuples(st.sampled_from(PEOPLE), st.sampled_from(PEOPLE), until), max_size=4
        ),
        "relationships": st.lists(st.tuples(st.sampled_from(PEOPLE), until), max_size=4),
        "lines": st.dictionaries(
            st.sampled_from(PEOPLE),
            st.fixed_dictionaries({"reports_to": st.one_of(st.none(), st.sampled_from(PEOPLE))}),
        ),
    }
)


@settings(max_examples=300, deadline=None)
@given(defined, edge_rows)
def test_every_row_is_placed_as_the_general_rule_places_it(
    nodes: dict[str, dict[str, str]], edges: dict[str, list[Any]]
) -> None:
    batch = batch_of(nodes, edges)
    place = _Placement(batch)
    expected: list[tuple[int, str]] = []
    for p, a in nodes["people"].items():
        expected.append((ACCOUNT, a))  # the person, employment and move
        if p in edges["lines"]:
            expected.append(place.of(a, (edges["lines"][p]["reports_to"],)))
    expected += [(ACCOUNT, a) for a in nodes["budgets"].values()]
    expected += [(ACCOUNT, a) for a in nodes["opportunities"].values()]
    expected += [place.of(people=(s,), budget=b) for s, b, _ in edges["controls"]]
    expected += [
        place.of(t, (s,)) if key == "account_id" else place.of(people=(s,), opportunity=t)
        for s, key, t, _ in edges["roles"]
    ]
    expected += [place.of(people=(f, t)) for f, t, _ in edges["influences"]]
    expected += [place.of(people=(s,)) for s, _ in edges["relationships"]]
    units = plan_units(batch)
    assert [(u.phase, u.account) for u in units] == expected
    assert all(u.phase in (ACCOUNT, SPANNING) for u in units)
    # Rows with until become the ending statements, the others the opening ones.
    endings = {u.items[0][0] for u in units if "until" in u.items[0][1]}
    assert endings <= {
        Statement.END_CONTROLS,
        Statement.END_ROLES,
        Statement.END_INFLUENCES,
        Statement.END_KNOWS,
    }
