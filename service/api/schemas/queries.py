"""Request and response models of the analyst query endpoints (``/v1/queries``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.domain.queries.catalog import CatalogError, SavedQuery
from service.domain.queries.params import to_json
from service.domain.queries.runner import QueryResult


class QueryParameterOut(BaseModel):
    name: str
    type: Literal["string", "integer", "float", "boolean", "date", "datetime", "list of string"]
    required: bool
    default: Any = Field(description="The value used when the parameter is not given.")
    description: str


class QueryColumnOut(BaseModel):
    name: str
    description: str


class QueryOut(BaseModel):
    name: str
    title: str
    description: str
    parameters: list[QueryParameterOut]
    columns: list[QueryColumnOut]

    @classmethod
    def of(cls, query: SavedQuery) -> QueryOut:
        return cls(**_fields(query))


class QueryDetailOut(QueryOut):
    cypher: str = Field(description="The whole file: the header (comments) and the query.")

    @classmethod
    def of(cls, query: SavedQuery) -> QueryDetailOut:
        return cls(**_fields(query), cypher=query.cypher)


def _fields(query: SavedQuery) -> dict[str, Any]:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "parameters": [
            QueryParameterOut(
                name=p.name,
                type=p.type.value,
                required=p.required,
                default=to_json(p.default),
                description=p.description,
            )
            for p in query.params
        ],
        "columns": [QueryColumnOut(name=c.name, description=c.description) for c in query.columns],
    }


class CatalogErrorOut(BaseModel):
    file: str
    line: int
    message: str

    @classmethod
    def of(cls, error: CatalogError) -> CatalogErrorOut:
        return cls(file=error.file, line=error.line, message=error.message)


class QueryListOut(BaseModel):
    queries: list[QueryOut]
    errors: list[CatalogErrorOut] = Field(
        description="Catalog files left out because their header is malformed."
    )


_INT64 = (-(2**63), 2**63 - 1)
_MAX_PARAM_DEPTH = 16


def _check_param_value(value: Any, depth: int = 0) -> None:
    """What Neo4j can take as a parameter: 64-bit integers, bounded nesting."""
    if depth > _MAX_PARAM_DEPTH:
        raise ValueError(f"parameters nest at most {_MAX_PARAM_DEPTH} levels")
    if isinstance(value, int) and not isinstance(value, bool):
        if not _INT64[0] <= value <= _INT64[1]:
            raise ValueError("integer parameters must fit in 64 bits")
    elif isinstance(value, list):
        for item in value:
            _check_param_value(item, depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            _check_param_value(item, depth + 1)


class _RunOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("params")
    @classmethod
    def _params_fit_neo4j(cls, value: dict[str, Any]) -> dict[str, Any]:
        _check_param_value(value)
        return value

    format: Literal["json", "csv"] = "json"
    limit: int | None = Field(
        default=None, ge=1, description="Return at most this many rows (never above the cap)."
    )
    timeout_seconds: float | None = Field(
        default=None, gt=0, description="A lower timeout than the service's for this run."
    )


class RunQueryIn(_RunOptions):
    """Run a saved query: its parameters, checked against the query's header."""


class AdhocQueryIn(_RunOptions):
    """Run your own read-only Cypher; values go in ``params``, never into the text."""

    cypher: str = Field(min_length=1, max_length=50_000)


class RunSummaryOut(BaseModel):
    rows: int
    truncated: bool = Field(description="True when the row cap or `limit` cut the result.")
    ms: float


class QueryResultOut(BaseModel):
    query: str
    columns: list[str]
    rows: list[dict[str, Any]]
    summary: RunSummaryOut

    @classmethod
    def of(cls, name: str, result: QueryResult) -> QueryResultOut:
        return cls(
            query=name,
            columns=result.columns,
            rows=result.rows,
            summary=RunSummaryOut(rows=len(result.rows), truncated=result.truncated, ms=result.ms),
        )
