"""Watches (docs/alerts.md, "Watches"): what a user asks Powermap to watch, and where
to tell them.

A watch names a scope (some accounts, a tier, the whole portfolio), the conditions to
evaluate for each account in it (``condition_specs``) and optionally a webhook. This
module checks a new watch completely before anything is stored — every problem at
once, each naming its field, so a refused request changes nothing — then stores it and
asks the evaluator for its baseline (what holds now makes no event). It also reads,
lists and deletes watches, and reads a watch's delivery log.

**The webhook secret** (Standard Webhooks ``whsec_`` + base64 of the key) is generated
unless one is given, stored on the ``Watch`` node (the deliverer signs with it) and
shown once: in the answer to the request that created the watch. No read of this
module returns it, no error or log line carries it (the request model keeps it in a
``SecretStr``, and errors about it never quote it).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StrictBool,
    StringConstraints,
    TypeAdapter,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from service.domain.alerts.condition_specs import (
    CONDITION_TYPES,
    ConditionSpec,
    SavedQueryChanged,
    dump_conditions,
    parse_conditions,
)
from service.domain.alerts.webhook_url import WebhookUrlRefused, check_webhook_url
from service.domain.errors import FieldError, InvalidInput, NotFound
from service.domain.queries.catalog import Catalog
from service.domain.queries.params import validate_params
from service.domain.values import Id
from service.graph import deadline
from service.graph import watches as store
from service.graph.driver import Graph, Record

__all__ = [
    "MAX_CONDITIONS",
    "MAX_SCOPE_ACCOUNTS",
    "AccountsScope",
    "Baseline",
    "CreatedWatch",
    "CreatedWebhook",
    "DeliveryAttempt",
    "NewWatch",
    "NewWebhook",
    "PortfolioScope",
    "ScopeIn",
    "TierScope",
    "Watch",
    "WatchWebhook",
    "check_secret",
    "create_watch",
    "delete_watch",
    "deliveries",
    "delivery_position_after",
    "delivery_position_of",
    "get_watch",
    "list_watches",
    "new_secret",
    "new_watch_id",
]

log = logging.getLogger("powermap.alerts")

MAX_SCOPE_ACCOUNTS = 1000
MAX_CONDITIONS = 20
SECRET_PREFIX = "whsec_"
#: The key inside a secret: 24..64 bytes (Standard Webhooks asks for 24 at least).
SECRET_BYTES = (24, 64)
GENERATED_SECRET_BYTES = 32
WATCH_ID_PREFIX = "wat_"
#: How long removing a watch whose baseline failed may take, past the request's deadline.
UNDO_SECONDS = 10.0

Tier = Literal["strategic", "key", "standard"]

#: Called with a new watch's id once it is stored: the evaluator's baseline
#: (``service.domain.alerts.evaluation.establish_baseline``), bound to the app's graph
#: and reads by the route.
Baseline = Callable[[str], None]


# -- the request ------------------------------------------------------------------------

_STRICT = ConfigDict(extra="forbid", strict=True)

#: A watch's name: 1..200 characters, not blank, no control characters.
WatchName = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f]*[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$",
    ),
]


class ScopeIn(BaseModel):
    """Exactly one of ``account_ids``, ``tier`` or ``portfolio``."""

    model_config = _STRICT

    account_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_SCOPE_ACCOUNTS)] | None = (
        Field(default=None, description="Stored accounts, 1..1000 distinct ids")
    )
    tier: Tier | None = Field(default=None, description="Every account of this tier")
    portfolio: StrictBool | None = Field(
        default=None, description="`true`: every account of the portfolio"
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> ScopeIn:
        given = [
            name
            for name, value in (
                ("account_ids", self.account_ids),
                ("tier", self.tier),
                ("portfolio", self.portfolio),
            )
            if value is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of account_ids, tier or portfolio"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.portfolio is False:
            raise ValueError('portfolio must be true (for some accounts use "account_ids")')
        return self


_CONDITION_LIST: TypeAdapter[list[ConditionSpec]] = TypeAdapter(
    Annotated[list[ConditionSpec], Field(min_length=1, max_length=MAX_CONDITIONS)]
)


def _strict_conditions(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # The condition models are lenient about JSON types ("5" or true for a number);
    # a request is read strictly, so that what the OpenAPI document refuses is refused.
    return _CONDITION_LIST.validate_python(value, strict=True)


_BARE_NAMES = [t for t in CONDITION_TYPES if t != "saved_query_changed"]


def _conditions_schema(schema: dict[str, Any]) -> None:
    # A bare name stands for a condition without parameters (condition_specs.py).
    schema["items"] = {
        "anyOf": [
            {"type": "string", "enum": _BARE_NAMES, "description": "a condition's type alone"},
            schema["items"],
        ]
    }


class NewWebhook(BaseModel):
    model_config = _STRICT

    url: str = Field(
        min_length=1,
        max_length=2048,
        description="Where events are posted: https to a public address, unless the "
        "operator allows the host (`POWERMAP_ALERTS_WEBHOOK_ALLOWED_HOSTS`)",
    )
    secret: SecretStr | None = Field(
        default=None,
        description="`whsec_` + base64 of a 24..64-byte key (Standard Webhooks); "
        "omitted: one is generated and shown once, in the answer",
    )


class NewWatch(BaseModel):
    """The body of ``POST /v1/watches``."""

    model_config = _STRICT

    name: WatchName
    scope: ScopeIn
    conditions: Annotated[
        list[ConditionSpec],
        Field(
            min_length=1,
            max_length=MAX_CONDITIONS,
            description="1..20 conditions (docs/alerts.md, Conditions); a bare type name "
            'stands for a condition without parameters: `"champion_lost"`',
            json_schema_extra=_conditions_schema,
        ),
        WrapValidator(_strict_conditions),
    ]
    webhook: NewWebhook | None = Field(
        default=None, description="Omitted: the watch's events are only in the feed"
    )


# -- the answers ------------------------------------------------------------------------


class AccountsScope(BaseModel):
    account_ids: list[str]


class TierScope(BaseModel):
    tier: Tier


class PortfolioScope(BaseModel):
    portfolio: Literal[True]


WatchScope = AccountsScope | TierScope | PortfolioScope


class WatchWebhook(BaseModel):
    url: str
    enabled: bool = Field(description="false once the receiver answered 410 Gone")
    disabled_reason: str | None = Field(description="Why deliveries stopped, if they did")
    disabled_at: datetime | None


class CreatedWebhook(WatchWebhook):
    secret: str = Field(
        description="The signing secret (`whsec_…`): shown in this answer only, never again"
    )


class Watch(BaseModel):
    id: str
    name: str
    created_at: datetime
    created_by: str | None = Field(description="The id of the API key that created it")
    scope: WatchScope
    conditions: list[ConditionSpec]
    webhook: WatchWebhook | None = Field(description="null: the events are only in the feed")


class CreatedWatch(Watch):
    webhook: CreatedWebhook | None = Field(
        description="With the secret, this once; null: the events are only in the feed"
    )


class DeliveryAttempt(BaseModel):
    """One attempt to deliver an event to the watch's webhook."""

    id: str
    event_id: str
    attempt: int = Field(description="1 for the first attempt of the event")
    at: datetime
    status_code: int | None = Field(description="The receiver's status; null: no answer")
    error: str | None = Field(description="Why no answer (timeout, refused, SSRF guard …)")
    duration_ms: float | None
    outcome: Literal["delivered", "retry", "failed", "disabled"]
    next_attempt_at: datetime | None = Field(description="When it is tried again, if it is")


