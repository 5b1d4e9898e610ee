"""The one decoding of Neo4j's values (service/graph/values.py); no server needed."""

from __future__ import annotations

import calendar
import copy
from datetime import UTC, date, datetime, time
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from neo4j.spatial import CartesianPoint, WGS84Point
from neo4j.time import Date, DateTime, Duration, Time

from service.graph.values import TIME_KEYS, to_native, to_native_utc_micros, to_plain


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


# -- the fast paths of the decoding against its definition -------------------------------

#: Keys of the random maps; "since" and "until" (time keys) only ever hold UTC microseconds.
_KEYS = ["name", "count", "items", "at"]


def _reference_native(value: Any) -> Any:
    """to_native as defined: temporal values decoded anywhere, nothing else touched."""
    if isinstance(value, DateTime | Date | Time):
        return value.to_native()
    if isinstance(value, dict):
        return {k: _reference_native(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reference_native(v) for v in value]
    return value


def _reference_utc_micros(value: Any) -> Any:
    """to_native_utc_micros as defined: an integer under a time key is a UTC time's
    microseconds since the epoch."""
    if isinstance(value, dict):
        return {
            k: (
                datetime.fromtimestamp(v // 1_000_000, UTC).replace(microsecond=v % 1_000_000)
                if k in TIME_KEYS and type(v) is int
                else _reference_utc_micros(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_reference_utc_micros(v) for v in value]
    return _reference_native(value)


_micros = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)).map(
    # What the reads' Cypher sends: t.epochSeconds * 1000000 + t.microsecond.
    lambda d: calendar.timegm(d.timetuple()) * 1_000_000 + d.microsecond
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.dates().map(lambda d: Date(d.year, d.month, d.day)),
    st.datetimes(timezones=st.just(UTC)).map(DateTime.from_native),
    st.times().map(Time.from_native),
)


def _values(micros_under_time_keys: bool) -> st.SearchStrategy[Any]:
    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        maps = st.dictionaries(st.sampled_from(_KEYS), children, max_size=4)
        if micros_under_time_keys:
            timed = st.fixed_dictionaries({}, optional={"since": _micros, "until": _micros})
            maps = st.builds(lambda a, b: {**a, **b}, maps, timed)
        return st.one_of(st.lists(children, max_size=4), maps)

    return st.recursive(_scalars, extend, max_leaves=25)


@given(_values(micros_under_time_keys=False))
def test_to_native_equals_its_definition_on_any_nesting(value: Any) -> None:
    decoded = to_native(value)
    assert decoded == _reference_native(value)
    assert repr(decoded) == repr(_reference_native(value))  # same types, bool stays bool


@given(_values(micros_under_time_keys=True))
def test_to_native_utc_micros_equals_its_definition_on_any_nesting(value: Any) -> None:
    expected = _reference_utc_micros(copy.deepcopy(value))  # it decodes in place
    decoded = to_native_utc_micros(value)
    assert decoded == expected
    assert repr(decoded) == repr(expected)
    if isinstance(value, dict | list):
        assert decoded is value  # the driver's row itself, not a copy
