"""API keys and the principal a request acts as.

A key reads ``pm_<id>_<secret>``: the id finds the stored record in one index lookup,
the secret (32 random bytes) is compared by SHA-256 digest in constant time. A fast
hash is right here because the secret is high-entropy, not a password.

The API verifies keys from memory (:class:`ApiKeyCache`): a key read from the database
is held with the graph version read just before it, and stays valid for as long as
the graph has that version — any committed write (a revocation included, whichever
process or tool made it) gives a new version, after which the key is read again. So a
revocation takes effect on the next request, as when every request read its key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from service.domain.errors import Forbidden, Unauthenticated
from service.graph import api_keys as store
from service.graph import request_trace
from service.graph.driver import Graph
from service.graph.graph_version import UNKNOWN_VERSION, current_graph_version


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"
    QUERY_RUN = "query:run"
    QUERY_ADHOC = "query:adhoc"


KEY_PREFIX = "pm"


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key, or an embed token limited to one account."""

    key_id: str
    scopes: frozenset[Scope]
    kind: str = "api_key"
    account_id: str | None = None  # set for embed tokens: the only account they may see
    name: str = field(default="", compare=False)

    def has(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes

    def require(self, scope: Scope) -> None:
        if not self.has(scope):
            raise Forbidden(f"this credential lacks the '{scope.value}' scope")

    def require_account(self, account_id: str) -> None:
        """Embed tokens see exactly one account; API keys see the whole portfolio."""
        if self.account_id is not None and self.account_id != account_id:
            raise Forbidden("this token is limited to another account")


@dataclass(frozen=True)
class CreatedKey:
    key_id: str
    secret: str  # shown once; only its hash is stored
    scopes: list[str]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(graph: Graph, name: str, scopes: list[Scope]) -> CreatedKey:
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    values = sorted({s.value for s in scopes})
    store.insert_key(graph, key_id=key_id, name=name, secret_hash=_digest(secret), scopes=values)
    return CreatedKey(key_id=key_id, secret=f"{KEY_PREFIX}_{key_id}_{secret}", scopes=values)


def parse_key(token: str) -> tuple[str, str]:
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != KEY_PREFIX or not key_id or not secret:
        raise Unauthenticated("the API key is malformed")
    return key_id, secret


def authenticate(graph: Graph, token: str) -> Principal:
    """The principal of an API key, read from the database now."""
    key_id, secret = parse_key(token)
    return _principal(key_id, secret, store.find_key(graph, key_id))


def _principal(key_id: str, secret: str, record: dict[str, Any] | None) -> Principal:
    if record is None or not hmac.compare_digest(record["secret_hash"], _digest(secret)):
        raise Unauthenticated("the API key is not valid")
    if record["revoked"]:
        raise Unauthenticated("the API key was revoked")
    return Principal(
        key_id=key_id,
        scopes=frozenset(Scope(s) for s in record["scopes"]),
        name=record["name"] or "",
    )


#: Valid keys held in memory per process (an LRU; a key costs a few hundred bytes).
MAX_CACHED_KEYS: Final = 4096


@dataclass(frozen=True)
class _Verified:
    """A key found valid, with the graph version read just before it was read."""

    secret_hash: str
    principal: Principal
    version: str


@dataclass(frozen=True)
class Authenticated:
    """An API key's principal; ``pending`` is the graph version it was verified under
    when that must still be confirmed (:meth:`ApiKeyCache.confirmed`), else None."""

    principal: Principal
    pending: str | None = None


class ApiKeyCache:
    """API keys verified from memory, revalidated by the graph version.

    Why it never accepts a revoked key: a held key was read after the version stored
    with it (``version``); when some read of the current request sees that same
    version, nothing was committed between the key's read and this request, so the key
    is as it was then. Otherwise the key is read again (one round trip; after any
    write, once per key and process). Only valid keys are held; unknown, malformed,
    wrong and revoked keys are refused by the database's answer every time.

    Thread-safe; one per app (:class:`service.api.state.AppState`).
    """

    def __init__(self, graph: Graph, max_entries: int = MAX_CACHED_KEYS) -> None:
        self._graph = graph
        self._max_entries = max_entries
        self._keys: OrderedDict[str, _Verified] = OrderedDict()
        self._lock = threading.Lock()

    def authenticate(self, token: str) -> Authenticated:
        """The principal of ``token``, for a request that only reads.

        A key held in memory is accepted at once with its version ``pending``: the
        caller confirms it with :meth:`confirmed` once the request's own reads have
        seen a version, before answering. A key not held is read now. (A request that
        writes must be refused before it writes: it uses :func:`authenticate`.)
        """
        held = self.from_memory(token)
        if held is not None:
            return held
        key_id, secret = parse_key(token)
        return Authenticated(self._read(key_id, secret))

    def from_memory(self, token: str) -> Authenticated | None:
        """What :meth:`authenticate` answers when ``token``'s key is held in memory
        (never a round trip, so the event loop may call it); None when it is not held
        and must be read. Raises :class:`Unauthenticated` for a malformed token or a
        held key's wrong secret."""
        key_id, secret = parse_key(token)
        with self._lock:
            held = self._keys.get(key_id)
            if held is not None:
                self._keys.move_to_end(key_id)
        if held is None:
            return None
        if not hmac.compare_digest(held.secret_hash, _digest(secret)):
            raise Unauthenticated("the API key is not valid")
        trace = request_trace.current()
        if trace is not None and trace.saw(held.version):
            return Authenticated(held.principal)
        return Authenticated(held.principal, pending=held.version)

    def confirmed(self, token: str, version: str) -> Principal:
        """Confirm a key accepted under ``version`` at the end of a request: at once
        when a read of the request saw that version, else by reading the key again.
        Raises :class:`Unauthenticated` when it is no longer valid."""
        principal = self.confirmed_from_memory(token, version)
        if principal is not None:
            return principal
        key_id, secret = parse_key(token)
        return self._read(key_id, secret)

    def confirmed_from_memory(self, token: str, version: str) -> Principal | None:
        """:meth:`confirmed` when it needs no round trip (a read of the current request
        saw ``version`` and the key is still held under it), else None."""
        trace = request_trace.current()
        if trace is None or not trace.saw(version):
            return None
        key_id, _ = parse_key(token)
        with self._lock:
            held = self._keys.get(key_id)
        if held is not None and held.version == version:
            return held.principal
        return None

    def forget(self, key_id: str) -> None:
        with self._lock:
            self._keys.pop(key_id, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._keys)

    def _read(self, key_id: str, secret: str) -> Principal:
        """Read the key from the database and hold it if valid."""
        # The version must be read *before* the key (a later one could already name a
        # revocation the key's read did not see). One this request read earlier will do.
        trace = request_trace.current()
        version = trace.version if trace is not None else None
        if version is None:
            version = current_graph_version(self._graph)
        try:
            principal = _principal(key_id, secret, store.find_key(self._graph, key_id))
        except Unauthenticated:
            self.forget(key_id)
            raise
        if version != UNKNOWN_VERSION:
            with self._lock:
                self._keys[key_id] = _Verified(_digest(secret), principal, version)
                self._keys.move_to_end(key_id)
                while len(self._keys) > self._max_entries:
                    self._keys.popitem(last=False)
        return principal


def revoke_key(graph: Graph, key_id: str) -> bool:
    return store.revoke_key(graph, key_id)
