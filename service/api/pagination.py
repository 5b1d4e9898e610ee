"""Cursor pagination for lists ordered by id (docs/graph-conventions.md, "Paginated lists").

A cursor is opaque to clients: URL-safe base64 of a small JSON object holding the last
id of the previous page. The next page seeks the index from there, so a page costs
the same wherever it is in the list (no skip), and concurrent inserts never shift it.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated

from fastapi import Query

from service.domain.errors import FieldError, InvalidInput

__all__ = ["CursorParam", "LimitParam", "decode_cursor", "encode_cursor"]

_VERSION = 1

LimitParam = Annotated[int, Query(ge=1, le=500, description="Page size, 1..500.")]
CursorParam = Annotated[
    str | None,
    Query(
        max_length=2048,
        description="`next_cursor` of the previous page; omit for the first page.",
    ),
]


def encode_cursor(after_id: str) -> str:
    """The cursor of the page that follows the item ``after_id``.

    >>> decode_cursor(encode_cursor("acme"))
    'acme'
    """
    raw = json.dumps({"v": _VERSION, "after": after_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str:
    """The id after which the requested page starts; ``""`` for the first page.

    A cursor this service did not issue is a 422 naming the ``cursor`` parameter.
    """
    if cursor is None:
        return ""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise _invalid() from exc
    if not isinstance(data, dict) or data.get("v") != _VERSION:
        raise _invalid()
    after = data.get("after")
    if not isinstance(after, str) or not after:
        raise _invalid()
    return after


def _invalid() -> InvalidInput:
    return InvalidInput(
        "the cursor is not one this service issued; use next_cursor from the previous page",
        errors=[
            FieldError(
                location="query.cursor",
                reason="not a valid cursor",
                field="cursor",
            )
        ],
    )
