"""Neo4j's values as plain Python: the one place the driver's own types are decoded.

Nothing above the graph layer sees a ``neo4j.time``, ``neo4j.spatial`` or
``neo4j.graph`` value. Two readings, for two kinds of result:

- :func:`to_native` for the service's own Cypher, which returns maps, lists and
  scalars: temporal values become Python's ``datetime`` / ``date`` / ``time`` (anywhere
  inside maps and lists); everything else is kept as the driver gave it.
- :func:`to_plain` for analysts' Cypher (saved and ad hoc queries), which may return
  anything: plain JSON data. Temporal values keep Neo4j's own ISO-8601 text (its
  nanoseconds and durations have no Python equivalent), nodes, relationships, paths
  and points become maps.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any, Final

from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import CartesianPoint, Point, WGS84Point
from neo4j.time import Date, DateTime, Duration, Time

__all__ = ["TIME_KEYS", "to_native", "to_native_utc_micros", "to_plain"]


#: The types a result's scalars come as that need no decoding (checked by exact type:
#: a lookup in this set is cheaper than the ``isinstance`` chain or a call per value).
_PLAIN_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def to_native(value: Any) -> Any:
    """Neo4j temporal values (anywhere inside maps and lists) as Python's own.

    >>> to_native({"at": [Date(2026, 1, 31)]})
    {'at': [datetime.date(2026, 1, 31)]}
    """
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return value
    if kind is dict:
        return {k: v if type(v) in _PLAIN_SCALARS else to_native(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _PLAIN_SCALARS else to_native(v) for v in value]
    if isinstance(value, DateTime | Date | Time):
        return value.to_native()
    if isinstance(value, dict):
        return {k: to_native(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_native(v) for v in value]
    return value


#: The keys whose values a read may send as UTC microseconds (see :func:`to_native_utc_micros`).
TIME_KEYS: Final = frozenset({"since", "until", "left_at", "updated_at", "last_contact"})

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def to_native_utc_micros(value: Any, keys: frozenset[str] = TIME_KEYS) -> Any:
    """:func:`to_native`, for a result whose UTC times came as microseconds since the
    epoch; maps and lists are decoded **in place** (a row the driver just built, which
    nothing else holds) and returned.

    Decoding a ``DateTime`` costs the driver ≈ 60–120 µs in pure Python, most of what a
    lookup with a dozen times spends on the client. So such a read returns each time
    held in UTC as one integer, ``t.epochMillis * 1000 + t.microsecond % 1000`` (the Cypher
    is in ``cypher/reads/stakeholder.cypher``; one number is cheaper for the server to
    make and for the driver to decode than the seven parts used before), and this makes
    it the ``datetime`` the driver would have given: the same instant, microsecond (the
    driver truncates nanoseconds too) and a UTC offset. An integer under one of ``keys``
    is such a time; anything else is decoded as :func:`to_native` does. In place: not
    copying the row's maps and lists takes ≈ 28 % of the instructions out of decoding a
    stakeholder with twenty items (valgrind's count: ≈ 326,000 → 236,000).

    >>> to_native_utc_micros({"since": 1769850000000005, "tags": ["a"]})
    {'since': datetime.datetime(2026, 1, 31, 9, 0, 0, 5, tzinfo=datetime.timezone.utc), \
'tags': ['a']}
    """
    if isinstance(value, dict):
        _decode_map(value, keys)
        return value
    if isinstance(value, list):
        _decode_list(value, keys)
        return value
    return to_native(value)


def _decode_map(value: dict[Any, Any], keys: frozenset[str]) -> None:
    # Only values are replaced, so iterating while assigning is safe.
    for k, v in value.items():
        kind = type(v)
        if kind is str or kind is float or kind is bool or v is None:
            continue
        if kind is int:
            if k in keys:
                value[k] = _EPOCH + timedelta(microseconds=v)
        elif isinstance(v, dict):
            _decode_map(v, keys)
        elif isinstance(v, list):
            _decode_list(v, keys)
        else:
            value[k] = to_native(v)


def _decode_list(value: list[Any], keys: frozenset[str]) -> None:
    for i, v in enumerate(value):
        if type(v) in _PLAIN_SCALARS:
            continue
        if isinstance(v, dict):
            _decode_map(v, keys)
        elif isinstance(v, list):
            _decode_list(v, keys)
        else:
            value[i] = to_native(v)


def _endpoint(node: Node | None) -> dict[str, Any] | None:
    if node is None:
        return None
    # A relationship returned on its own carries only its end nodes' element ids.
    return {"id": node.get("id"), "element_id": node.element_id}


def to_plain(value: Any) -> Any:
    """A result value as plain JSON data.

    Nodes become ``{"id", "element_id", "labels", "properties"}`` (``id`` is the node's
    own ``id`` property, the CRM's id), relationships ``{"element_id", "type", "start",
    "end", "properties"}``, paths ``{"nodes", "relationships"}``; temporal values ISO-8601
    text, points ``{"srid", "crs", "x", "y"[, "z"]}``, bytes base64, non-finite floats text.

    >>> to_plain({"at": Date(2026, 1, 31), "scores": [1.5, float("nan")]})
    {'at': '2026-01-31', 'scores': [1.5, 'NaN']}
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Node):
        return {
            "id": value.get("id"),
            "element_id": value.element_id,
            "labels": sorted(value.labels),
            "properties": {k: to_plain(v) for k, v in sorted(value.items())},
        }
    if isinstance(value, Relationship):
        return {
            "element_id": value.element_id,
            "type": value.type,
            "start": _endpoint(value.start_node),
            "end": _endpoint(value.end_node),
            "properties": {k: to_plain(v) for k, v in sorted(value.items())},
        }
    if isinstance(value, Path):
        return {
            "nodes": [to_plain(n) for n in value.nodes],
            "relationships": [to_plain(r) for r in value.relationships],
        }
    if isinstance(value, Date | DateTime | Time | Duration):
        return value.iso_format()
    if isinstance(value, datetime | date | clock_time):
        return value.isoformat()
    if isinstance(value, Point):  # a tuple subclass: test before sequences
        point: dict[str, Any] = {"srid": value.srid}
        if isinstance(value, WGS84Point):
            point["crs"] = "wgs-84-3d" if len(value) == 3 else "wgs-84"
        elif isinstance(value, CartesianPoint):
            point["crs"] = "cartesian-3d" if len(value) == 3 else "cartesian"
        point.update(zip(("x", "y", "z"), (float(c) for c in value), strict=False))
        return point
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    return str(value)
