"""The one translation of the driver's exceptions into the service's errors.

Every query runs through :mod:`service.graph.driver` (the service's own Cypher) or
:mod:`service.graph.adhoc` (analysts' Cypher); both call :func:`translate` on whatever
the driver raises, so above the graph layer nothing sees a ``neo4j.exceptions`` type
and ``service/api/problems.py`` maps domain errors only.

``analyst=True`` marks text the caller wrote: Neo4j's refusal of it is the caller's
fault (4xx), while the same refusal of the service's own Cypher is a bug (500).

=====================================  ==============================  ======
driver error                           service error                   status
=====================================  ==============================  ======
ServiceUnavailable, SessionExpired,    DatabaseUnavailable             503
connection pool timeout, AuthError
TransientError (after the retries),    DatabaseUnavailable             503
all-transactions memory pool full
one transaction over its memory cap    QueryTooLarge (analyst)         422
                                       PayloadTooLarge (service)       413
transaction timed out                  QueryTimeout (analyst)          408
                                       DeadlineExceeded (service)      504
ConstraintError                        Conflict                        409
Forbidden / access-mode refusals       QueryRefused (analyst)          403
other ClientError, statement-level     InvalidInput (analyst)          422
DatabaseError (``IN TRANSACTIONS``)
a value Neo4j cannot take (GQLSTATUS  InvalidInput (service)          422
22xxx, argument and type errors)
anything else                          DatabaseFailure                 500
=====================================  ==============================  ======
"""

from __future__ import annotations

import logging
from typing import Final

from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConnectionAcquisitionTimeoutError,
    ConstraintError,
    DatabaseError,
    DriverError,
    IncompleteCommit,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from service.domain.errors import (
    Conflict,
    DatabaseFailure,
    DatabaseUnavailable,
    DeadlineExceeded,
    FieldError,
    InvalidInput,
    PayloadTooLarge,
    PowermapError,
    QueryRefused,
    QueryTimeout,
    QueryTooLarge,
)

__all__ = ["is_connectivity", "is_retryable", "translate"]

log = logging.getLogger("powermap.graph")

#: Neo4j codes that mean "analysts may not do this", not "the text is wrong".
REFUSED_CODES: Final = frozenset(
    {
        "Neo.ClientError.Statement.AccessMode",
        "Neo.ClientError.Statement.UnsupportedAdministrationCommand",
        "Neo.ClientError.Statement.NotSystemDatabaseError",
    }
)
#: Codes of a transaction that used more memory than it may (Neo4j 5: the first).
MEMORY_CODES: Final = frozenset(
    {
        "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
        "Neo.TransientError.General.TransactionMemoryLimit",
        "Neo.TransientError.General.OutOfMemoryError",
    }
)
#: Codes of a value the request supplied that Neo4j cannot take.
VALUE_CODES: Final = frozenset(
    {
        "Neo.ClientError.Statement.ArgumentError",
        "Neo.ClientError.Statement.ArithmeticError",
        "Neo.ClientError.Statement.TypeError",
    }
)


#: GQLSTATUS class of "data exception" (an invalid value, e.g. month 13 in a date).
DATA_EXCEPTION: Final = "22"


def _gql_class(exc: Neo4jError) -> str:
    status = getattr(exc, "gql_status", None) or ""
    return str(status)[:2]


def _code(exc: Neo4jError) -> str:
    return exc.code or ""


def _message(exc: Neo4jError) -> str:
    return exc.message or str(exc)


def is_connectivity(exc: BaseException) -> bool:
    """The database could not be reached (or the connection broke): not the query's fault."""
    return isinstance(exc, ServiceUnavailable | SessionExpired) and not isinstance(
        exc, IncompleteCommit
    )


def _is_memory_cap(exc: BaseException) -> bool:
    """One transaction went over ``db.memory.transaction.max``: retrying cannot help."""
    return (
        isinstance(exc, Neo4jError)
        and _code(exc) in MEMORY_CODES
        and "transaction.total.max" not in _message(exc)
    )


def is_retryable(exc: BaseException) -> bool:
    """Worth another attempt of the same unit of work (deadlocks, leader switches, a
    full memory pool of all transactions) — but never a transaction over its own cap,
    which would only fail again after as much work."""
    if _is_memory_cap(exc) or isinstance(exc, IncompleteCommit):
        return False
    if isinstance(exc, Neo4jError | DriverError):
        return bool(exc.is_retryable())
    return False


