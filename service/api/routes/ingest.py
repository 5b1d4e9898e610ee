"""Ingest (`POST /v1/ingest`) and departures: the write side of the CRM contract.

The batch body is taken as a plain JSON object and handed to the domain as is: the
size cap (413) must come before any other work, and every bad row must be reported at
once with its section and index (422), which per-row validation in the domain does.
The documented schema of the body is the domain's row models, inlined for OpenAPI.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from service.api.deps import StateDep, WritePrincipal
from service.domain import ingest
from service.domain.ingest.rows import IngestBatch
from service.domain.values import Id, IsoDateOrDateTime

router = APIRouter(prefix="/v1", tags=["ingest"])

PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid API key", **PROBLEM},
    403: {"description": "The key lacks the `write` scope", **PROBLEM},
}


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema with its ``$defs`` inlined (OpenAPI resolves refs at its root)."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


BATCH_SCHEMA = _inline(TypeAdapter(IngestBatch).json_schema())


class NodeCounts(BaseModel):
    created: int
    updated: int
    unchanged: int


class EdgeCounts(BaseModel):
    created: int
    updated: int
    closed: int = Field(description="Current edges closed (`until` set), history kept")
    removed: int = Field(description="Edges without history (OF, FOR, WITH, ATTENDED) removed")


class NodeChangeCounts(BaseModel):
    created: int
    changed: int
    left: int


class EdgeChangeCounts(BaseModel):
    opened: int
    closed: int
    changed: int


class TieChangeCounts(BaseModel):
    tie_activated: int
    tie_went_dark: int


class ChangesSummary(BaseModel):
    change_set_ids: list[str] = Field(
        description="The recorded change sets (one per committed transaction that changed "
        "something; none when the batch changed nothing)"
    )
    accounts: list[str] = Field(description="The accounts the write touched")
    nodes: NodeChangeCounts
    edges: EdgeChangeCounts = Field(description="Edges opened, closed and changed in place")
    ties: TieChangeCounts = Field(description="Ties crossing the activity threshold")


class IngestResult(BaseModel):
    effective_at: datetime = Field(description="since/until used for history edges")
    rows: int
    transactions: int
    received: dict[str, int] = Field(description="Rows received per section")
    nodes: dict[str, NodeCounts] = Field(description="Per label")
    edges: dict[str, EdgeCounts] = Field(description="Per relationship type")
    changes: ChangesSummary = Field(
        description="What the batch changed (docs/graph-conventions.md, 'Change sets')"
    )


class DepartureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    left_at: IsoDateOrDateTime | None = Field(
        default=None,
        description="When the person left (a date means 00:00 UTC of that day); default now",
    )


class DepartureResult(BaseModel):
    id: str
    status: Literal["left"] = "left"
    left_at: datetime
    already_left: bool = Field(description="True when the person had left before this call")
    closed: dict[str, int] = Field(description="Current edges closed now, per type")


class TeamMemberDepartureResult(DepartureResult):
    uncovered_accounts: list[str] = Field(
        description="Accounts whose current COVERS edge to this team member was closed now"
    )


@router.post(
    "/ingest",
    summary="Upsert a batch of accounts, people, budgets, roles and relationships",
    description=(
        "All or nothing: any bad row fails the whole batch with 422 listing every bad "
        "row. Idempotent by external id; later values win. An omitted field is left as "
        "stored; an explicit null clears it (`reports_to: null`: no solid-line manager "
        "any more; `dotted_reports_to` is the complete list of dotted-line managers). A "
        "changed employer, manager, role stance, budget authority or explicit relationship "
        "strength closes the current edge at `effective_at` (default now) and opens a new one."
    ),
    response_model=IngestResult,
    responses={
        **AUTH_ERRORS,
        409: {"description": "A concurrent batch formed a reporting cycle", **PROBLEM},
        413: {"description": "More rows than the configured cap", **PROBLEM},
        422: {"description": "Every bad row, with section, index and reason", **PROBLEM},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BATCH_SCHEMA}},
        }
    },
)
def ingest_batch(
    state: StateDep,
    principal: WritePrincipal,
    batch: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    summary = ingest.ingest_batch(state.graph, state.settings, batch, source="api")
    state.wake_alerts()
    return summary.as_dict()


@router.post(
    "/stakeholders/{stakeholder_id}/departure",
    summary="A stakeholder left the customer: close their current edges",
    description=(
        "Sets status `left` and `left_at`, and closes (never deletes) every current "
        "time-bound edge of the person: WORKS_AT, REPORTS_TO both ways, HAS_ROLE, "
        "CONTROLS, INFLUENCES both ways and our KNOWS to them. Idempotent: a second call "
        "changes nothing. A batch's stakeholder row with `left_at` does the same."
    ),
    response_model=DepartureResult,
    responses={**AUTH_ERRORS, 404: {"description": "No such stakeholder", **PROBLEM}},
)
def stakeholder_departure(
    stakeholder_id: Id,
    state: StateDep,
    principal: WritePrincipal,
    body: DepartureRequest | None = None,
) -> DepartureResult:
    left_at = body.left_at if body is not None else None
    done = ingest.depart_stakeholder(
        state.graph,
        stakeholder_id,
        left_at,
        active_tie_threshold=state.settings.active_tie_threshold,
        source="api",
    )
    state.wake_alerts()
    return DepartureResult(
        id=done.id, left_at=done.left_at, already_left=done.already_left, closed=done.closed
    )


@router.post(
    "/team-members/{team_member_id}/departure",
    summary="One of our team members left: close their relationships",
    description=(
        "Sets status `left` and `left_at`, and closes their current KNOWS and COVERS "
        "edges (history kept). Idempotent: a second call changes nothing. A batch's "
        "team-member row with `left_at` does the same."
    ),
    response_model=TeamMemberDepartureResult,
    responses={**AUTH_ERRORS, 404: {"description": "No such team member", **PROBLEM}},
)
def team_member_departure(
    team_member_id: Id,
    state: StateDep,
    principal: WritePrincipal,
    body: DepartureRequest | None = None,
) -> TeamMemberDepartureResult:
    left_at = body.left_at if body is not None else None
    done = ingest.depart_team_member(
        state.graph,
        team_member_id,
        left_at,
        active_tie_threshold=state.settings.active_tie_threshold,
        source="api",
    )
    state.wake_alerts()
    return TeamMemberDepartureResult(
        id=done.id,
        left_at=done.left_at,
        already_left=done.already_left,
        closed=done.closed,
        uncovered_accounts=done.uncovered_accounts,
    )
