"""Reading one CRM value: numbers, dates, date-times, booleans and texts, as the batch wants them.

Each function takes the CRM's text (already known to be non-empty) and returns the
value or raises :class:`ValueError` with a reason fit for a :class:`RowProblem`; the
translators catch it and name the part, the line and the column. The limits are the
batch's (service/domain/ingest/rows.py, service/domain/values.py), so a snapshot that
translates cleanly also passes the batch's row validation.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime

from service.domain.values import check_date_range

__all__ = ["MAX_TEXT", "parse_amount", "parse_bool", "parse_date", "parse_datetime", "parse_text"]

MAX_TEXT = 2000  # the batch's Text
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_EPOCH_MS = re.compile(r"^\d{12,14}$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_text(value: str) -> str:
    """The text with its line breaks as ``\\n`` (a CSV written with CRLF line endings
    holds ``\\r\\n`` inside quoted values: the same text), at most :data:`MAX_TEXT`
    characters (the batch's limit).

    >>> parse_text("Director, IT\\r\\nInfrastructure")
    'Director, IT\\nInfrastructure'
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if len(value) > MAX_TEXT:
        raise ValueError(f"is {len(value)} characters long; at most {MAX_TEXT} are accepted")
    return value


def parse_amount(value: str) -> float:
    """A non-negative, finite decimal number (``1200000``, ``1200000.00``, ``1.2E6``)."""
    text = value.strip()
    if not _NUMBER.match(text):
        raise ValueError(f"{value!r} is not a number")
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is too large")
    if number < 0:
        raise ValueError(f"{value!r} is negative; amounts must be 0 or more")
    return number


def parse_bool(value: str) -> bool:
    """``true`` / ``false`` (any case; also ``1`` / ``0``)."""
    folded = value.strip().casefold()
    if folded in ("true", "1"):
        return True
    if folded in ("false", "0"):
        return False
    raise ValueError(f"{value!r} is not true or false")


def parse_date(value: str) -> date:
    """``YYYY-MM-DD`` (a date-time is read as its UTC day), 1900-01-01 … 2199-12-31."""
    text = value.strip()
    if _DATE.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a date") from None
    else:
        day = parse_datetime(value).date()
    check_date_range(day)
    return day


def parse_datetime(value: str) -> datetime:
    """An ISO-8601 date-time (``2026-10-01T09:00:00.000Z``, ``…+0000``), a date (midnight
    UTC) or Unix epoch milliseconds (HubSpot); no offset means UTC. The result is in UTC."""
    text = value.strip()
    if _EPOCH_MS.match(text):
        moment = datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    elif _DATE.match(text) or _DATETIME.match(text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO-8601 date-time") from None
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    else:
        raise ValueError(f"{value!r} is not an ISO-8601 date-time")
    try:
        check_date_range(moment)
    except ValueError as exc:
        raise ValueError(f"{value!r}: {exc}") from None
    return moment
