"""The translated CRM exports go through today's ingest on the real Neo4j.

Only what the generic batch can express is checked here (creating, moving, a new
manager, a new title, new roles); ending what an export no longer holds, deletions and
provenance belong to the sync's write path (service/domain/sync/batch.py says what is
left to it). Before ``executive_sponsor`` / ``evaluator`` were in the role vocabulary,
neither the default mappings nor the batch's role rows accepted them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from service.domain.ingest import ingest_batch
from service.domain.sync.batch import snapshot_to_batch
from service.domain.sync.hubspot import read_hubspot_dir, translate_hubspot
from service.domain.sync.salesforce import read_salesforce_dir, translate_salesforce
from service.graph.account_subgraph import account_subgraph
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.test_ingest_support import current_edges, node

FIXTURES = Path(__file__).parent.parent / "fixtures"
MONTH1 = datetime(2026, 10, 1, tzinfo=UTC)
MONTH2 = datetime(2026, 11, 1, tzinfo=UTC)
GLOBEX, INITECH = "0015g00000GlbXAAAZ", "0015g00000InTcHAAV"
HANK, ZOE, FRANK, LISA = (
    "0035g00000HsCrPAAV",
    "0035g00000ZoEaNAAV",
    "0035g00000FrNkTAAV",
    "0035g00000LsChNAAV",
)
PETER = "0035g00000PtRgBAAV"


def salesforce_batch(scenario: str, at: datetime) -> dict[str, Any]:
    parts = read_salesforce_dir(FIXTURES / "salesforce" / scenario)
    return dict(
        snapshot_to_batch(translate_salesforce(parts, mode="snapshot", effective_at=at)).batch
    )


def current(graph: Graph, settings: Settings, rel: str) -> set[tuple[str, str]]:
    return {(e["source"], e["target"]) for e in current_edges(graph, settings, rel)}


def test_salesforce_exports_ingest_and_reorg(graph: Graph, settings: Settings) -> None:
    first = ingest_batch(graph, settings, salesforce_batch("month1_snapshot", MONTH1)).as_dict()
    assert first["nodes"]["Stakeholder"]["created"] == 10
    assert first["nodes"]["TeamMember"]["created"] == 3
    roles = current_edges(graph, settings, "HAS_ROLE")
    assert len(roles) == 15
    assert {(e["source"], e["props"]["role"]) for e in roles if e["target"] == GLOBEX} >= {
        (HANK, "executive_sponsor"),
        (HANK, "decision_maker"),
    }
    pulled = account_subgraph(graph, GLOBEX, valid_at=datetime(2026, 10, 2, tzinfo=UTC))
    assert pulled is not None and pulled.tier == "strategic"
    assert ("executive_sponsor", HANK) in {(r.role, r.stakeholder_id) for r in pulled.graph.roles}
    assert node(graph, settings, LISA)["title"] == "Director, IT\nInfrastructure"

    ingest_batch(graph, settings, salesforce_batch("month2_reorg", MONTH2))
    works_at = current(graph, settings, "WORKS_AT")
    assert (PETER, GLOBEX) in works_at and (PETER, INITECH) not in works_at
    reports = current(graph, settings, "REPORTS_TO")
    assert (LISA, ZOE) in reports and (LISA, FRANK) not in reports
    assert (PETER, FRANK) in reports
    assert node(graph, settings, FRANK)["title"] == "SVP, Engineering & Operations"
    assert (PETER, GLOBEX) in current(graph, settings, "HAS_ROLE")

    # The same export again changes nothing.
    again = ingest_batch(graph, settings, salesforce_batch("month2_reorg", MONTH2)).as_dict()
    assert again["nodes"]["Stakeholder"] == {"created": 0, "updated": 0, "unchanged": 9}


def test_hubspot_export_ingests(graph: Graph, settings: Settings) -> None:
    lists = read_hubspot_dir(FIXTURES / "hubspot" / "month1_snapshot")
    batch = snapshot_to_batch(translate_hubspot(lists, mode="snapshot", effective_at=MONTH1)).batch
    summary = ingest_batch(graph, settings, dict(batch)).as_dict()
    assert summary["nodes"]["Account"]["created"] == 3
    assert summary["nodes"]["Stakeholder"]["created"] == 10
    assert ("hs-owner-3003", "hs-company-1003") in current(graph, settings, "COVERS")
    assert ("hs-contact-2004", "hs-contact-2003") in current(graph, settings, "REPORTS_TO")
