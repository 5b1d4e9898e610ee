"""``saved_query_changed`` (``query``, ``params``): the rows of a saved query changed.

The query (docs/queries.md) runs with the watch's ``params`` and, when it declares an
``account_id`` parameter the watch does not set, the account evaluated; its rows are
compared, as sets of rows, with those of the last evaluation. Any row added or removed
makes one event listing them (at most 20 of each and about 6 KB of JSON, with the
counts). A query that
declares no ``account_id`` answers for the whole portfolio: it is evaluated once per
watch (its state kept under the account ``*``), on any write to an account in the
watch's scope, and its events name the account whose write was being evaluated. A run
that fails (the query was removed, a timeout) changes nothing and makes no event. No
``.resolved``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from service.domain.alerts.account_view import AccountView
from service.domain.alerts.condition_specs import SavedQueryChanged
from service.domain.alerts.conditions.base import Draft, capped_bytes

TYPE = "saved_query_changed"

#: At most this many rows are kept in the state (a bigger answer is compared on them).
ROW_LIMIT = 500


def query_key(spec: SavedQueryChanged) -> str:
    """Where the evaluator puts this spec's answer in ``AccountView.queries``."""
    return json.dumps([spec.query, spec.params], sort_keys=True, separators=(",", ":"))


def evaluate(
    view: AccountView, spec: SavedQueryChanged, previous: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[Draft]]:
    answer = view.queries.get(query_key(spec))
    if answer is None or answer.error is not None:
        return (dict(previous) if previous is not None else {}), []
    rows = list(dict.fromkeys(answer.rows))[:ROW_LIMIT]
    state: dict[str, Any] = {"rows": rows, "truncated": answer.truncated}
    if previous is None or "rows" not in previous:
        return state, []
    old = set(previous["rows"])
    new = set(rows)
    added = [r for r in rows if r not in old]
    removed = [r for r in previous["rows"] if r not in new]
    if not added and not removed:
        return state, []
    data = {
        "query": spec.query,
        "params": spec.params,
        "added": [json.loads(r) for r in capped_bytes(added)],
        "removed": [json.loads(r) for r in capped_bytes(removed)],
        "added_count": len(added),
        "removed_count": len(removed),
        "row_count": len(rows),
        "truncated": answer.truncated,
    }
    return state, [Draft(TYPE, data)]
