"""The CRM sync: `POST /v1/sync/salesforce` (multipart) and `POST /v1/sync/hubspot` (JSON).

Each reads one CRM's export, translates it (``service/domain/sync/salesforce.py``,
``hubspot.py``) and hands the snapshot to the sync's write path
(``service/domain/sync/apply.py``); docs/crm-sync.md is the integrator's guide.

The Salesforce upload is ``multipart/form-data``, parsed by Starlette's form parser on
top of ``python-multipart`` (the parser FastAPI itself uses for forms: maintained,
streaming, file parts spooled to disk past 1 MB): one part per object, named by the
object's API name, holding the Bulk API 2.0 CSV (a file part, ``curl -F
Account=@Account.csv``, or a plain field); the form fields ``mode``, ``effective_at``
and ``confirm_mass_change`` say how. The parts are not declared as FastAPI parameters
because the translator must see every part, unknown ones too, to report them (422).
The body cap (service/api/body_limit.py) of both routes is ``ingest_max_body_bytes``.

Translation and the write are blocking work: they run in the thread pool, as every
``def`` route does, so the event loop stays free.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from service.api.deps import StateDep, WritePrincipal
from service.api.routes.ingest import AUTH_ERRORS, PROBLEM, ChangesSummary
from service.api.state import AppState
from service.domain.errors import FieldError, InvalidInput, UnsupportedMediaType
from service.domain.sync.apply import SyncSummary, parse_effective_at, sync_upload
from service.domain.sync.hubspot import LISTS, translate_hubspot
from service.domain.sync.mappings import configured_mappings
from service.domain.sync.parsing import parse_bool
from service.domain.sync.salesforce import OBJECTS, translate_salesforce
from service.domain.sync.snapshot import CrmSnapshot, SyncMode

router = APIRouter(prefix="/v1/sync", tags=["sync"])

#: The form fields (and HubSpot body keys) that are not CRM parts.
CONTROL_FIELDS = ("mode", "effective_at", "confirm_mass_change")


class KindCounts(BaseModel):
    created: int
    updated: int
    ended: int = Field(description="Ended (until / left_at set), history kept")
    unchanged: int


class UnmappedValue(BaseModel):
    object: str
    field: str
    value: str
    count: int


class MassChangeItem(BaseModel):
    account_id: str
    gone: int
    current: int


class SyncResult(BaseModel):
    source: Literal["salesforce", "hubspot"]
    mode: Literal["snapshot", "delta"]
    effective_at: datetime
    kinds: dict[str, KindCounts] = Field(
        description="Per kind (accounts, people, team_members, opportunities, employment, "
        "reporting_lines, roles, coverage, interactions)"
    )
    unmapped: list[UnmappedValue] = Field(description="Picklist values no mapping names")
    ignored: dict[str, int] = Field(description="Records read but not used, per reason")
    mass_changes_confirmed: list[MassChangeItem] = Field(
        description="Accounts past the truncated-export guard that confirm_mass_change let through"
    )
    transactions: int
    changes: ChangesSummary
    write: dict[str, Any] = Field(description="The ingest summary of the rows written")


RESPONSES: dict[int | str, dict[str, Any]] = {
    **AUTH_ERRORS,
    409: {
        "description": "The truncated-export guard refused the snapshot (the accounts and "
        "counts are in `accounts`), or a concurrent batch formed a reporting cycle",
        **PROBLEM,
    },
    413: {"description": "Over the body cap, or more rows than one transaction takes", **PROBLEM},
    422: {"description": "Every bad value, with part, line and column", **PROBLEM},
}

_MODE = {"type": "string", "enum": ["snapshot", "delta"]}
_EFFECTIVE_AT = {"type": "string", "format": "date-time", "description": "Default now"}
_CONFIRM = {"type": "boolean", "default": False}
_CSV_PART = {"type": "string", "format": "binary"}
SALESFORCE_BODY = {
    "type": "object",
    "required": ["mode"],
    "properties": {
        "mode": _MODE,
        "effective_at": _EFFECTIVE_AT,
        "confirm_mass_change": _CONFIRM,
        **dict.fromkeys(OBJECTS, _CSV_PART),
    },
}
_RESULT_LIST = {
    "oneOf": [
        {"type": "array", "items": {"type": "object"}},
        {"type": "object", "properties": {"results": {"type": "array"}}},
    ]
}
HUBSPOT_BODY = {
    "type": "object",
    "required": ["mode"],
    "properties": {
        "mode": _MODE,
        "effective_at": _EFFECTIVE_AT,
        "confirm_mass_change": _CONFIRM,
        **dict.fromkeys(LISTS, _RESULT_LIST),
    },
}


def _controls(values: Mapping[str, Any]) -> tuple[SyncMode, datetime, bool]:
    """``mode`` (required), ``effective_at`` (default now), ``confirm_mass_change``;
    every problem reported at once."""
    errors: list[FieldError] = []
    mode = values.get("mode")
    if mode not in ("snapshot", "delta"):
        reason = "is required" if mode is None else f"{mode!r} is not snapshot or delta"
        errors.append(FieldError(location="mode", reason=reason, field="mode"))
    effective_at = datetime.now(UTC)
    if values.get("effective_at") not in (None, ""):
        try:
            effective_at = parse_effective_at(values["effective_at"])
        except ValueError as exc:
            errors.append(
                FieldError(location="effective_at", reason=str(exc), field="effective_at")
            )
    confirm = values.get("confirm_mass_change", False)
    if isinstance(confirm, str):
        try:
            confirm = parse_bool(confirm) if confirm else False
        except ValueError as exc:
            confirm = False
            errors.append(
                FieldError(
                    location="confirm_mass_change", reason=str(exc), field="confirm_mass_change"
                )
            )
    elif not isinstance(confirm, bool):
        errors.append(
            FieldError(
                location="confirm_mass_change",
                reason="must be true or false",
                field="confirm_mass_change",
            )
        )
        confirm = False
    if errors:
        raise InvalidInput(
            f"{len(errors)} problem(s) in the request; nothing was changed", errors=errors
        )
    return mode, effective_at, bool(confirm)  # type: ignore[return-value]


def _sync(state: AppState, snapshot: CrmSnapshot, confirm: bool) -> dict[str, Any]:
    summary: SyncSummary = sync_upload(
        state.graph,
        state.settings,
        snapshot,
        configured_mappings(state.settings.sync_mappings_file),
        confirm_mass_change=confirm,
    )
    state.wake_alerts()
    return summary.as_dict()


def _salesforce(
    state: AppState, parts: dict[str, bytes], mode: SyncMode, at: datetime, confirm: bool
) -> dict[str, Any]:
    mappings = configured_mappings(state.settings.sync_mappings_file)
    snapshot = translate_salesforce(parts, mode=mode, effective_at=at, mappings=mappings)
    return _sync(state, snapshot, confirm)


@router.post(
    "/salesforce",
    summary="Sync a Salesforce export (one CSV part per object)",
    description=(
        "`multipart/form-data`: one part per object, named by its API name (`Account`, "
        "`Contact`, `AccountContactRelation`, `Opportunity`, `OpportunityContactRole`, "
        "`User`, `AccountTeamMember`, `Task`, `Event`, `deleted`), each a Bulk API 2.0 "
        "query result (CSV). Form fields: `mode` (`snapshot`: the upload is the complete "
        "state of its accounts from Salesforce, and what it no longer holds is ended; "
        "`delta`: only what is given changes, plus deletions), `effective_at` (default "
        "now), `confirm_mass_change`. All or nothing, idempotent; see docs/crm-sync.md."
    ),
    response_model=SyncResult,
    responses={
        **RESPONSES,
        415: {"description": "The body is not multipart/form-data", **PROBLEM},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": SALESFORCE_BODY}},
        }
    },
)
async def sync_salesforce(
    request: Request, state: StateDep, principal: WritePrincipal
) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise UnsupportedMediaType(
            "send multipart/form-data: one part per Salesforce object "
            "(e.g. `curl -F mode=snapshot -F Account=@Account.csv …`)"
        )
    limit = state.settings.ingest_max_body_bytes
    try:
        form = await request.form(max_files=100, max_fields=100, max_part_size=limit)
    except HTTPException as exc:  # python-multipart refused the body
        raise InvalidInput(f"the body is not valid multipart/form-data: {exc.detail}") from exc
    try:
        controls: dict[str, Any] = {}
        parts: dict[str, bytes] = {}
        errors: list[FieldError] = []
        for name, value in form.multi_items():
            if name in controls or name in parts:
                errors.append(FieldError(location=name, reason="is given twice", section=name))
                continue
            if name in CONTROL_FIELDS:
                if isinstance(value, UploadFile):
                    controls[name] = (await value.read()).decode("utf-8", "replace").strip()
                else:
                    controls[name] = value
            elif isinstance(value, UploadFile):
                parts[name] = await value.read()
            else:
                parts[name] = value.encode("utf-8")
    finally:
        await form.close()
    if errors:
        raise InvalidInput(
            f"{len(errors)} problem(s) in the request; nothing was changed", errors=errors
        )
    mode, at, confirm = _controls(controls)
    return await run_in_threadpool(_salesforce, state, parts, mode, at, confirm)


@router.post(
    "/hubspot",
    summary="Sync a HubSpot export (v3 list results and v4 associations, as JSON)",
    description=(
        'JSON: `{"mode", "effective_at", "confirm_mass_change", "companies", "contacts", '
        '"deals", "owners", "meetings", "calls", "emails", "associations"}`; each list holds '
        "the `results` items of HubSpot's v3 CRM list responses, `associations` v4 rows. "
        "`mode`, `effective_at` and the guard as for Salesforce; see docs/crm-sync.md."
    ),
    response_model=SyncResult,
    responses=RESPONSES,
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": HUBSPOT_BODY}}}
    },
)
def sync_hubspot(
    state: StateDep,
    principal: WritePrincipal,
    body: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    mode, at, confirm = _controls(body)
    lists = {k: v for k, v in body.items() if k not in CONTROL_FIELDS}
    mappings = configured_mappings(state.settings.sync_mappings_file)
    snapshot = translate_hubspot(lists, mode=mode, effective_at=at, mappings=mappings)
    return _sync(state, snapshot, confirm)
