"""Leaving out the rows that change nothing (service/domain/sync/unchanged.py) gives
exactly the graph that writing them gives, on the real Neo4j.

The same sequence of Salesforce uploads — the first snapshot, the same again, API facts
between, the reorg a month later (a move, a promotion, endings, a deletion) in which an
old colleague keeps reporting to the person who moved, and the reorg again — is synced
twice into an empty graph: once as the sync does it, once with every row written. The
graph dumps and the summaries' counts must be equal, and the repeated uploads must
have left rows out (the comparison is not vacuous).
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import service.domain.ingest.batch as ingest_module
import service.domain.sync.apply as apply_module
from service.domain.sync.apply import parse_effective_at, sync_upload
from service.domain.sync.mappings import load_mappings
from service.domain.sync.salesforce import read_salesforce_dir, translate_salesforce
from service.domain.sync.unchanged import interaction_signature
from service.graph.driver import Graph
from service.graph.sync import read_sync_facts
from service.settings import Settings
from tests.conftest import _clean
from tests.integration.test_ingest_support import current_edges, dump
from tests.integration.test_sync_salesforce import FIXTURES, MONTH1, MONTH2, api_facts
from tests.sync.test_salesforce import MILTON, PETER

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class FrozenNow(datetime):
    """``datetime`` whose ``now`` is :data:`NOW`: both runs stamp the same times."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:
        return NOW if tz is None else NOW.astimezone(tz)


def exports(tmp_path: Path) -> tuple[Path, Path]:
    """Month 1 with Milton reporting to Peter; month 2 where Peter moves to Globex and
    Milton, still at Initech and not deleted, keeps reporting to him."""
    month1, month2 = tmp_path / "m1", tmp_path / "m2"
    shutil.copytree(FIXTURES / "month1_snapshot", month1)
    shutil.copytree(FIXTURES / "month2_reorg", month2)
    contacts = (month1 / "Contact.csv").read_text(encoding="utf-8")
    milton = next(line for line in contacts.splitlines() if line.startswith(MILTON))
    assert f",{PETER[:15]}" not in milton
    to_peter = milton.replace(",0035g00000BlLmBAAV,", f",{PETER},")
    assert to_peter != milton
    (month1 / "Contact.csv").write_text(contacts.replace(milton, to_peter), encoding="utf-8")
    month2_contacts = (month2 / "Contact.csv").read_text(encoding="utf-8")
    # month 2's header: Id,Account.Id,FirstName,LastName,Title,Department,Email,ReportsTo.Id
    month2_contacts = month2_contacts.rstrip("\n") + "\n" + to_peter.rsplit(",", 2)[0] + "\n"
    (month2 / "Contact.csv").write_text(month2_contacts, encoding="utf-8")
    deleted = (month2 / "deleted.csv").read_text(encoding="utf-8").splitlines()
    (month2 / "deleted.csv").write_text(
        "\n".join(line for line in deleted if MILTON not in line) + "\n", encoding="utf-8"
    )
    return month1, month2


def sync(graph: Graph, settings: Settings, directory: Path, effective_at: str) -> Any:
    mappings = load_mappings()
    snapshot = translate_salesforce(
        read_salesforce_dir(directory),
        mode="snapshot",
        effective_at=parse_effective_at(effective_at),
        mappings=mappings,
    )
    summary = sync_upload(graph, settings, snapshot, mappings, confirm_mass_change=True)
    return summary.kinds


def run_all(graph: Graph, settings: Settings, month1: Path, month2: Path) -> list[Any]:
    kinds = [sync(graph, settings, month1, MONTH1)]
    api_facts(graph, settings)
    kinds.append(sync(graph, settings, month1, "2026-10-10T00:00:00Z"))
    kinds.append(sync(graph, settings, month2, MONTH2))
    kinds.append(sync(graph, settings, month2, "2026-11-10T00:00:00Z"))
    return kinds


