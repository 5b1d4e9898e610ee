"""What the current request did with the graph: its transactions and the versions it saw.

The API starts a :class:`RequestTrace` for every HTTP request (``service/api/app.py``,
next to the deadline); :mod:`service.graph.driver` and
:mod:`service.graph.graph_version` note in it every transaction they run and, for
reads, the graph version the transaction's bookmark names (graph_version.py explains
why equal versions mean that no write committed in between). Two things use it:

- authentication (``service/domain/access.py``): a key verified from memory under
  version *V* is still valid when a read of this request saw *V*; no round trip of its
  own is needed;
- the analytics reads (``account_cache.py``): a version read earlier in the same
  request, with no write since, keys the cache without reading it again.

A :class:`contextvars.ContextVar` holding a mutable object: Starlette copies the
context into the thread-pool thread that runs a route, so what the driver notes there
is seen by the middleware afterwards. Outside a request (the CLI, background threads,
tests calling the domain directly) there is no trace and nothing is noted.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field

__all__ = ["RequestTrace", "current", "note_transaction", "traced", "version_of"]


@dataclass
class RequestTrace:
    """The graph work of one request (counts since the request began)."""

    #: Transactions run (each is one managed transaction, or one version read).
    transactions: int = 0
    #: Graph versions seen by this request's reads, oldest first (bounded, distinct).
    versions: list[str] = field(default_factory=list)
    #: The version of the last read when no write of this request followed it.
    version: str | None = None

    def saw(self, version: str) -> bool:
        """Whether a read of this request saw ``version``."""
        return version in self.versions


_trace: ContextVar[RequestTrace | None] = ContextVar("powermap_request_trace", default=None)

#: How many distinct versions a trace keeps (a request that reads while others write).
MAX_VERSIONS = 8


class traced:  # noqa: N801 - used as a function: `with traced() as trace:`
    """Trace the graph work done inside (one HTTP request).

    A class rather than a ``@contextmanager`` generator: entered once per HTTP request,
    where the generator's machinery cost more than the trace itself.
    """

    __slots__ = ("_token",)
    _token: Token[RequestTrace | None]

    def __enter__(self) -> RequestTrace:
        trace = RequestTrace()
        self._token = _trace.set(trace)
        return trace

    def __exit__(self, *exc_info: object) -> None:
        _trace.reset(self._token)


def current() -> RequestTrace | None:
    """The trace of the current request, or None outside one."""
    return _trace.get()


def version_of(bookmarks: Iterable[str]) -> str:
    """A graph version from a session's bookmark values: sorted and joined."""
    return "|".join(sorted(bookmarks))


def note_transaction(*, read: bool, version: str | None = None) -> None:
    """Note a committed transaction; ``version`` is what a read's bookmark named."""
    trace = _trace.get()
    if trace is None:
        return
    trace.transactions += 1
    if not read:
        trace.version = None  # a later read must not reuse a version from before it
        return
    if version:
        trace.version = version
        if version not in trace.versions and len(trace.versions) < MAX_VERSIONS:
            trace.versions.append(version)
