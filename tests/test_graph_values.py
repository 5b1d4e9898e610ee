"""The one decoding of Neo4j's values (service/graph/values.py); no server needed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from neo4j.spatial import CartesianPoint, WGS84Point
from neo4j.time import Date, DateTime, Duration, Time

from service.graph.values import to_native, to_plain


def test_to_native_turns_temporal_values_into_pythons_anywhere_inside() -> None:
    row = {
        "left_at": DateTime(2026, 3, 1, 9, 30, 0, tzinfo=UTC),
        "history": [{"since": Date(2025, 1, 2), "at": Time(8, 15)}],
        "name": "Ann",
        "count": 3,
        "none": None,
    }
    assert to_native(row) == {
        "left_at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        "history": [{"since": date(2025, 1, 2), "at": time(8, 15)}],
        "name": "Ann",
        "count": 3,
        "none": None,
    }
    native = to_native(row)
    assert type(native["left_at"]) is datetime
    assert type(native["history"][0]["since"]) is date


def test_to_plain_gives_json_data_with_neo4js_own_temporal_text() -> None:
    row = {
        "at": DateTime(2026, 1, 31, 12, 0, 0, tzinfo=UTC),
        "day": Date(2026, 1, 31),
        "span": Duration(months=1, days=2),
        "native": date(2026, 1, 31),
        "scores": [1.5, float("nan"), float("inf")],
        "where": WGS84Point((13.4, 52.5)),
        "flat": CartesianPoint((1.0, 2.0, 3.0)),
        "blob": b"\x00\x01",
        "pair": (1, "a"),
    }
    assert to_plain(row) == {
        "at": "2026-01-31T12:00:00.000000000+00:00",
        "day": "2026-01-31",
        "span": "P1M2D",
        "native": "2026-01-31",
        "scores": [1.5, "NaN", "Infinity"],
        "where": {"srid": 4326, "crs": "wgs-84", "x": 13.4, "y": 52.5},
        "flat": {"srid": 9157, "crs": "cartesian-3d", "x": 1.0, "y": 2.0, "z": 3.0},
        "blob": "AAE=",
        "pair": [1, "a"],
    }
