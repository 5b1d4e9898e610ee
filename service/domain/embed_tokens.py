"""Embed tokens: short-lived, signed, read-only credentials for one account's widget.

A CRM backend holding an API key mints a token (``POST /v1/embed-tokens``) and puts it
into the page that embeds the org chart; the browser then calls the API with it. The
token is a JWT (HS256, ``settings.embed_token_secret``) with the claims

``iss``/``aud``  fixed, so a JWT minted for anything else is refused;
``acc``          the one account it may read;
``scope``        always ``read``;
``iat``/``exp``  issue and expiry time (default 15 min, at most 24 h);
``jti``          a random token id, logged instead of the token.

Nothing is stored: the signature and the expiry are the whole check, which is why the
lifetime is short. What an embed token may call is an allow-list (:data:`EMBED_ROUTES`)
on top of the account check each of those routes makes with ``require_account``, so a
route added later is closed to embed tokens until someone decides otherwise.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from service.domain.access import KEY_PREFIX, Principal, Scope
from service.domain.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from service.graph import reads
from service.graph.driver import Graph
from service.settings import Settings

__all__ = [
    "EMBED_ROUTES",
    "EmbedClaims",
    "MintedToken",
    "is_api_key",
    "mint",
    "mint_for_account",
    "principal_for",
    "require_embed_route",
    "verify",
]

ISSUER = "powermap"
AUDIENCE = "powermap:embed"
ALGORITHM = "HS256"
# Clock skew tolerated between the minting and the verifying process.
LEEWAY_SECONDS = 5

# Route templates an embed token may call (path parameters written as `{}`): the
# account's org chart, what the widget's side panel shows about one person, and the
# what-if mode's departure impact of several of the account's people (a read sent as
# POST; ids outside the account are a 422 naming only the ids sent). Each of these
# routes also checks the account with `Principal.require_account`.
EMBED_ROUTES = frozenset(
    {
        "/v1/accounts/{}",
        "/v1/accounts/{}/org-chart",
        "/v1/accounts/{}/stakeholders",
        "/v1/stakeholders/{}",
        "/v1/team-members/{}",
        "/v1/people/{}/departure-impact",
        "/v1/accounts/{}/departure-impact",
        # The account's graph (docs/export.md): the widget's network view reads it.
        "/v1/accounts/{}/graph",
        # The network view's warm path highlight: only to the account's stakeholders
        # (service/domain/analytics/warm_paths.py checks the target's account).
        "/v1/paths/warm",
    }
)
_PARAM = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class MintedToken:
    token: str
    token_id: str
    account_id: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class EmbedClaims:
    token_id: str
    account_id: str
    issued_at: datetime
    expires_at: datetime


def is_api_key(token: str) -> bool:
    """API keys read ``pm_<id>_<secret>``; anything else is tried as an embed token."""
    return token.startswith(f"{KEY_PREFIX}_")


def _secret(settings: Settings) -> str:
    return settings.embed_token_secret.get_secret_value()


def mint(
    settings: Settings,
    account_id: str,
    *,
    minutes: int | None = None,
    now: datetime | None = None,
) -> MintedToken:
    """A token for ``account_id`` valid ``minutes`` (default from settings, capped)."""
    if not account_id:
        raise InvalidInput("account_id must not be empty")
    lifetime = settings.embed_token_default_minutes if minutes is None else minutes
    if not 1 <= lifetime <= settings.embed_token_max_minutes:
        raise InvalidInput(
            f"expires_in_minutes must be between 1 and {settings.embed_token_max_minutes}"
        )
    issued = (now or datetime.now(UTC)).replace(microsecond=0)
    expires = issued + timedelta(minutes=lifetime)
    token_id = secrets.token_hex(8)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "acc": account_id,
        "scope": Scope.READ.value,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": token_id,
    }
    token = jwt.encode(claims, _secret(settings), algorithm=ALGORITHM)
    return MintedToken(
        token=token,
        token_id=token_id,
        account_id=account_id,
        issued_at=issued,
        expires_at=expires,
    )


def mint_for_account(
    graph: Graph,
    settings: Settings,
    principal: Principal,
    account_id: str,
    *,
    minutes: int | None = None,
) -> MintedToken:
    """Mint for a caller holding an API key, for an account that exists.

    An embed token cannot mint another: that would let a page extend its own access.
    """
    if principal.kind != "api_key":
        raise Forbidden("embed tokens are minted with an API key, not with another token")
    principal.require(Scope.READ)
    if reads.account(graph, account_id) is None:
        raise NotFound(f"no account with id {account_id!r}")
    return mint(settings, account_id, minutes=minutes)


def verify(settings: Settings, token: str) -> EmbedClaims:
    """The claims of a valid token; :class:`Unauthenticated` for anything else."""
    try:
        claims = jwt.decode(
            token,
            _secret(settings),
            algorithms=[ALGORITHM],  # fixed: never trust the header's `alg`
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "jti", "acc", "scope", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("the embed token has expired; mint a new one") from exc
    except jwt.InvalidSignatureError as exc:
        raise Unauthenticated("the embed token's signature is not valid") from exc
    except jwt.DecodeError as exc:
        raise Unauthenticated("the credential is neither an API key nor an embed token") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated(f"the embed token is not valid: {exc}") from exc
    account_id, scope, token_id = claims["acc"], claims["scope"], claims["jti"]
    if not isinstance(account_id, str) or not account_id or scope != Scope.READ.value:
        raise Unauthenticated("the embed token's claims are not valid")
    if not isinstance(token_id, str):
        raise Unauthenticated("the embed token's claims are not valid")
    lifetime = int(claims["exp"]) - int(claims["iat"])
    if lifetime > settings.embed_token_max_minutes * 60:
        # Only a holder of the secret can sign, but a longer-lived token was not minted
        # here: refuse it rather than honour it.
        raise Unauthenticated("the embed token's lifetime exceeds the maximum")
    return EmbedClaims(
        token_id=token_id,
        account_id=account_id,
        issued_at=datetime.fromtimestamp(int(claims["iat"]), UTC),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
    )


def principal_for(claims: EmbedClaims) -> Principal:
    return Principal(
        key_id=f"embed:{claims.token_id}",
        scopes=frozenset({Scope.READ}),
        kind="embed_token",
        account_id=claims.account_id,
        name=f"embed token for {claims.account_id}",
    )


def require_embed_route(route_path: str | None) -> None:
    """Refuse an embed token on any route outside :data:`EMBED_ROUTES`."""
    if route_path is None or _PARAM.sub("{}", route_path) not in EMBED_ROUTES:
        raise Forbidden("embed tokens may only read their account's org chart and people")
