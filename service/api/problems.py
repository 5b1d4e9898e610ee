"""One place that turns every failure into RFC 9457 problem+json.

Domain errors only: the driver's exceptions are translated into them once, in the
graph layer (``service/graph/errors.py``); ``Retry-After`` comes with those that may
pass (503 while Neo4j is down).

Stable ``type`` URIs (relative, ``/problems/<slug>``), a human ``detail``, the request
id for support, and for validation failures an ``errors`` list saying what was wrong
and where. Never a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.domain.errors import FieldError, PowermapError
from service.domain.ingest.validation import DEFAULT_MAX_ERRORS

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("powermap.errors")


def problem_response(
    request: Request,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    error_count: int | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    if errors:
        # Bounded: the first `max_listed_errors` problems, and how many there were.
        cap = _max_listed_errors(request)
        body["error_count"] = max(error_count or 0, len(errors))
        body["errors"] = errors[:cap]
    if extensions:
        body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _max_listed_errors(request: Request) -> int:
    state = getattr(request.app.state, "powermap", None)
    return state.settings.max_listed_errors if state is not None else DEFAULT_MAX_ERRORS


def _location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def validation_errors(exc: RequestValidationError, limit: int | None = None) -> list[FieldError]:
    """Pydantic's errors as FieldErrors (the first ``limit``); body rows also get their
    section and index."""
    result: list[FieldError] = []
    for err in exc.errors()[:limit]:
        loc = tuple(err.get("loc", ()))
        section = index = field = None
        if len(loc) >= 3 and loc[0] == "body" and isinstance(loc[2], int):
            section, index = str(loc[1]), loc[2]
            rest = [str(p) for p in loc[3:] if not isinstance(p, int)]
            field = rest[0] if rest else None
        elif loc:
            field = str(loc[-1])
        result.append(
            FieldError(
                location=_location(loc),
                reason=str(err.get("msg", "invalid")),
                section=section,
                index=index,
                field=field,
            )
        )
    return result


def domain_problem(request: Request, exc: PowermapError) -> JSONResponse:
    """The problem+json of a domain error (what a route raising it answers)."""
    headers: dict[str, str] = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    return problem_response(
        request,
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        errors=[e.as_dict() for e in exc.errors] or None,
        error_count=exc.error_count,
        headers=headers or None,
        extensions=exc.extensions or None,
    )


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(PowermapError)
    async def _domain(request: Request, exc: PowermapError) -> JSONResponse:
        return domain_problem(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc, _max_listed_errors(request))
        return problem_response(
            request,
            status=422,
            slug="validation-error",
            title="The request is not valid",
            detail=f"{len(exc.errors())} problem(s) in the request; nothing was changed",
            errors=[e.as_dict() for e in errors],
            error_count=len(exc.errors()),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed", 413: "payload-too-large"}.get(
            exc.status_code, "http-error"
        )
        title = "The request body is too large" if exc.status_code == 413 else str(exc.detail)
        return problem_response(
            request,
            status=exc.status_code,
            slug=slug,
            title=title,
            detail=str(exc.detail),
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Last resort: the cause goes to the log (with the request id), not to the client.
        log.exception("unhandled error", exc_info=exc)
        return problem_response(
            request,
            status=500,
            slug="internal-error",
            title="Internal error",
            detail="An unexpected error occurred; quote the request id when reporting it",
        )
