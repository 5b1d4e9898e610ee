"""Cursor pagination for lists ordered by id (docs/graph-conventions.md, "Paginated lists").

A cursor is opaque to clients: URL-safe base64 of a small JSON object holding the last
id of the previous page. The next page seeks the index from there, so a page costs
the same wherever it is in the list (no skip), and concurrent inserts never shift it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Annotated

from fastapi import Query

from service.domain.errors import FieldError, InvalidInput

__all__ = ["CursorParam", "LimitParam", "decode_cursor", "encode_cursor"]

_VERSION = 1

LimitParam = Annotated[int, Query(ge=1, le=500, description="Page size, 1..500.")]
#: base64url without padding of at most ``_MAX_RAW`` bytes: what :func:`encode_cursor` makes.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]*$"
_MAX_RAW = 512
CursorParam = Annotated[
    str | None,
    Query(
        max_length=(_MAX_RAW * 4 + 2) // 3,
        pattern=CURSOR_PATTERN,
        description="`next_cursor` of the previous page; omit it (or leave it empty) for "
        "the first page. Any other value is refused with 422.",
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

    Only exactly what :func:`encode_cursor` makes is accepted: base64url of
    ``{"v":1,"after":"<id>"}``, at most 512 bytes, re-encoding to the same text.
    Anything else (a forged, nested, truncated or foreign cursor) is a 422 naming the
    ``cursor`` parameter, never a 500.

    >>> decode_cursor("")
    ''
    """
    if not cursor:
        return ""
    if len(cursor) > (_MAX_RAW * 4 + 2) // 3 or not _ALPHABET.match(cursor):
        raise _invalid()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        # Small and flat by construction: no recursion, however it is forged.
        match = _SHAPE.fullmatch(raw.decode("ascii"))
        after = json.loads(match["after"]) if match else None
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        raise _invalid() from None
    if not isinstance(after, str) or not after or encode_cursor(after) != cursor:
        raise _invalid()
    return after


_ALPHABET = re.compile(CURSOR_PATTERN)
# The one shape this service writes; `after` is a JSON string literal (ASCII: json.dumps
# escapes the rest), decoded on its own so that nothing nested is ever parsed.
_SHAPE = re.compile(r'\{"v":' + str(_VERSION) + r',"after":(?P<after>"(?:[^"\\]|\\.)+")\}')


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