# -- secrets ----------------------------------------------------------------------------


def new_watch_id() -> str:
    """``wat_`` + 26 random hex digits."""
    return WATCH_ID_PREFIX + secrets.token_hex(13)


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` + base64 of 32 random bytes."""
    key = secrets.token_bytes(GENERATED_SECRET_BYTES)
    return SECRET_PREFIX + base64.b64encode(key).decode("ascii")


def check_secret(secret: str, field: str = "webhook.secret") -> FieldError | None:
    """None when ``secret`` is ``whsec_`` + base64 of a 24..64-byte key, else the
    problem — which never quotes the secret.

    >>> check_secret(new_secret()) is None
    True
    >>> check_secret("whsec_c2hvcnQ=").reason
    'the key is 5 bytes; it must be 24..64 bytes'
    """
    if not secret.startswith(SECRET_PREFIX):
        return FieldError(location=field, field="secret", reason="must start with whsec_")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return FieldError(
            location=field, field="secret", reason="after whsec_ must come standard base64"
        )
    low, high = SECRET_BYTES
    if not low <= len(key) <= high:
        return FieldError(
            location=field,
            field="secret",
            reason=f"the key is {len(key)} bytes; it must be {low}..{high} bytes",
        )
    return None


# -- creating ---------------------------------------------------------------------------


def _condition_problems(conditions: list[ConditionSpec], catalog: Catalog) -> list[FieldError]:
    """A saved query must be in the catalog and its parameters valid for it."""
    errors: list[FieldError] = []
    for index, condition in enumerate(conditions):
        if not isinstance(condition, SavedQueryChanged):
            continue
        where = f"conditions[{index}]"
        try:
            query = catalog.get(condition.query)
        except NotFound as exc:
            errors.append(
                FieldError(
                    location=f"{where}.query",
                    section="conditions",
                    index=index,
                    field="query",
                    reason=exc.detail,
                )
            )
            continue
        try:
            validate_params(query.params, condition.params)
        except InvalidInput as exc:
            errors += [
                FieldError(
                    location=f"{where}.{e.location}",
                    section="conditions",
                    index=index,
                    field=e.field,
                    reason=e.reason,
                )
                for e in exc.errors
            ]
    return errors


def _scope_problems(graph: Graph, account_ids: list[str]) -> list[FieldError]:
    """Every id once, and every one a stored account."""
    errors: list[FieldError] = []
    first: dict[str, int] = {}
    for index, account_id in enumerate(account_ids):
        if account_id in first:
            errors.append(
                FieldError(
                    location=f"scope.account_ids[{index}]",
                    field="account_ids",
                    reason=f"{account_id!r} is given twice (first at [{first[account_id]}])",
                )
            )
        else:
            first[account_id] = index
    stored = store.existing_accounts(graph, first)
    errors += [
        FieldError(
            location=f"scope.account_ids[{index}]",
            field="account_ids",
            reason=f"no account with id {account_id!r}",
        )
        for account_id, index in first.items()
        if account_id not in stored
    ]
    return sorted(errors, key=lambda e: _index_of(e.location))


def _index_of(location: str) -> int:
    return int(location.rsplit("[", 1)[1].rstrip("]"))


def _webhook(
    webhook: NewWebhook | None, allowed_hosts: Collection[str]
) -> tuple[str | None, str | None, list[FieldError]]:
    """The checked url and the secret (given or generated), and the problems."""
    if webhook is None:
        return None, None, []
    errors: list[FieldError] = []
    url: str | None = None
    try:
        url = check_webhook_url(webhook.url, allowed_hosts)
    except WebhookUrlRefused as exc:
        errors += exc.errors
    secret = new_secret() if webhook.secret is None else webhook.secret.get_secret_value()
    problem = check_secret(secret)
    if problem is not None:
        errors.append(problem)
    return url, secret, errors


def create_watch(
    graph: Graph,
    new: NewWatch,
    *,
    catalog: Catalog,
    allowed_hosts: Collection[str],
    created_by: str | None,
    baseline: Baseline | None,
) -> CreatedWatch:
    """Check ``new`` completely, store it and establish its baseline.

    Every problem is reported at once as one :class:`InvalidInput` (422), each naming
    its field; nothing is stored then. When the baseline fails, the stored watch is
    deleted again and the failure raised: a watch is stored with its baseline or not
    at all.
    """
    scope = new.scope
    errors = _condition_problems(new.conditions, catalog)
    url, secret, webhook_errors = _webhook(new.webhook, allowed_hosts)
    errors += webhook_errors
    if scope.account_ids is not None:
        errors += _scope_problems(graph, scope.account_ids)
    if errors:
        raise InvalidInput(
            f"{len(errors)} problem(s) in the watch; nothing was stored", errors=errors
        )
    kind = "accounts" if scope.account_ids else "tier" if scope.tier else "portfolio"
    watch_id = new_watch_id()
    props: dict[str, Any] = {
        "id": watch_id,
        "name": new.name,
        "created_by": created_by,
        "scope_kind": kind,
        "account_ids": list(scope.account_ids or []),
        "tier": scope.tier,
        "conditions": dump_conditions(new.conditions),
        "webhook_url": url,
        "webhook_secret": secret,
        "webhook_enabled": url is not None,
        "webhook_disabled_reason": None,
        "webhook_disabled_at": None,
        # The watch_seq of its next event (the evaluator takes it and counts on).
        "next_seq": 1,
    }
    created_at = store.create_watch(graph, props)
    log.info(
        "watch %s created: scope %s, %d condition(s), %s",
        watch_id,
        kind,
        len(new.conditions),
        "a webhook" if url else "feed only",
    )
    if baseline is not None:
        try:
            baseline(watch_id)
        except Exception:
            # Stored with its baseline or not at all: a watch without one would take
            # what holds now for news at its first evaluation.
            log.warning("the baseline of watch %s failed; the watch is removed", watch_id)
            try:
                # On a clock of its own: the request's deadline may be what failed.
                with deadline.deadline(UNDO_SECONDS):
                    store.delete_watch(graph, watch_id)
            except Exception:
                log.exception("watch %s could not be removed after its baseline failed", watch_id)
            raise
    record = {**props, "created_at": created_at}
    watch = _watch_of(record)
    webhook = (
        CreatedWebhook(**watch.webhook.model_dump(), secret=secret or "")
        if watch.webhook is not None
        else None
    )
    return CreatedWatch(**{**watch.model_dump(exclude={"webhook"}), "webhook": webhook})


# -- reading and deleting ---------------------------------------------------------------


def _watch_of(record: Record) -> Watch:
    kind = record["scope_kind"]
    scope: WatchScope
    if kind == "accounts":
        scope = AccountsScope(account_ids=list(record["account_ids"] or []))
    elif kind == "tier":
        scope = TierScope(tier=record["tier"])
    else:
        scope = PortfolioScope(portfolio=True)
    webhook = None
    if record.get("webhook_url"):
        webhook = WatchWebhook(
            url=record["webhook_url"],
            enabled=bool(record.get("webhook_enabled")),
            disabled_reason=record.get("webhook_disabled_reason"),
            disabled_at=record.get("webhook_disabled_at"),
        )
    return Watch(
        id=record["id"],
        name=record["name"],
        created_at=record["created_at"],
        created_by=record.get("created_by"),
        scope=scope,
        conditions=parse_conditions(record["conditions"]),
        webhook=webhook,
    )


def get_watch(graph: Graph, watch_id: str) -> Watch:
    """The watch (never its secret); NotFound (404) when there is none."""
    record = store.watch(graph, watch_id)
    if record is None:
        raise NotFound(f"no watch with id {watch_id!r}")
    return _watch_of(record)


def list_watches(graph: Graph, *, after: str, limit: int) -> tuple[list[Watch], str | None]:
    """The watches after ``after`` in id order, and the id to continue after (None on
    the last page)."""
    rows = store.watches_page(graph, after=after, limit=limit + 1)
    items = [_watch_of(r) for r in rows[:limit]]
    more = len(rows) > limit
    return items, items[-1].id if more and items else None


def delete_watch(graph: Graph, watch_id: str) -> None:
    """Delete the watch and what the evaluator remembered of it; its events stay in the
    feed, those still waiting for delivery become ``cancelled``. NotFound when none."""
    deleted = store.delete_watch(graph, watch_id)
    if deleted is None:
        raise NotFound(f"no watch with id {watch_id!r}")
    log.info(
        "watch %s deleted: %d pending event(s) cancelled, %d account state(s) removed",
        watch_id,
        deleted["cancelled"],
        deleted["states"],
    )


# -- the delivery log -------------------------------------------------------------------


def delivery_position_of(attempt: DeliveryAttempt) -> str:
    """The position after a delivery attempt, as the string the API's opaque cursor
    wraps."""
    return json.dumps([attempt.at.isoformat(), attempt.id], separators=(",", ":"))


def delivery_position_after(position: str) -> tuple[datetime, str] | None:
    """Parse :func:`delivery_position_of`'s string (``""``: the first page); 422 naming
    ``cursor`` when malformed."""
    if not position:
        return None
    try:
        at_text, delivery_id = json.loads(position)
        at = datetime.fromisoformat(at_text)
        if not isinstance(delivery_id, str) or at.tzinfo is None:
            raise ValueError("shape")
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            "the cursor is not one this service issued; use next_cursor from the previous page",
            errors=[FieldError("query.cursor", "not a valid cursor", field="cursor")],
        ) from exc
    return at, delivery_id


def deliveries(
    graph: Graph, watch_id: str, *, before: tuple[datetime, str] | None, limit: int
) -> tuple[list[DeliveryAttempt], DeliveryAttempt | None]:
    """The watch's delivery attempts, newest first, older than ``before`` when given,
    and the attempt to continue after (None on the last page). NotFound when there is
    no such watch."""
    if not store.watch_exists(graph, watch_id):
        raise NotFound(f"no watch with id {watch_id!r}")
    rows = store.deliveries_page(graph, watch_id, before=before, limit=limit + 1)
    items = [DeliveryAttempt.model_validate(r) for r in rows[:limit]]
    more = len(rows) > limit
    return items, items[-1] if more and items else None
