"""The rows of nodes a transaction created go to cheaper statements
(``service/graph/ingest.py``, ``FOR_CREATED``): the result must be exactly the one the
general statements give, on the real Neo4j.

Random sequences of batches and departures — the first batch creates everybody, with
reporting lines, interactions and roles; later ones mix new people and interactions with
stored ones, moves, leavers, refused batches — are written twice into an empty graph:
once as the write path does it, once with every row through its own statement
(``CREATED_ROWS_APART`` off). The outcome of every step (written or refused), the
summaries (counts and change sets), the recorded change sets and the graph dumps must be
equal, and the first way must really have sent rows apart (the comparison is not
vacuous).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import service.domain.ingest.batch as batch_module
import service.domain.ingest.departure as departure_module
import service.graph.ingest as store
from service.domain.changes import recorded_change_sets
from service.domain.errors import Conflict, InvalidInput, NotFound
from service.domain.ingest import depart_stakeholder, depart_team_member, ingest_batch
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import _clean
from tests.integration.test_graph_invariants_hypothesis import BASE, DATES, PEOPLE, TEAM, steps
from tests.integration.test_ingest_support import dump

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class FrozenNow(datetime):
    """``datetime`` whose ``now`` is :data:`NOW`: both runs stamp the same times."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:
        return NOW if tz is None else NOW.astimezone(tz)


@st.composite
def first_batches(draw: st.DrawFn) -> dict[str, Any]:
    """Everybody created at once, as a first snapshot: each person at a random account
    with a random title, most reporting to someone earlier in the list (no cycle), and
    interactions between the team and them."""
    stakeholders = []
    for n, pid in enumerate(PEOPLE):
        row: dict[str, Any] = {
            "id": pid,
            "account_id": draw(st.sampled_from(["a1", "a2"])),
            "name": pid.upper(),
        }
        title = draw(st.sampled_from(["omit", None, "VP", "CTO"]))
        if title != "omit":
            row["title"] = title
        if n and draw(st.integers(0, 3)):
            row["reports_to"] = draw(st.sampled_from(PEOPLE[:n]))
        stakeholders.append(row)
    interactions = [
        {
            "id": f"f{n}",
            "kind": draw(st.sampled_from(["meeting", "call", "email"])),
            "at": draw(st.sampled_from(DATES)),
            "team_member_ids": draw(
                st.lists(st.sampled_from(TEAM), unique=True, min_size=1, max_size=2)
            ),
            "stakeholder_ids": draw(
                st.lists(st.sampled_from(PEOPLE), unique=True, min_size=1, max_size=3)
            ),
        }
        for n in range(draw(st.integers(0, 4)))
    ]
    roles = [
        {"stakeholder_id": p, "account_id": "a1", "role": "champion", "stance": 1}
        for p in draw(st.lists(st.sampled_from(PEOPLE), unique=True, max_size=2))
    ]
    return {
        "effective_at": draw(st.sampled_from(DATES)),
        **BASE,
        "team_members": [{"id": t, "name": t.upper()} for t in TEAM],
        "stakeholders": stakeholders,
        "interactions": interactions,
        "roles": roles,
    }


def _plain_change_set(change_set: Any) -> Any:
    """A change set without what differs between two runs by design (its node's id)."""
    return (
        change_set.at,
        change_set.effective_at,
        change_set.source,
        change_set.accounts,
        change_set.nodes,
        change_set.edges,
        change_set.ties,
    )


def _run(
    graph: Graph, settings: Settings, first: dict[str, Any], sequence: list[tuple[Any, ...]]
) -> tuple[Any, ...]:
    _clean(graph)
    outcomes: list[Any] = []
    for step in [("batch", first), *sequence]:
        if step[0] == "depart":
            _, person, at = step
            when = None if at is None else date.fromisoformat(at[:10])
            depart = depart_team_member if person.startswith("t") else depart_stakeholder
            try:
                depart(graph, person, left_at=when)  # its change set: compared as recorded
            except NotFound:
                outcomes.append(("not found", person))
                continue
            outcomes.append(("departed", person))
            continue
        try:
            summary = ingest_batch(graph, settings, step[1])
        except (InvalidInput, Conflict) as exc:
            outcomes.append(("refused", type(exc).__name__, str(exc)))
            continue
        outcomes.append(
            (
                "written",
                summary.nodes,
                summary.edges,
                summary.change_counts,
                sorted(summary.touched_accounts),
                [_plain_change_set(c) for c in summary.change_sets],
            )
        )
    recorded = sorted(repr(_plain_change_set(c)) for c in recorded_change_sets(graph))
    return outcomes, recorded, dump(graph, settings)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_module, "datetime", FrozenNow)
    monkeypatch.setattr(departure_module, "datetime", FrozenNow)


