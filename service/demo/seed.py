"""Loading the demo portfolio into the graph (``powermap seed-demo``).

The demo is applied through the real ingest path, step by step, so it carries the
same history a CRM would have produced (see :mod:`service.demo.portfolio`). Its own
statements (what is stored, removal, the demo keys) are in :mod:`service.graph.demo`.

Re-running is idempotent: a complete demo already stored is left exactly as it is.
Replaying the steps instead would not be: the first batch, re-applied after the later
ones, would re-open the org chart and the ties of a year ago. ``reset=True`` removes
the demo's own nodes (by their ids, plus the demo API keys) and loads it afresh; it
never touches anything else. A half-loaded demo (an interrupted run) is refused with a
pointer to ``--reset``.

The demo API key is kept too: given the key from the last run (the CLI keeps it in the
env file as ``POWERMAP_DEMO_API_KEY``), it is reused while it still authenticates;
otherwise older demo keys are revoked and a new one is created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from service.demo.portfolio import BatchStep, DemoPortfolio, build_demo_portfolio
from service.domain import access
from service.domain.access import Scope
from service.domain.errors import Conflict, PowermapError
from service.graph.demo import demo_presence, remove_demo_nodes, revoke_api_keys_named
from service.graph.driver import Graph
from service.settings import Settings

__all__ = [
    "DEMO_KEY_NAME",
    "DEMO_KEY_SCOPES",
    "DemoState",
    "SeedResult",
    "demo_state",
    "ensure_demo_key",
    "remove_demo",
    "seed_demo",
]

DEMO_KEY_NAME = "powermap-demo"
DEMO_KEY_SCOPES = (Scope.READ, Scope.WRITE, Scope.QUERY_RUN)

DemoState = Literal["absent", "complete", "partial"]


@dataclass(frozen=True)
class SeedResult:
    state_before: DemoState
    loaded: bool  # False when a complete demo was already stored
    removed_nodes: int
    api_key: str
    key_created: bool
    steps: list[str] = field(default_factory=list)


def demo_state(graph: Graph, portfolio: DemoPortfolio) -> DemoState:
    """Whether none, all or part of the demo is stored."""
    ids = portfolio.node_ids()
    row = demo_presence(graph, ids, portfolio.completion_marker)
    if row["marker"] and row["accounts"] == len(ids["Account"]):
        return "complete"
    stored = sum(v for k, v in row.items() if k != "marker")
    return "absent" if stored == 0 else "partial"


def remove_demo(graph: Graph, portfolio: DemoPortfolio) -> int:
    """Delete the demo's nodes (by id) and its API keys; return how many nodes went."""
    return remove_demo_nodes(graph, portfolio.node_ids(), DEMO_KEY_NAME)


def ensure_demo_key(graph: Graph, existing: str | None) -> tuple[str, bool]:
    """The demo key to show: ``existing`` if still valid, else a new one (and True)."""
    if existing:
        try:
            principal = access.authenticate(graph, existing)
        except PowermapError:
            principal = None
        if (
            principal is not None
            and principal.name == DEMO_KEY_NAME
            and all(scope in principal.scopes for scope in DEMO_KEY_SCOPES)
        ):
            return existing, False
    revoke_api_keys_named(graph, DEMO_KEY_NAME)
    created = access.create_key(graph, DEMO_KEY_NAME, list(DEMO_KEY_SCOPES))
    return created.secret, True


def _apply(
    graph: Graph,
    settings: Settings,
    portfolio: DemoPortfolio,
    on_step: Callable[[str, Any], None],
) -> list[str]:
    # Imported here: the ingest package imports the settings and graph layers, and the
    # CLI loads this module only for seed-demo.
    from service.domain import ingest

    done: list[str] = []
    for step in portfolio.steps:
        if isinstance(step, BatchStep):
            summary: Any = ingest.ingest_batch(graph, settings, step.batch, source="demo")
        else:
            summary = ingest.depart_stakeholder(
                graph, step.stakeholder_id, datetime.fromisoformat(step.left_at), source="demo"
            )
        done.append(step.name)
        on_step(step.name, summary)
    return done


def seed_demo(
    graph: Graph,
    settings: Settings,
    *,
    reset: bool = False,
    today: date | None = None,
    api_key: str | None = None,
    on_step: Callable[[str, Any], None] | None = None,
) -> SeedResult:
    """Load the demo unless it is already complete; return the demo API key to use.

    Raises :class:`~service.domain.errors.Conflict` when part of the demo is stored
    (an interrupted run) and ``reset`` is not set.
    """
    portfolio = build_demo_portfolio(today)
    state = demo_state(graph, portfolio)
    removed = 0
    if reset and state != "absent":
        removed = remove_demo(graph, portfolio)
        api_key = None
    elif state == "partial":
        raise Conflict(
            "part of the demo portfolio is already stored (an interrupted seed?); "
            "run `powermap seed-demo --reset` to remove it and load it again"
        )
    loaded = reset or state != "complete"
    steps: list[str] = []
    if loaded:
        steps = _apply(graph, settings, portfolio, on_step or (lambda *_: None))
    key, created = ensure_demo_key(graph, api_key)
    return SeedResult(
        state_before=state,
        loaded=loaded,
        removed_nodes=removed,
        api_key=key,
        key_created=created,
        steps=steps,
    )
