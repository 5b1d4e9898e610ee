"""What the conditions make of the accounts, each computed once per evaluation.

An ``AlertState`` is one JSON object, ``condition key → that condition's state``
(``"0:champion_lost"``, …), stored as canonical text (sorted keys, compact). Watches
with different condition lists hold different states for one account, yet each
condition's own part is usually the same in all of them: four watches watching
``champion_lost`` on ``acme`` remember the same champions. So :class:`Outcomes`
splits each stored state into its conditions' texts and runs a condition once per
(account, condition with its parameters, its previous state as text); a watch's new
state is put together from its conditions' new texts — the very text ``json.dumps``
of the whole state with sorted keys would give. A whole state seen before (the same
conditions and stored text on the same account) is not even put together again.

Conditions are pure (docs/alerts.md, "Conditions"; ``conditions/base.py``): they read
their previous state and never change it, so a previous state parsed once is shared by
every run that reads it. Not thread-safe: one evaluation, one thread.

A state's parts may come from before the evaluation (:meth:`Outcomes.seed`: the
process's :class:`~service.domain.alerts.state_cache.StateCache`), and the parts of a
state it made are given back without parsing the whole text (:meth:`Outcomes.parts_made`):
each part's value is its text read once (``json.loads``), which is what
:func:`split_state` reads from the whole text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

import structlog

from service.domain.alerts import conditions
from service.domain.alerts.account_view import AccountView
from service.domain.alerts.condition_specs import ConditionSpec

__all__ = ["Outcome", "Outcomes", "keyed_conditions", "split_state"]

log = structlog.get_logger("powermap.alerts")

#: A state's new text and its events, each as (type, data as JSON text).
Outcome = tuple[str, list[tuple[str, str]]]
#: A unit's conditions: (condition key in the state, the spec as canonical JSON, spec).
Keyed = Sequence[tuple[str, str, ConditionSpec]]
#: A stored state split: condition key → (its part as JSON text, the part's value).
Parts = dict[str, tuple[str, Any]]

_DECODER: Final = json.JSONDecoder()
_WHITESPACE: Final = " \t\n\r"


def _canonical(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def keyed_conditions(
    numbered: Sequence[tuple[int, ConditionSpec]],
) -> list[tuple[str, str, ConditionSpec]]:
    """The conditions of a watch (with their places) as :class:`Outcomes` takes them."""
    return [
        (conditions.condition_key(i, spec), _canonical(spec.model_dump(mode="json")), spec)
        for i, spec in numbered
    ]


def _skip(text: str, at: int) -> int:
    while text[at] in _WHITESPACE:
        at += 1
    return at


def _scan(text: str) -> Parts | None:
    at = _skip(text, 0)
    if text[at] != "{":
        json.loads(text)  # a broken text raises, as reading it whole would
        return None  # valid JSON, but not an object: no previous state
    parts: Parts = {}
    at = _skip(text, at + 1)
    if text[at] != "}":
        while True:
            key, at = _DECODER.raw_decode(text, at)
            if not isinstance(key, str):
                raise ValueError("a key that is not a string")
            at = _skip(text, at)
            if text[at] != ":":
                raise ValueError("no colon after a key")
            start = _skip(text, at + 1)
            value, at = _DECODER.raw_decode(text, start)
            parts[key] = (text[start:at], value)
            at = _skip(text, at)
            if text[at] == "}":
                break
            if text[at] != ",":
                raise ValueError("no comma between members")
            at = _skip(text, at + 1)
    if text[at + 1 :].strip(_WHITESPACE):
        raise ValueError("text after the object")
    return parts


def split_state(text: str) -> Parts | None:
    """A stored state's conditions, each with its part's text as stored and its value;
    None when the text is JSON but not an object. A broken text raises ``ValueError``.

    The evaluator stores canonical JSON, so a part's text is the canonical text of its
    value. A text that is not canonical (hand-written) still reads correctly: its parts
    are only shared less."""
    try:
        return _scan(text)
    except (ValueError, IndexError):
        value = json.loads(text)  # raises on a broken text
        if not isinstance(value, dict):
            return None
        return {key: (_canonical(part), part) for key, part in value.items()}


class Outcomes:
    """The conditions' outcomes for one evaluation (see the module docstring)."""

    def __init__(self) -> None:
        self._parts: dict[str, Parts | None] = {}
        self._conditions: dict[tuple[str, str, str | None], Outcome | None] = {}
        self._states: dict[tuple[str, str, str | None], Outcome] = {}
        self._located: dict[tuple[str, str], list[str]] = {}
        self._made: dict[str, list[tuple[str, str]]] = {}
        self._values: dict[str, Any] = {}

    def seed(self, text: str, parts: Parts | None) -> None:
        """``text``'s parts, as :func:`split_state` gave them before (not parsed again)."""
        self._parts.setdefault(text, parts)

    def parsed(self, text: str) -> tuple[bool, Parts | None]:
        """Whether ``text`` was split (or seeded) here, and its parts if so."""
        if text in self._parts:
            return True, self._parts[text]
        return False, None

    def parts_made(self, text: str) -> Parts | None:
        """The parts of a state made here, as :func:`split_state` would split ``text``
        (each part's value read from its text once per evaluation); None for a text not
        made here."""
        made = self._made.get(text)
        if made is None:
            return None
        parts: Parts = {}
        for key, part in made:
            if part not in self._values:
                self._values[part] = json.loads(part)
            parts[key] = (part, self._values[part])
        return parts

    def parts(self, text: str | None) -> Parts | None:
        """The stored state's parts (None without a state, or for one not an object)."""
        if text is None:
            return None
        if text not in self._parts:
            self._parts[text] = split_state(text)
        return self._parts[text]

    def to_locate(self, keyed: Keyed, text: str | None) -> list[str]:
        """Everyone the conditions' previous states remember (``people_to_locate``)."""
        parts = self.parts(text)
        if parts is None:
            return []
        out: list[str] = []
        for key, _, spec in keyed:
            before = parts.get(key)
            if before is None:
                continue
            at = (spec.type, before[0])
            if at not in self._located:
                self._located[at] = conditions.people_to_locate(spec, before[1])
            out += self._located[at]
        return out

    def outcome(self, view: AccountView, signature: str, keyed: Keyed, text: str | None) -> Outcome:
        """The new state (text) and the events of the conditions ``keyed`` (whose
        canonical text is ``signature``) on ``view``, from the stored state ``text``."""
        at = (view.account_id, signature, text)
        found = self._states.get(at)
        if found is None:
            found = self._states[at] = self._run(view, keyed, self.parts(text))
        return found

    def _run(self, view: AccountView, keyed: Keyed, previous: Parts | None) -> Outcome:
        state: list[tuple[str, str]] = []
        events: list[tuple[str, str]] = []
        for key, spec_text, spec in keyed:
            # None (a new state, or a condition never evaluated here): its baseline.
            before = None if previous is None else previous.get(key)
            at = (view.account_id, spec_text, None if before is None else before[0])
            if at not in self._conditions:
                self._conditions[at] = _evaluate(view, spec, None if before is None else before[1])
            made = self._conditions[at]
            if made is None:  # the condition failed: it keeps what it had
                if before is not None and before[1] is not None:
                    state.append((key, before[0]))
                continue
            state.append((key, made[0]))
            events += made[1]
        state.sort()
        text = "{" + ",".join(f"{json.dumps(k)}:{part}" for k, part in state) + "}"
        self._made.setdefault(text, state)
        return text, events


def _evaluate(view: AccountView, spec: ConditionSpec, before: Any) -> Outcome | None:
    """One condition's new state (canonical text) and events; None when it failed."""
    try:
        after, drafts = conditions.evaluate(view, spec, before)
    except Exception:  # a bug in one condition must not stall the others
        log.exception("alert_condition_failed", condition=spec.type, account=view.account_id)
        return None
    return _canonical(after), [
        (d.type, json.dumps(d.data, separators=(",", ":"), default=str)) for d in drafts
    ]
