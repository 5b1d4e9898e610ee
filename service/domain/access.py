"""API keys and the principal a request acts as.

A key reads ``pm_<id>_<secret>``: the id finds the stored record in one index lookup,
the secret (32 random bytes) is compared by SHA-256 digest in constant time. A fast
hash is right here because the secret is high-entropy, not a password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from enum import StrEnum

from service.domain.errors import Forbidden, Unauthenticated
from service.graph import api_keys as store
from service.graph.driver import Graph


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
    key_id, secret = parse_key(token)
    record = store.find_key(graph, key_id)
    if record is None or not hmac.compare_digest(record["secret_hash"], _digest(secret)):
        raise Unauthenticated("the API key is not valid")
    if record["revoked"]:
        raise Unauthenticated("the API key was revoked")
    return Principal(
        key_id=key_id,
        scopes=frozenset(Scope(s) for s in record["scopes"]),
        name=record["name"] or "",
    )


def revoke_key(graph: Graph, key_id: str) -> bool:
    return store.revoke_key(graph, key_id)
