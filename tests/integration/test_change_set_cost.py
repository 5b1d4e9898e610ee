"""What keeps a change set cheap for a large import, against the real Neo4j: every write
statement returns its changes as one flat list of plain values (no list or map per
change, which the client would pay microseconds each to decode), the write builds no
typed object unless asked, and the record keeps only the values a change set keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from service.domain.changes import ChangeRecord, record_changes, recorded_change_sets
from service.domain.ingest import import_batches
from service.domain.ingest.batch import validate_batch, write_params
from service.domain.ingest.plan import plan_units, write_set_of
from service.graph import ingest as store
from service.graph.driver import Graph
from service.settings import Settings

T1 = datetime(2026, 1, 1, tzinfo=UTC)

BATCH: dict[str, Any] = {
    "effective_at": "2026-01-01T00:00:00Z",
    "accounts": [{"id": "acme", "name": "Acme"}],
    "team_members": [{"id": "t1", "name": "Sam"}],
    "stakeholders": [
        {"id": "p0", "account_id": "acme", "name": "Pat", "email": "pat@acme.example"},
        {"id": "p1", "account_id": "acme", "name": "Dana", "reports_to": "p0"},
    ],
    "budgets": [{"id": "b1", "account_id": "acme", "name": "IT", "amount": 10.0}],
    "controls": [{"stakeholder_id": "p0", "budget_id": "b1", "authority": "approver"}],
    "roles": [{"stakeholder_id": "p1", "role": "champion", "stance": 1, "account_id": "acme"}],
    "influences": [{"from_id": "p1", "to_id": "p0", "strength": 0.4}],
    "relationships": [{"team_member_id": "t1", "stakeholder_id": "p1", "strength": 0.8}],
    "coverage": [{"team_member_id": "t1", "account_id": "acme", "role": "account_manager"}],
}


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def test_the_statements_return_flat_lists_of_plain_values(graph: Graph, settings: Settings) -> None:
    write_set = write_set_of(plan_units(validate_batch(graph, BATCH)))
    params = write_params(settings, T1, datetime.now(UTC))
    seen: list[store.RawChanges] = []

    def recorder(raw: store.RawChanges) -> tuple[ChangeRecord, dict[str, Any] | None]:
        seen.append(raw)
        return record_changes(
            raw, at=params.now, effective_at=T1, source="api", active_tie_threshold=0.2
        )

    _, change_record = store.write_batch(graph, write_set, params, recorder)

    [raw] = seen
    assert raw.edges and raw.nodes
    for flat in raw.edges:
        assert len(flat) % store.EDGE_FIELDS == 0
        assert all(_plain(v) for v in flat), flat
    for _, flat in raw.nodes:
        assert all(_plain(v) for v in flat), flat
    # Every account the batch names comes from the batch itself.
    assert {label: ids for label, ids in raw.accounts.items() if ids} == {
        "Stakeholder": {"p0": "acme", "p1": "acme"},
        "Budget": {"b1": "acme"},
    }
    assert change_record is not None
    assert change_record.counts == {
        "nodes": {"created": 5, "changed": 0, "left": 0},
        # WORKS_AT ×2, REPORTS_TO, CONTROLS, HAS_ROLE, INFLUENCES, KNOWS, COVERS
        "edges": {"opened": 8, "closed": 0, "changed": 0},
        "ties": {"tie_activated": 1, "tie_went_dark": 0},
    }
    typed = change_record.change_set()
    assert len(typed.nodes) == 5 and len(typed.edges) == 8 and len(typed.ties) == 1
    # The record reads back as the typed set the write would have returned.
    assert recorded_change_sets(graph) == [typed]
    # Only the values a change set keeps are recorded: an email is listed by name.
    [props] = graph.read("MATCH (c:ChangeSet) RETURN properties(c) AS p")
    assert "pat@acme.example" not in props["p"]["changes"]
    [pat] = [n for n in typed.nodes if n.id == "p0"]
    assert pat.changed == ("email", "name") and [v.name for v in pat.values] == ["name"]


def test_an_import_keeps_counts_and_builds_no_typed_change_set_unasked(
    graph: Graph, settings: Settings
) -> None:
    summary = import_batches(graph, settings, BATCH, chunk_rows=100)

    assert summary.change_sets == []  # nothing typed was built or kept
    assert summary.as_dict()["changes"]["nodes"] == {"created": 5, "changed": 0, "left": 0}
    recorded = recorded_change_sets(graph)
    assert sorted(summary.change_set_ids) == sorted(cs.id for cs in recorded if cs.id)
    assert sum(len(cs.edges) for cs in recorded) == 8  # team members first, then acme
    assert summary.as_dict()["changes"]["accounts"] == ["acme"]