@hypothesis_settings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure reproduces
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example costs seconds
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=first_batches(), sequence=steps)
def test_rows_of_created_nodes_write_what_the_general_statements_write(
    graph: Graph,
    settings: Settings,
    frozen: None,
    first: dict[str, Any],
    sequence: list[tuple[Any, ...]],
) -> None:
    sent_apart: Counter[str] = Counter()
    original = store._start_chunked

    def spy(tx: Any, statement: Any, rows: Any, params: Any, name: str | None = None) -> Any:
        if name is not None:
            sent_apart[name] += len(rows)
        return original(tx, statement, rows, params, name)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "_start_chunked", spy)
        apart = _run(graph, settings, first, sequence)
        patch.setattr(store, "CREATED_ROWS_APART", False)
        through_their_own = _run(graph, settings, first, sequence)
    outcomes, recorded, graph_dump = apart
    assert outcomes == through_their_own[0]
    assert recorded == through_their_own[1]
    assert graph_dump == through_their_own[2]

    # Not vacuous: the first batch creates every person, so their employments at least
    # went apart (the first batch is never refused: no cycle, every reference in it).
    assert outcomes[0][0] == "written"
    assert sent_apart["works_at_new"] >= len(PEOPLE)


def test_a_first_batch_sends_its_rows_apart_and_skips_the_moves(
    graph: Graph, settings: Settings, frozen: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every row of a first batch of people, lines and interactions goes apart; the move
    check is not sent at all; a second batch naming the same people goes the general
    way (they are stored now), and a stored person made without the write path (no
    ``updated_at``, as an older writer left them) is not taken for a created one."""
    _clean(graph)
    sent: list[tuple[str, int]] = []
    original = store._start_chunked

    def spy(tx: Any, statement: Any, rows: Any, params: Any, name: str | None = None) -> Any:
        sent.append((name or statement.value, len(rows)))
        return original(tx, statement, rows, params, name)

    monkeypatch.setattr(store, "_start_chunked", spy)
    batch: dict[str, Any] = {
        "effective_at": DATES[0],
        **BASE,
        "team_members": [{"id": t, "name": t.upper()} for t in TEAM],
        "stakeholders": [
            {"id": "p0", "account_id": "a1", "name": "P0"},
            {"id": "p1", "account_id": "a1", "name": "P1", "reports_to": "p0"},
        ],
        "interactions": [
            {
                "id": "i0",
                "kind": "call",
                "at": DATES[0],
                "team_member_ids": ["t0"],
                "stakeholder_ids": ["p0", "p1"],
            }
        ],
    }
    ingest_batch(graph, settings, batch)
    names = dict(sent)
    assert names["works_at_new"] == 2
    assert names["solid_reports_to_new"] == 1
    assert names["interaction_with_new"] == 1
    assert names["interaction_attended_new"] == 1
    assert not {"works_at", "moved", "solid_reports_to", "interaction_with"} & set(names)

    sent.clear()
    # A person stored by another writer, without updated_at, with an employment at a2.
    graph.write(
        "MATCH (a:Account {id: 'a2'}) "
        "CREATE (:Stakeholder {id: 'p2', name: 'P2', status: 'active'})"
        "-[:WORKS_AT {since: datetime($at), source: 'api'}]->(a)",
        at=DATES[0],
    )
    again = {
        **batch,
        "effective_at": DATES[1],
        "stakeholders": [
            *batch["stakeholders"],
            {"id": "p2", "account_id": "a1", "name": "P2", "reports_to": "p0"},
        ],
    }
    summary = ingest_batch(graph, settings, again)
    names = dict(sent)
    assert "works_at_new" not in names and names["works_at"] == 3
    assert "solid_reports_to_new" not in names and names["solid_reports_to"] == 2
    assert "moved" in names
    # p2 moved from a2 to a1: the old employment was closed, a new one opened.
    assert summary.edges["WORKS_AT"] == {"created": 1, "updated": 0, "closed": 1}
