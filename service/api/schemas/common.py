"""Models shared by several routers: pages, problems, and the error responses they declare."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ItemsPage", "Problem", "ProblemFieldError", "problem_responses"]

T = TypeVar("T")


class ItemsPage(BaseModel, Generic[T]):
    """One page of a list ordered by id (docs/graph-conventions.md, "Paginated lists")."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class ProblemFieldError(BaseModel):
    location: str
    reason: str
    section: str | None = None
    index: int | None = None
    field: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of this API is returned."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[ProblemFieldError] | None = Field(
        default=None, description="What was wrong and where; the first ones only"
    )
    error_count: int | None = Field(
        default=None, description="How many problems there were in all (with `errors`)"
    )


_DESCRIPTIONS = {
    401: "Missing, malformed, unknown or revoked credentials",
    403: "The credential lacks the scope, or is limited to another account",
    404: "No such resource",
    422: "A parameter is not valid; `errors` names it",
    503: "The graph database is unavailable",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each listed status as application/problem+json."""
    return {
        status: {
            "description": _DESCRIPTIONS.get(status, "Error"),
            "model": Problem,
            "content": {"application/problem+json": {}},
        }
        for status in statuses
    }