def translate(
    exc: Neo4jError | DriverError, *, analyst: bool = False, timeout: float | None = None
) -> PowermapError:
    """The service error for one driver exception (see the module's table); ``timeout``
    is the transaction's server-side timeout, for the message of a timed-out one."""
    error = _translate(exc, analyst=analyst, timeout=timeout)
    if isinstance(error, DatabaseFailure):
        # The cause goes to the log, not to the client.
        log.error("neo4j failure: %s", exc, exc_info=exc)
    elif isinstance(error, DatabaseUnavailable):
        log.warning("neo4j unavailable: %s", exc)
    return error


def _translate(
    exc: Neo4jError | DriverError, *, analyst: bool, timeout: float | None
) -> PowermapError:
    if isinstance(exc, IncompleteCommit):
        return DatabaseUnavailable(
            "the connection to Neo4j broke while committing, so whether the write was "
            "applied is unknown; re-send it (ingest batches are idempotent)",
            reason="commit-unknown",
        )
    if isinstance(exc, ConnectionAcquisitionTimeoutError):
        return DatabaseUnavailable(
            "every connection to Neo4j is busy; retry shortly", reason="busy"
        )
    if isinstance(exc, ServiceUnavailable | SessionExpired):
        return DatabaseUnavailable("Neo4j could not be reached; retry shortly")
    if isinstance(exc, AuthError):
        return DatabaseUnavailable("Neo4j refused the service's credentials", reason="auth")
    if isinstance(exc, DriverError):
        return DatabaseFailure("the Neo4j driver failed; quote the request id when reporting it")
    code, message = _code(exc), _message(exc)
    if "TransactionTimedOut" in code:
        within = "in time" if timeout is None else f"within {timeout:.3g} s"
        if analyst:
            return QueryTimeout(
                f"the query did not finish {within} and was stopped on the server; "
                "narrow the match (anchor it on an id, add LIMIT) and retry"
            )
        return DeadlineExceeded(
            f"the request did not finish {within} and was stopped on the server; nothing "
            "of it was written; retry later or send less at once"
        )
    if code in MEMORY_CODES:
        if not _is_memory_cap(exc):
            return DatabaseUnavailable(
                "Neo4j is out of transaction memory; retry shortly", reason="busy"
            )
        if analyst:
            return QueryTooLarge(
                "the query needs more memory than an analyst query may use; aggregate "
                "less at once (add LIMIT, anchor the match, avoid collect() of large sets)"
            )
        return PayloadTooLarge(
            "the request needs more memory than one transaction may use; nothing was "
            "written; send it in smaller batches (or use `powermap import`)"
        )
    if isinstance(exc, TransientError):
        return DatabaseUnavailable(
            "Neo4j is busy (a transient error persisted); retry shortly", reason="busy"
        )
    if isinstance(exc, ConstraintError):
        return Conflict(message or "a uniqueness constraint was violated")
    if analyst:
        return _analyst_refusal(exc, code, message)
    if code in VALUE_CODES or _gql_class(exc) == DATA_EXCEPTION:
        return InvalidInput(f"Neo4j cannot take a value of the request: {message}")
    return DatabaseFailure("the graph database failed; quote the request id when reporting it")


def _analyst_refusal(exc: Neo4jError, code: str, message: str) -> PowermapError:
    if code in REFUSED_CODES or ".Security." in code:
        return QueryRefused(f"the database refused the query: {message}")
    # A DatabaseError of the statement itself, e.g. `CALL { … } IN TRANSACTIONS`
    # (TransactionStartFailed: only possible in an auto-commit transaction), is
    # caused by the text the analyst wrote, like a ClientError.
    if isinstance(exc, ClientError) or (
        isinstance(exc, DatabaseError)
        and (".Statement." in code or code.endswith("TransactionStartFailed"))
    ):
        return InvalidInput(
            f"Neo4j rejected the query: {message}",
            errors=[FieldError(location="cypher", field="cypher", reason=message)],
        )
    return DatabaseFailure("the graph database failed; quote the request id when reporting it")
