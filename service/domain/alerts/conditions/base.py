"""What every condition shares: the event drafts it returns and the "facts" helper.

A condition is a pure function ``evaluate(view, spec, previous) -> (state, drafts)``
(docs/alerts.md, "Conditions"): ``view`` is what the evaluator read of one account
(:class:`~service.domain.alerts.account_view.AccountView`), ``previous`` the state the
condition returned at the last evaluation of the same watch and account (None at the
first one: the baseline, which makes no event), and the returned ``state`` is kept for
the next evaluation. State is plain JSON (dicts, lists, strings, numbers), stored in
the ``AlertState`` node; events come only from comparing it with the account now, so
evaluating the same account twice in a row makes no event the second time.

Most conditions are **facts** conditions: a dict ``fact key → evidence`` of what holds
now. A key newly present makes an event of the condition's type, a key gone makes
``<type>.resolved`` (carrying the evidence it had, and why it stopped holding). Which
facts hold may depend on what the previous state remembered ("a key stakeholder
*fell* to dark": they were covered before), so the helper keeps a ``memory`` next to
the facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "LIST_LIMIT",
    "Draft",
    "FactsState",
    "capped",
    "capped_bytes",
    "diff_facts",
    "facts_state",
    "person",
]

#: Lists in event data are cut to this many items (with a count of all), so an event
#: stays far below the 20 KB webhook body limit.
LIST_LIMIT: Final = 20
#: Rows of a saved query in an event: at most this many bytes of JSON per list.
BYTES_LIMIT: Final = 6_000

JSON = Any


@dataclass(frozen=True)
class Draft:
    """An event a condition makes: its ``type`` and its ``data`` (plain JSON)."""

    type: str
    data: Mapping[str, JSON] = field(default_factory=dict)


@dataclass(frozen=True)
class FactsState:
    """The previous state of a facts condition, read back (empty at the baseline)."""

    facts: dict[str, JSON]
    memory: dict[str, JSON]
    baseline: bool

    def had(self, key: str) -> bool:
        return key in self.facts


def facts_state(previous: Mapping[str, JSON] | None) -> FactsState:
    if previous is None:
        return FactsState({}, {}, baseline=True)
    return FactsState(
        dict(previous.get("facts") or {}), dict(previous.get("memory") or {}), baseline=False
    )


def diff_facts(
    type_: str,
    previous: FactsState,
    facts: Mapping[str, JSON],
    memory: Mapping[str, JSON],
    *,
    resolved: Callable[[str, JSON], Mapping[str, JSON]],
) -> tuple[dict[str, JSON], list[Draft]]:
    """The new state and the events of a facts condition.

    ``facts`` maps each fact holding now to its evidence (the event's data);
    ``resolved(key, old_evidence)`` gives the data of the ``.resolved`` event of a fact
    that no longer holds. At the baseline nothing is an event. Events come out in fact
    key order (deterministic).
    """
    state = {"facts": dict(facts), "memory": dict(memory)}
    if previous.baseline:
        return state, []
    drafts = [Draft(type_, facts[key]) for key in sorted(facts) if key not in previous.facts]
    drafts += [
        Draft(f"{type_}.resolved", resolved(key, previous.facts[key]))
        for key in sorted(previous.facts)
        if key not in facts
    ]
    return state, drafts


def person(person_id: str, name: str | None, **more: JSON) -> dict[str, JSON]:
    """A person in event data: id and name side by side (and anything else given)."""
    return {"id": person_id, "name": name, **more}


def capped(items: Iterable[JSON], limit: int = LIST_LIMIT) -> list[JSON]:
    """At most ``limit`` items (the caller reports the full count next to them)."""
    out: list[JSON] = []
    for item in items:
        if len(out) == limit:
            break
        out.append(item)
    return out


def capped_bytes(
    texts: Iterable[str], limit: int = LIST_LIMIT, size: int = BYTES_LIMIT
) -> list[str]:
    """At most ``limit`` JSON texts, and no more than ``size`` bytes of them (at least one)."""
    out: list[str] = []
    total = 0
    for text in texts:
        total += len(text.encode())
        if len(out) == limit or (out and total > size):
            break
        out.append(text)
    return out
