"""The service's error hierarchy: each domain failure has a status and a stable type.

The API layer maps every :class:`PowermapError` to RFC 9457 problem+json in one
handler (``service/api/problems.py``); nothing else needs to know about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with the input: where it is and why it is wrong."""

    location: str  # e.g. "stakeholders[3].reports_to"
    reason: str
    section: str | None = None
    index: int | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class PowermapError(Exception):
    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal error"
    #: Seconds after which a retry may succeed (the `Retry-After` header), if any.
    retry_after: int | None = None

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        error_count: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        # How many problems there were in all; ``errors`` may list only the first ones.
        self.error_count = len(self.errors) if error_count is None else error_count
        #: Extra members of the problem+json body (RFC 9457 extensions), e.g. the
        #: accounts a refused CRM snapshot would have emptied.
        self.extensions: dict[str, Any] = {}


class NotFound(PowermapError):
    status, slug, title = 404, "not-found", "Not found"


class InvalidInput(PowermapError):
    status, slug, title = 422, "validation-error", "The request is not valid"


class UnsupportedMediaType(PowermapError):
    status, slug, title = (
        415,
        "unsupported-media-type",
        "The body is not of a type this route takes",
    )


class PayloadTooLarge(PowermapError):
    status, slug, title = 413, "payload-too-large", "The batch is too large"


class Unauthenticated(PowermapError):
    status, slug, title = 401, "unauthenticated", "Missing or invalid credentials"


class Forbidden(PowermapError):
    status, slug, title = 403, "forbidden", "Not allowed"


class Conflict(PowermapError):
    status, slug, title = 409, "conflict", "Conflict with the stored data"


class QueryRefused(PowermapError):
    status, slug, title = 403, "query-refused", "The query is not allowed"


class QueryTimeout(PowermapError):
    status, slug, title = 408, "query-timeout", "The query ran out of time"


class QueryTooLarge(PowermapError):
    status, slug, title = 422, "query-too-large", "The query needs too much memory"


class DeadlineExceeded(PowermapError):
    """The request did not finish within its deadline; a write in it was rolled back."""

    status, slug, title = 504, "deadline-exceeded", "The request ran out of time"


class DatabaseUnavailable(PowermapError):
    """Neo4j cannot serve now (down, unreachable, refusing our credentials, out of
    memory for all transactions); the request changed nothing and may be retried."""

    status, slug, title = 503, "database-unavailable", "The graph database is unavailable"
    retry_after = 5

    def __init__(self, detail: str, *, reason: str = "unreachable") -> None:
        super().__init__(detail)
        #: Why: "unreachable", "auth" (our credentials refused), "busy" (transient
        #: errors, every connection in use, all transaction memory taken) or
        #: "commit-unknown" (the connection broke while committing).
        self.reason = reason


class DatabaseFailure(PowermapError):
    """Neo4j failed in a way that is neither the caller's fault nor transient."""

    status, slug, title = 500, "database-error", "The graph database failed"
