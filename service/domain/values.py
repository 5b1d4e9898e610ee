"""The values every route and every ingest row agree on: the id alphabet and the dates.

One annotated type per kind of value, used by every id field, path and query parameter
and every date the API takes, so the OpenAPI document shows the same rule everywhere
and nothing outside it reaches the domain (docs/api-inputs.md):

- **ids** (:data:`Id`): 1–200 characters of ``A–Z a–z 0–9 . _ : @ + = ~ -``, starting
  with a letter or a digit. No ``/`` (such an id could never be fetched by path), no
  whitespace, no control characters (NUL), no ``%``, ``?`` or ``#``.
- **dates** (:data:`IsoDate`, ``as_of``): strictly ``YYYY-MM-DD`` text, from
  1900-01-01 to 2199-12-31. ``as_of=0.0`` or ``as_of=20260101`` is refused rather than
  read as a Unix time.
- **date-times** (:data:`IsoDateTime`): ISO-8601 text starting with a date in the same
  range (``2026-10-01T09:00:00Z``, an offset or none; no offset means UTC). Numbers are
  refused, so are years 0001 or 9999 (which would overflow the day arithmetic).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "ID_MAX_LENGTH",
    "ID_PATTERN",
    "Id",
    "IsoDate",
    "IsoDateOrDateTime",
    "IsoDateTime",
    "check_date_range",
]

ID_MAX_LENGTH = 200
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@+=~-]*$"

#: Every external id: account, stakeholder, team member, budget, opportunity, interaction.
Id = Annotated[str, StringConstraints(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)
_YEARS = r"(19\d\d|2[01]\d\d)"
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}([T ].*)?$")
DATE_SCHEMA_PATTERN = rf"^{_YEARS}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
DATETIME_SCHEMA_PATTERN = rf"^{_YEARS}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
_RANGE = f"between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}"


def check_date_range(value: date) -> None:
    """ValueError unless ``value`` (a date or a date-time) lies in the accepted range."""
    day = value.date() if isinstance(value, datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValueError(f"the date must be {_RANGE}")


def _date_text(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value  # already a date (Python callers)
    if not isinstance(value, str) or not _DATE_TEXT.match(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


def _datetime_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value  # already parsed (Python callers)
    if not isinstance(value, str) or not _DATETIME_TEXT.match(value):
        raise ValueError("must be an ISO-8601 date-time such as 2026-10-01T09:00:00Z")
    return value


def _in_range(value: Any) -> Any:
    check_date_range(value)
    return value


#: A calendar day, ``YYYY-MM-DD``, 1900-01-01 … 2199-12-31.
IsoDate = Annotated[
    date,
    Strict(False),
    BeforeValidator(_date_text),
    AfterValidator(_in_range),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_SCHEMA_PATTERN}),
]

#: An instant, ISO-8601 text whose date lies in the accepted range; no offset means UTC.
IsoDateTime = Annotated[
    datetime,
    Strict(False),
    BeforeValidator(_datetime_text),
    AfterValidator(_in_range),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": DATETIME_SCHEMA_PATTERN}),
]


def _date_or_datetime(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_TEXT.match(value):
        return date.fromisoformat(value)
    try:
        return _LAX_DATETIME.validate_python(_datetime_text(value))
    except ValidationError:
        raise ValueError("must be an ISO-8601 date or date-time") from None


_LAX_DATETIME: TypeAdapter[datetime] = TypeAdapter(Annotated[datetime, Strict(False)])

#: A date (midnight UTC of that day) or a date-time, in the accepted range.
IsoDateOrDateTime = Annotated[
    datetime | date,
    BeforeValidator(_date_or_datetime),
    AfterValidator(_in_range),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date", "pattern": DATE_SCHEMA_PATTERN},
                {"type": "string", "format": "date-time", "pattern": DATETIME_SCHEMA_PATTERN},
            ]
        }
    ),
]
