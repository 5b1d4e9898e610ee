"""A sync's per-kind counts read from the writes' change records (their flat lists,
``kind_counts_of_records``) equal those counted over the typed change sets
(``kind_counts``), on the real uploads of the Salesforce fixtures: a first snapshot, the
same again, and a reorg a month later (a move, a promotion, endings, a deletion), in
one transaction and in several account transactions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import service.domain.sync.apply as apply_module
from service.domain.changes import ChangeRecord
from service.domain.sync.apply import (
    kind_counts,
    kind_counts_of_records,
    parse_effective_at,
    sync_upload,
)
from service.domain.sync.mappings import load_mappings
from service.domain.sync.salesforce import read_salesforce_dir, translate_salesforce
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import _clean
from tests.integration.test_sync_salesforce import MONTH1, MONTH2
from tests.integration.test_sync_unchanged import exports


@pytest.mark.parametrize("chunk_rows", [None, 5])
def test_counts_from_the_records_equal_those_of_the_typed_change_sets(
    graph: Graph,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    chunk_rows: int | None,
) -> None:
    month1, month2 = exports(tmp_path)
    records: list[ChangeRecord] = []
    real = apply_module.write_recorded

    def spy(*args: Any, **kwargs: Any) -> Any:
        written = real(*args, **kwargs)
        records.append(written[1])
        return written

    monkeypatch.setattr(apply_module, "write_recorded", spy)
    mappings = load_mappings()
    changed = 0
    for directory, when in ((month1, MONTH1), (month1, MONTH1), (month2, MONTH2)):
        records.clear()
        snapshot = translate_salesforce(
            read_salesforce_dir(directory),
            mode="snapshot",
            effective_at=parse_effective_at(when),
            mappings=mappings,
        )
        summary = sync_upload(
            graph, settings, snapshot, mappings, confirm_mass_change=True, chunk_rows=chunk_rows
        )
        given = {
            kind: c["unchanged"] + c["created"] + c["updated"] for kind, c in summary.kinds.items()
        }
        interactions = summary.kinds["interactions"]
        typed = kind_counts([r.change_set() for r in records], given, interactions)
        assert kind_counts_of_records(records, given, interactions) == typed
        assert summary.kinds == typed
        changed += sum(c["created"] + c["updated"] + c["ended"] for c in typed.values())
        if chunk_rows is not None and directory is month2:
            assert len(records) > 1  # several account transactions
    assert changed > 50  # not vacuous: the uploads create, update and end facts
    _clean(graph)
