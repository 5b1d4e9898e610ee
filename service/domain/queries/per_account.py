"""One saved query on many accounts in ONE statement (the alerts evaluator's runs).

The alerts evaluator runs a saved query that declares ``account_id`` once per touched
account (docs/alerts.md, ``saved_query_changed``). Each run is a statement of its own:
a round trip, a plan-cache lookup and a transaction-sized overhead on the server, which
for a hundred small runs costs several times the work the runs themselves do. Here the
query runs for every account inside one statement:

.. code-block:: cypher

    UNWIND $__pm_accounts AS __pm_account
    CALL (__pm_account) {
      CALL (__pm_account) { <the query, with $account_id read as __pm_account> }
      WITH * LIMIT $__pm_limit
      RETURN *
    }
    RETURN *

Why each account's rows are exactly those of its own run: the query text is the
catalog's, unchanged but for the parameter, which becomes a variable imported into the
subquery (:func:`per_account_text` replaces the token ``$account_id`` only outside
string literals, comments and quoted names); a ``CALL`` subquery runs once per incoming
row, sees only what it imports, and passes its rows on in the order it makes them
(its own ``ORDER BY`` included); an aggregation in it answers per incoming row, as a
run answers per statement. The ``LIMIT`` (the row cap plus one) keeps each account's
first rows, as a run's cap does, and says whether there were more. The rows are
converted like a run's (:func:`service.graph.values.to_plain`); only the order of the
columns differs (``RETURN *`` lists them by name), which no caller that compares rows
as maps sees. (Rows that a query's ``ORDER BY`` leaves tied may come in another
order, as they may between two runs of the query itself: the plan is not the same.)
``tests/integration/test_saved_query_per_account.py`` checks the equality on random
portfolios.

The statement passes the same analyst guard as any run (its plan checked once per
:class:`PassedPlans`) and runs in a READ transaction under one run's timeout. When the
text cannot be rewritten (it names ``__pm_`` itself, or ``$account_id`` in a form the
rewrite does not read) or the batched statement fails in any way (refused, rejected,
timed out), every account is run the old way (:func:`run_saved_many`, twenty runs to a
transaction), so each still gets the answer or the error its own run gives.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

import structlog

from service.domain.errors import PowermapError
from service.domain.queries.catalog import SavedQuery
from service.domain.queries.guard import check
from service.domain.queries.runner import (
    PassedPlans,
    QueryResult,
    RunLimits,
    log_run,
    run_saved_many,
    validate_each,
)
from service.graph import adhoc
from service.graph.driver import Graph

__all__ = ["ACCOUNT_PARAM", "FALLBACK_BATCH", "per_account_text", "run_saved_per_account"]

log = structlog.get_logger("powermap.queries")

ACCOUNT_PARAM: Final = "account_id"
#: Runs in one read transaction when the batched statement cannot be used.
FALLBACK_BATCH: Final = 20
_PREFIX: Final = "__pm_"
_VARIABLE: Final = "__pm_account"
_ACCOUNTS: Final = "__pm_accounts"
_LIMIT: Final = "__pm_limit"
_IDENT: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def per_account_text(cypher: str) -> str | None:
    """``cypher`` with every ``$account_id`` parameter read as the variable
    ``__pm_account`` instead; None when that cannot be done safely: the text mentions
    ``__pm_`` (the wrapper's own names), never uses ``$account_id``, or writes a
    parameter in the quoted form ``$`…```."""
    if _PREFIX in cypher:
        return None
    token = "$" + ACCOUNT_PARAM
    out: list[str] = []
    at = 0
    replaced = 0
    n = len(cypher)
    while at < n:
        char = cypher[at]
        if char in ("'", '"', "`"):  # a literal or a quoted name: copied whole
            end = at + 1
            while end < n and cypher[end] != char:
                end += 2 if cypher[end] == "\\" and char != "`" else 1
            out.append(cypher[at : end + 1])
            at = end + 1
        elif cypher.startswith("//", at):
            end = cypher.find("\n", at)
            end = n if end < 0 else end
            out.append(cypher[at:end])
            at = end
        elif cypher.startswith("/*", at):
            end = cypher.find("*/", at + 2)
            end = n if end < 0 else end + 2
            out.append(cypher[at:end])
            at = end
        elif char == "$":
            if cypher.startswith("$`", at):
                return None
            after = at + len(token)
            if cypher.startswith(token, at) and (after >= n or cypher[after] not in _IDENT):
                out.append(_VARIABLE)
                replaced += 1
                at = after
            else:
                out.append(char)
                at += 1
        else:
            out.append(char)
            at += 1
    return "".join(out) if replaced else None


def _wrapped(text: str) -> str:
    return (
        f"UNWIND ${_ACCOUNTS} AS {_VARIABLE}\n"
        f"CALL ({_VARIABLE}) {{\n"
        f"CALL ({_VARIABLE}) {{\n{text}\n}}\n"
        f"WITH * LIMIT ${_LIMIT}\n"
        "RETURN *\n"
        "}\n"
        "RETURN *"
    )


def _one_by_one(
    graph: Graph,
    query: SavedQuery,
    givens: Sequence[Mapping[str, Any]],
    *,
    limits: RunLimits,
    key_id: str,
    passed: PassedPlans,
) -> list[QueryResult | PowermapError]:
    out: list[QueryResult | PowermapError] = []
    for start in range(0, len(givens), FALLBACK_BATCH):
        out += run_saved_many(
            graph,
            query,
            givens[start : start + FALLBACK_BATCH],
            limits=limits,
            key_id=key_id,
            passed=passed,
        )
    return out


def run_saved_per_account(
    graph: Graph,
    query: SavedQuery,
    given: Mapping[str, Any],
    account_ids: Sequence[str],
    *,
    limits: RunLimits,
    key_id: str,
    passed: PassedPlans,
) -> list[QueryResult | PowermapError]:
    """The answer of ``query`` with ``given`` and ``account_id`` set to each of
    ``account_ids``, in their order: for each, the result (rows, ``truncated`` at
    ``limits.row_cap``) or the error its own :func:`run_saved` would give. One
    statement for all of them (see the module docstring); each account's run is logged
    as :func:`run_saved` logs it."""
    givens = [dict(given) | {ACCOUNT_PARAM: a} for a in account_ids]
    text = per_account_text(query.cypher)
    if text is None or not account_ids:
        return _one_by_one(graph, query, givens, limits=limits, key_id=key_id, passed=passed)
    out, checked = validate_each(query, givens, key_id=key_id)
    valid: dict[str, list[int]] = {}  # account id -> the places it was asked at
    shared: dict[str, Any] | None = None
    for i, values in checked:
        account = values.pop(ACCOUNT_PARAM)
        if shared is None:
            shared = values
        if values != shared or not isinstance(account, str):
            # Not one set of values for every run (cannot happen with one ``given``).
            return _one_by_one(graph, query, givens, limits=limits, key_id=key_id, passed=passed)
        valid.setdefault(account, []).append(i)
    if not valid or shared is None:
        return [r for r in out if r is not None]
    cypher = _wrapped(text)
    params = shared | {_ACCOUNTS: list(valid), _LIMIT: limits.row_cap + 1}
    started = time.perf_counter()
    try:

        def guard() -> None:
            check(adhoc.explain(graph, cypher, params, limits.timeout_seconds), graph.database)

        passed.check_once(graph.database, cypher, params, guard)
        outcome = adhoc.run_read(
            graph,
            cypher,
            params,
            timeout=limits.timeout_seconds,
            max_rows=len(valid) * (limits.row_cap + 1),
        )
    except PowermapError as exc:
        log.info("query.per_account_fallback", query=query.name, reason=exc.slug)
        places = [i for positions in valid.values() for i in positions]
        answers = _one_by_one(
            graph,
            query,
            [givens[i] for i in places],
            limits=limits,
            key_id=key_id,
            passed=passed,
        )
        for i, answer in zip(places, answers, strict=True):
            out[i] = answer
        return [r for r in out if r is not None]
    columns = [c for c in outcome.columns if c != _VARIABLE]
    rows: dict[str, list[dict[str, Any]]] = {a: [] for a in valid}
    for row in outcome.rows:
        account = row.pop(_VARIABLE)
        rows[account].append(row)
    share = (time.perf_counter() - started) / len(valid)
    for account, positions in valid.items():
        mine = rows[account]
        truncated = len(mine) > limits.row_cap
        kept = mine[: limits.row_cap]
        ms = log_run(
            key_id=key_id,
            name=query.name,
            params=shared | {ACCOUNT_PARAM: account},
            started=time.perf_counter() - share,
            outcome="ok",
            rows=len(kept),
            truncated=truncated,
        )
        for i in positions:
            out[i] = QueryResult(columns, kept, truncated, ms)
    return [r for r in out if r is not None]
