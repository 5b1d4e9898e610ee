"""The change record's JSON (service/domain/changes.py, ``record_changes``) reads back to
exactly the values the standard library's encoding of the same body reads back to: the
record is encoded with orjson for speed, and only the text may differ (non-ASCII as
UTF-8 rather than escapes, a float's exponent), never the content. No server needed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from neo4j.time import Date, DateTime

from service.domain.changes import ChangeSet, _json_default, record_changes
from service.graph.ingest import RawChanges

AT = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
EFFECTIVE_AT = datetime(2026, 1, 1, tzinfo=UTC)


def raw_changes() -> RawChanges:
    nodes: list[tuple[str, list[Any]]] = [
        (
            "Opportunity",
            ["o-1", False, 2, "close_date", Date(2026, 3, 31), date(2026, 4, 30)]
            + ["name", 'Zoë\'s "deal" \\ ünïcødé \u2603 \n\t', "Ünïcødé 日本"],
        ),
        (
            "Stakeholder",
            ["s-1", "left", 1, "left_at", None, DateTime(2026, 1, 5, 9, 30, 0, tzinfo=UTC)],
        ),
        ("Budget", ["b-1", True, 1, "amount", None, 1e-05]),
    ]
    edges: list[list[Any]] = [
        ["KNOWS", "opened", "t-1", "s-1", 1767225600000000, None, "api", 0.30000000000000004]
        + [None, None, None, None, None],
        ["KNOWS", "changed", "t-1", "s-2", 1767225600000000, None, "interactions", 2.5e-300]
        + [None, 0.1, 2.5e-300, DateTime(2025, 12, 1, 8, 0, 0, tzinfo=UTC), None],
        ["INFLUENCES", "closed", "s-1", "s-2", 1767225600000000, 1767312000000000, 1.0]
        + [None, None, None, None, None, None],
    ]
    return RawChanges(
        nodes=tuple(nodes),
        edges=tuple(edges),
        accounts={"Stakeholder": {"s-1": "a-ü", "s-2": None}, "Opportunity": {"o-1": "a-1"}},
        direct=frozenset({"a-1"}),
        node_count=3,
    )


def test_the_record_reads_back_as_the_standard_librarys_encoding_would() -> None:
    record, props = record_changes(
        raw_changes(), at=AT, effective_at=EFFECTIVE_AT, source="api", active_tie_threshold=0.2
    )
    assert props is not None
    standard = json.dumps(record.body, separators=(",", ":"), default=_json_default)
    assert json.loads(props["changes"]) == json.loads(standard)
    # The temporal values are ISO text in either: what the typed change set shows.
    loaded = json.loads(props["changes"])
    assert loaded["nodes"][0][1][4:6] == ["2026-03-31", "2026-04-30"]
    assert loaded["nodes"][1][1][5] == "2026-01-05T09:30:00+00:00"
    assert loaded["edges"][1][11] == "2025-12-01T08:00:00+00:00"
    assert loaded["ties"] == [
        ["tie_activated", "t-1", "s-1", "a-ü", 1767225600000000, None, 0.30000000000000004]
    ]


def test_the_typed_change_set_is_the_same_from_the_write_and_from_its_record() -> None:
    record, props = record_changes(
        raw_changes(), at=AT, effective_at=EFFECTIVE_AT, source="api", active_tie_threshold=0.2
    )
    assert props is not None
    back = ChangeSet.from_record(
        {
            "id": record.id,
            "at": AT,
            "effective_at": EFFECTIVE_AT,
            "source": "api",
            "account_ids": list(record.accounts),
            "changes": props["changes"],
        }
    )
    assert back == record.change_set()
    assert {n.id for n in back.nodes} == {"o-1", "s-1", "b-1"} and len(back.edges) == 3
