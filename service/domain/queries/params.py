"""Parameters of saved queries: the types a header may declare, and their validation.

A saved query declares each parameter in its header (``docs/queries.md``); a run's
values are checked and coerced against those declarations before anything reaches
Neo4j, and travel to it as Cypher parameters, never as query text. Values come either
as JSON (the REST API: types must match) or as text (the CLI's ``--param k=v``: parsed).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from service.domain.errors import FieldError, InvalidInput
from service.domain.values import check_date_range

__all__ = [
    "ParamSpec",
    "ParamType",
    "coerce_value",
    "parse_default",
    "to_json",
    "validate_params",
]

# Neo4j integers are 64-bit; a bigger number would fail deep in the driver instead.
_INT64 = (-(2**63), 2**63 - 1)


class ParamType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    LIST_OF_STRING = "list of string"


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter: ``required`` ones have no default; ``default`` may be None."""

    name: str
    type: ParamType
    required: bool
    default: Any
    description: str


def _describe(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _parse_datetime(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.strip())
    # Times in Powermap are UTC (docs/graph-conventions.md, "Rules of the house"); a value
    # without an offset is read as UTC.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def coerce_value(ptype: ParamType, value: Any, *, from_text: bool = False) -> Any:
    """``value`` as the Python value the driver sends for ``ptype``; ValueError if it is not one.

    >>> coerce_value(ParamType.INTEGER, "90", from_text=True)
    90
    >>> coerce_value(ParamType.DATE, "2026-01-31")
    datetime.date(2026, 1, 31)
    >>> coerce_value(ParamType.LIST_OF_STRING, "champion, coach", from_text=True)
    ['champion', 'coach']
    """
    if ptype is ParamType.STRING:
        if isinstance(value, str):
            return value
        raise ValueError(f"expected a string, got {_describe(value)}")
    if ptype is ParamType.INTEGER:
        if from_text and isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise ValueError(f"expected an integer, got {_describe(value)}") from None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected an integer, got {_describe(value)}")
        if not _INT64[0] <= value <= _INT64[1]:
            raise ValueError("the integer is outside the 64-bit range")
        return value
    if ptype is ParamType.FLOAT:
        if from_text and isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise ValueError(f"expected a number, got {_describe(value)}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {_describe(value)}")
        if not math.isfinite(value):
            raise ValueError("expected a finite number")
        return float(value)
    if ptype is ParamType.BOOLEAN:
        if from_text and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in {"true", "yes", "1"}:
                return True
            if lowered in {"false", "no", "0"}:
                return False
        if isinstance(value, bool):
            return value
        raise ValueError(f"expected true or false, got {_describe(value)}")
    if ptype is ParamType.DATE:
        if isinstance(value, str):
            try:
                parsed_date = date.fromisoformat(value.strip())
            except ValueError:
                pass
            else:
                check_date_range(parsed_date)  # the API's one date range (domain/values.py)
                return parsed_date
        raise ValueError(f"expected a date as YYYY-MM-DD, got {_describe(value)}")
    if ptype is ParamType.DATETIME:
        if isinstance(value, str):
            try:
                parsed = _parse_datetime(value)
            except (ValueError, OverflowError):
                pass
            else:
                check_date_range(parsed)
                return parsed
        raise ValueError(
            f"expected an ISO-8601 date-time such as 2026-01-31T09:00:00Z, got {_describe(value)}"
        )
    # ParamType.LIST_OF_STRING
    if from_text and isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                raise ValueError("expected a JSON array of strings") from None
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ValueError(f"expected a list of strings, got {_describe(value)}")


def parse_default(ptype: ParamType, text: str) -> Any:
    """The default written in a header (``= 0.2``, ``= "EUR"``, ``= ["a", "b"]``, ``= null``).

    A JSON literal is taken as such; otherwise the text is read as the CLI reads a value,
    so ``= 2026-01-01`` and ``= champion, coach`` work without quotes.
    """
    text = text.strip()
    if text == "null":
        return None
    try:
        literal = json.loads(text)
    except json.JSONDecodeError:
        return coerce_value(ptype, text, from_text=True)
    if isinstance(literal, str):
        return coerce_value(ptype, literal, from_text=True)
    return coerce_value(ptype, literal)


def to_json(value: Any) -> Any:
    """A coerced value (or default) as JSON: dates and date-times as ISO-8601 text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def validate_params(
    specs: tuple[ParamSpec, ...], given: Mapping[str, Any], *, from_text: bool = False
) -> dict[str, Any]:
    """The values to run with: every declared parameter, given or defaulted, coerced.

    Unknown, missing and wrongly typed parameters are all reported at once, each naming
    the parameter, as one :class:`InvalidInput` (422).
    """
    by_name = {spec.name: spec for spec in specs}
    errors: list[FieldError] = []
    for name in sorted(set(given) - set(by_name)):
        known = ", ".join(sorted(by_name)) or "none"
        errors.append(
            FieldError(
                location=f"params.{name}",
                field=name,
                reason=f"unknown parameter; this query takes: {known}",
            )
        )
    values: dict[str, Any] = {}
    for spec in specs:
        raw = given.get(spec.name)
        if raw is None:
            if spec.required:
                errors.append(
                    FieldError(
                        location=f"params.{spec.name}",
                        field=spec.name,
                        reason=f"required parameter missing ({spec.type.value})",
                    )
                )
            else:
                values[spec.name] = spec.default
            continue
        try:
            values[spec.name] = coerce_value(spec.type, raw, from_text=from_text)
        except ValueError as exc:
            errors.append(
                FieldError(
                    location=f"params.{spec.name}",
                    field=spec.name,
                    reason=f"{spec.type.value}: {exc}",
                )
            )
    if errors:
        names = ", ".join(e.field or e.location for e in errors)
        raise InvalidInput(f"invalid query parameters: {names}", errors=errors)
    return values
