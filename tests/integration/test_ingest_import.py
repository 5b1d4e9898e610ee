"""`import_batches` (and `powermap import`): whole-file validation, transactions grouped
by account, progress, and a crash between transactions leaving whole accounts only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from service.cli import app as cli
from service.domain.errors import InvalidInput
from service.domain.ingest import import_batches, ingest_batch
from service.domain.ingest.plan import ACCOUNT, SPANNING, chunk_units, plan_units
from service.domain.ingest.validation import ValidBatch
from service.graph.driver import Graph
from service.graph.ingest import Statement
from service.settings import Settings
from tests.integration.test_ingest_support import dump, edge_counts, node_count, people

EFFECTIVE = "2026-11-01T00:00:00Z"
EMPTY = "MATCH (n) WHERE NOT n:__Migration AND NOT n:__MigrationLock DETACH DELETE n"


def portfolio() -> dict[str, Any]:
    """Three accounts of 30 people each (chains of command), one team member with a tie
    to each account's top, and two rows spanning accounts: a1's top reports to a0p5, and
    a0p1 influences a2p3."""
    stakeholders = [row for a in range(3) for row in people(f"a{a}", 30, prefix=f"a{a}p")]
    stakeholders[30]["reports_to"] = "a0p5"  # a1p0
    return {
        "effective_at": EFFECTIVE,
        "accounts": [{"id": f"a{a}", "name": f"Account {a}"} for a in range(3)],
        "team_members": [{"id": "t1", "name": "Sam"}],
        "stakeholders": stakeholders,
        "relationships": [
            {"team_member_id": "t1", "stakeholder_id": f"a{a}p0", "strength": 0.6} for a in range(3)
        ],
        "influences": [{"from_id": "a0p1", "to_id": "a2p3", "strength": 0.4}],
    }


def without_updated_at(snapshot: tuple[list[Any], list[Any]]) -> tuple[list[Any], list[Any]]:
    # updated_at is the wall-clock time of the write; everything else must match.
    nodes, edges = snapshot
    return [n.split(", 'updated_at'")[0] for n in nodes], edges


def test_import_groups_by_account_and_matches_a_single_batch(
    graph: Graph, settings: Settings
) -> None:
    done: list[int] = []

    summary = import_batches(
        graph, settings, portfolio(), chunk_rows=40, progress=done.append
    ).as_dict()

    # Transactions: the team member; a0, a1, a2 alone (each carries 1 + 30x2 + 29 = 90
    # statement rows > 40, never split); then the rows spanning accounts.
    assert summary["transactions"] == 5
    # Input rows per transaction: t1 | account + 30 people + t1's tie, for each account
    # (a1p0's line to a0p5 waits) | the influence across accounts.
    assert done == [1, 32, 32, 32, 1]
    assert sum(done) == summary["rows"] == 3 + 1 + 90 + 3 + 1
    imported = without_updated_at(dump(graph, settings))
    assert edge_counts(graph, settings) == {
        "WORKS_AT": 90,
        "REPORTS_TO": 88,  # 3 x 29 chains + a1p0 -> a0p5
        "KNOWS": 3,
        "INFLUENCES": 1,
    }

    # The same data as one batch gives the same graph.
    graph.driver.execute_query(EMPTY, database_=settings.neo4j_database)
    big = settings.model_copy(update={"ingest_max_rows": 1000})
    ingest_batch(graph, big, portfolio())
    assert without_updated_at(dump(graph, settings)) == imported


def test_crash_between_transactions_leaves_whole_accounts_only(
    graph: Graph, settings: Settings
) -> None:
    class Crash(Exception):
        pass

    calls: list[int] = []

    def crash_after_the_first_account(rows: int) -> None:
        calls.append(rows)
        if len(calls) == 2:  # committed: the team member, then account a0
            raise Crash

    with pytest.raises(Crash):
        import_batches(graph, settings, portfolio(), 40, crash_after_the_first_account)

    assert node_count(graph, settings) == 1 + 1 + 30  # t1, a0 and all of a0's people
    assert edge_counts(graph, settings) == {"WORKS_AT": 30, "REPORTS_TO": 29, "KNOWS": 1}


def test_the_whole_file_is_validated_before_anything_is_written(
    graph: Graph, settings: Settings
) -> None:
    batch = portfolio()
    batch["stakeholders"][75]["reports_to"] = "nobody"  # in the last account's chunk

    with pytest.raises(InvalidInput) as caught:
        import_batches(graph, settings, batch, chunk_rows=40)

    assert [e.location for e in caught.value.errors] == ["stakeholders[75].reports_to"]
    assert node_count(graph, settings) == 0


def test_an_account_is_never_split_and_spanning_rows_come_last() -> None:
    rows = [*people("big", 10, prefix="b"), *people("small", 2, prefix="s")]
    rows[10]["reports_to"] = "b3"  # s0 -> b3 crosses accounts
    batch = ValidBatch(
        rows={"stakeholders": rows}, received={"stakeholders": 12}, effective_at=None
    )
    units = plan_units(batch)

    chunks = list(chunk_units(units, chunk_rows=5))

    # big: 10 x (node + WORKS_AT + the move check) + 9 lines = 39 statement rows in one
    # transaction; small: 2 x 3 + its own line (s1 -> s0) = 7; then s0's line to b3.
    assert [c.rows for c in chunks] == [10, 2, 0]
    assert [sum(len(v) for v in c.write_set.values()) for c in chunks] == [39, 7, 1]
    spanning = [u for u in units if u.phase == SPANNING]
    assert [u.items[0][1] for u in spanning] == [
        {"id": "s0", "manager_id": "b3", "source_record_id": None}
    ]
    assert {u.account for u in units if u.phase == ACCOUNT} == {"big", "small"}


def test_a_move_check_does_not_count_in_a_chunks_weight() -> None:
    # Two accounts of 4 people without lines: each person sends a node, a WORKS_AT and
    # a MOVED row, but the MOVED row is its WORKS_AT row once more and writes nothing for
    # a person who did not move: an account weighs 2 x 4 = 8, so both fit in 16 rows.
    # (Counted, each weighed 12 and the import ran in twice the transactions.)
    rows = [*people("a", 4, prefix="a"), *people("b", 4, prefix="b")]
    for row in rows:
        row.pop("reports_to", None)
    batch = ValidBatch(rows={"stakeholders": rows}, received={"stakeholders": 8}, effective_at=None)

    chunks = list(chunk_units(plan_units(batch), chunk_rows=16))

    assert [c.rows for c in chunks] == [8]
    assert {s: len(v) for s, v in chunks[0].write_set.items()} == {
        Statement.STAKEHOLDERS: 8,
        Statement.WORKS_AT: 8,
        Statement.MOVED: 8,
    }
    # One row more than two accounts' worth: each account goes alone.
    assert [c.rows for c in chunk_units(plan_units(batch), chunk_rows=15)] == [4, 4]


def test_cli_import_reports_the_summary(graph: Graph, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "portfolio.json"
    path.write_text(json.dumps(portfolio()), encoding="utf-8")

    result = CliRunner().invoke(cli, ["import", str(path), "--chunk-rows", "100"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[result.stdout.index("{") :])
    assert summary["nodes"]["Stakeholder"] == {"created": 90, "updated": 0, "unchanged": 0}
    assert summary["transactions"] == 5  # t1 | a0 | a1 | a2 (90 + 90 > 100) | spanning

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"stakeholders": [{"id": "x"}]}), encoding="utf-8")
    failed = CliRunner().invoke(cli, ["import", str(bad)])
    assert failed.exit_code == 1
    assert "stakeholders[0].account_id" in failed.output


def test_concurrent_account_transactions_give_the_same_graph(
    graph: Graph, settings: Settings
) -> None:
    db = settings.neo4j_database
    done: list[int] = []
    summary = import_batches(graph, settings, portfolio(), 40, done.append, workers=3)
    parallel = without_updated_at(dump(graph, settings))
    assert summary.transactions == 5
    assert sorted(done) == [1, 1, 32, 32, 32]  # same transactions, any order for accounts
    assert done[0] == 1 and done[-1] == 1  # team members first, spanning rows last

    graph.driver.execute_query(EMPTY, database_=db)
    import_batches(graph, settings, portfolio(), 40)
    assert without_updated_at(dump(graph, settings)) == parallel