def test_leaving_out_unchanged_rows_gives_the_graph_writing_them_gives(
    graph: Graph, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    month1, month2 = exports(tmp_path)
    monkeypatch.setattr(apply_module, "datetime", FrozenNow)
    monkeypatch.setattr(ingest_module, "datetime", FrozenNow)  # the API facts' write
    left_out: list[Counter[str]] = []
    real = apply_module.drop_unchanged

    def spy(batch: Any, facts: Any) -> Any:
        out, dropped = real(batch, facts)
        left_out.append(dropped)
        return out, dropped

    monkeypatch.setattr(apply_module, "drop_unchanged", spy)
    kinds_with = run_all(graph, settings, month1, month2)
    dump_with = dump(graph, settings)
    lines = {(e["source"], e["target"]) for e in current_edges(graph, settings, "REPORTS_TO")}
    assert (MILTON, PETER) in lines  # the move ended the line, Milton's row reopened it

    _clean(graph)
    monkeypatch.setattr(apply_module, "drop_unchanged", lambda batch, facts: (batch, Counter()))
    kinds_without = run_all(graph, settings, month1, month2)
    dump_without = dump(graph, settings)
    for part_with, part_without in zip(dump_with, dump_without, strict=True):
        assert sorted(set(part_with) - set(part_without)) == sorted(
            set(part_without) - set(part_with)
        )
    assert dump_without == dump_with
    assert kinds_without == kinds_with

    # The repeated uploads left out (nearly) everything; the first left out nothing.
    first, again, reorg, reorg_again = (sum(c.values()) for c in left_out)
    assert first == 0 and again > 0 and reorg_again > 0
    assert again >= 20 and reorg < reorg_again
    changed = ("created", "updated", "ended")
    assert sum(k[c] for k in kinds_with[1].values() for c in changed) == 0


def test_account_transactions_written_two_at_a_time_give_the_same_graph(
    graph: Graph, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`powermap sync --workers 2` writes account chunks concurrently: the graph is the
    one a single transaction writes, for the first snapshot and for the reorg."""
    month1, month2 = exports(tmp_path)
    monkeypatch.setattr(apply_module, "datetime", FrozenNow)
    mappings = load_mappings()

    def both(chunk_rows: int | None, workers: int) -> tuple[list[Any], list[Any]]:
        transactions = []
        for directory, when in ((month1, MONTH1), (month2, MONTH2)):
            snapshot = translate_salesforce(
                read_salesforce_dir(directory),
                mode="snapshot",
                effective_at=parse_effective_at(when),
                mappings=mappings,
            )
            summary = sync_upload(
                graph,
                settings,
                snapshot,
                mappings,
                confirm_mass_change=True,
                chunk_rows=chunk_rows,
                workers=workers,
            )
            transactions.append(summary.write.transactions)
        return list(dump(graph, settings)), transactions

    single, one_each = both(None, 1)
    assert one_each == [1, 1]
    _clean(graph)
    concurrent, per_account = both(1, 2)
    assert per_account[0] >= 3  # the team members, then an account per transaction
    assert concurrent == single


def test_a_stored_interaction_before_1970_reads_back_with_the_signature_of_its_row(
    graph: Graph,
) -> None:
    """Neo4j's ``epochSeconds`` rounds a pre-1970 instant with a fraction towards zero, so
    the stored signature was one second off the row's and the interaction was never left
    out as unchanged; the read encodes ``epochMillis`` (floored) and the rest."""
    at = datetime(1969, 12, 31, 23, 59, 58, 500_001, tzinfo=UTC)
    graph.write(
        "CREATE (t:TeamMember {id: 'tm-1', status: 'active'})-[:ATTENDED]->"
        "(i:Interaction {id: 'i-1', kind: 'call', at: $at, source: 'salesforce'})"
        "-[:WITH]->(:Stakeholder {id: 'p-1', status: 'active'})",
        at=at,
    )
    facts = read_sync_facts(
        graph, accounts=[], people=[], record_ids=[], team_members=[], interactions=["i-1"]
    )
    at_us = (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    (row,) = facts.interactions
    assert row["ids"] == ["i-1"]
    assert row["signatures"] == [interaction_signature("call", at_us, ["tm-1"], ["p-1"])]
