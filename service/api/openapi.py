"""The OpenAPI document, made to tell the truth about errors (CRMs generate clients from it).

FastAPI documents what the routes declare; the error side of every route is the same
and is added here once, from what each operation has, so no route can forget it:

- every 4xx/5xx is ``application/problem+json`` with the ``Problem`` schema (FastAPI's
  own ``HTTPValidationError`` in ``application/json`` is never what we answer);
- a request body: 400 (not JSON, or not UTF-8), 413 (over the body cap,
  service/api/body_limit.py) and 422;
- any parameter or body: 422; a path parameter: 404;
- a credential (``security``): 401, 403 and 503 (keys are looked up in Neo4j).

``/healthz`` and ``/readyz`` are left as declared (``/readyz``'s 503 is a JSON status,
not a problem).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from service.api.problems import PROBLEM_JSON
from service.api.schemas.common import Problem

__all__ = ["install_openapi"]

_DESCRIPTIONS = {
    400: "The body is not JSON (or not UTF-8)",
    401: "Missing, malformed, unknown or revoked credentials",
    403: "The credential lacks the scope, or is limited to another account",
    404: "No such resource",
    408: "The query ran out of time",
    409: "Conflict with the stored data",
    413: "The body (or the batch) is larger than this route accepts",
    422: "The request is not valid; `errors` says what and where (the first ones), "
    "`error_count` how many problems there were",
    503: "The graph database is unavailable; retry after `Retry-After` seconds",
}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_METHODS = {"get", "put", "post", "delete", "patch"}


def _statuses(operation: dict[str, Any]) -> set[int]:
    """The problem statuses an operation can answer, from what it has."""
    statuses: set[int] = set()
    params = operation.get("parameters", [])
    if "requestBody" in operation:
        statuses |= {400, 413, 422}
    if params:
        statuses.add(422)
    if any(p.get("in") == "path" for p in params):
        statuses.add(404)
    if operation.get("security"):
        statuses |= {401, 403, 503}
    return statuses


def _problem_content(response: dict[str, Any]) -> None:
    response["content"] = {PROBLEM_JSON: {"schema": dict(_PROBLEM_REF)}}


def document_problems(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with every operation's problem responses made complete and true."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, schema in problem_schema.pop("$defs", {}).items():
        schemas[name] = schema
    schemas["Problem"] = problem_schema
    for path, item in doc.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in _statuses(operation):
                responses.setdefault(str(status), {"description": _DESCRIPTIONS[status]})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    if int(status) == 422 and response.get("description") == "Validation Error":
                        response["description"] = _DESCRIPTIONS[422]
                    _problem_content(response)
            operation["responses"] = dict(sorted(responses.items()))
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return doc


def install_openapi(app: FastAPI) -> None:
    """Serve :func:`document_problems` of FastAPI's document at ``/openapi.json``."""

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
