"""Issue 11's acceptance for HubSpot, on the real Neo4j: a first snapshot through
`POST /v1/sync/hubspot`, a month later a reorg (a new manager, a promotion, roles
removed, an archived contact, a contact moving to another company, an archived owner, a
company changing owner) through `powermap sync hubspot`; the API's facts survive; the
same upload twice changes nothing; the guard refuses a truncated export.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app as cli
from service.domain.changes import recorded_change_sets
from service.domain.ingest import ingest_batch
from service.domain.sync.hubspot import read_hubspot_dir
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory
from tests.integration.test_ingest_support import current_edges, dump, node, plain

FIXTURES = Path(__file__).parent.parent / "fixtures" / "hubspot"
MONTH1, MONTH2 = "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"
GLOBEX, INITECH, UMBRELLA = "hs-company-1001", "hs-company-1002", "hs-company-1003"
HANK, ZOE, FRANK, LISA = "hs-contact-2001", "hs-contact-2002", "hs-contact-2003", "hs-contact-2004"
PETER, MILTON, JILL = "hs-contact-2007", "hs-contact-2008", "hs-contact-2010"
AVA, BO, CARLA = "hs-owner-3001", "hs-owner-3002", "hs-owner-3003"


def body(scenario: str, **controls: Any) -> dict[str, Any]:
    return {**read_hubspot_dir(FIXTURES / scenario), **controls}


def current(graph: Graph, settings: Settings, rel: str) -> set[tuple[str, str]]:
    return {(e["source"], e["target"]) for e in current_edges(graph, settings, rel)}


def roles_now(graph: Graph, settings: Settings) -> set[tuple[str, str, str]]:
    return {
        (e["source"], e["target"], e["props"]["role"])
        for e in current_edges(graph, settings, "HAS_ROLE")
    }


def test_hubspot_snapshots_follow_the_crm(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    write = auth_headers("write", "read")
    first = client.post(
        "/v1/sync/hubspot",
        json=body("month1_snapshot", mode="snapshot", effective_at=MONTH1),
        headers=write,
    )
    assert first.status_code == 200, first.text
    assert first.json()["kinds"]["people"]["created"] == 10
    assert (CARLA, UMBRELLA) in current(graph, settings, "COVERS")
    ingest_batch(
        graph,
        settings,
        {
            "effective_at": "2026-10-05T00:00:00Z",
            "budgets": [{"id": "globex-it", "account_id": GLOBEX, "name": "IT FY27"}],
            "controls": [{"stakeholder_id": ZOE, "budget_id": "globex-it", "authority": "owner"}],
            "influences": [{"from_id": FRANK, "to_id": HANK, "strength": 0.7}],
        },
    )

    chart_before = client.get(
        f"/v1/accounts/{GLOBEX}/org-chart", params={"as_of": "2026-10-15"}, headers=write
    ).json()

    run = CliRunner().invoke(
        cli,
        [
            "sync",
            "hubspot",
            str(FIXTURES / "month2_reorg"),
            "--mode",
            "snapshot",
            "--effective-at",
            MONTH2,
        ],
    )
    assert run.exit_code == 0, run.output
    kinds = json.loads(run.stdout)["kinds"]
    assert kinds["people"]["ended"] == 1 and kinds["team_members"]["ended"] == 1

    reports = current(graph, settings, "REPORTS_TO")
    assert (LISA, ZOE) in reports and (LISA, FRANK) not in reports
    assert (PETER, FRANK) in reports
    assert node(graph, settings, FRANK)["title"] == "SVP, Engineering & Operations"
    now = roles_now(graph, settings)
    assert (HANK, GLOBEX, "executive_sponsor") not in now
    assert (HANK, GLOBEX, "decision_maker") in now
    assert (FRANK, GLOBEX, "influencer") not in now and (FRANK, GLOBEX, "champion") in now
    milton = node(graph, settings, MILTON)
    assert milton["status"] == "left" and plain(milton["left_at"]) == "2026-10-18T11:22:33Z"
    assert (PETER, GLOBEX) in current(graph, settings, "WORKS_AT")
    assert node(graph, settings, CARLA)["status"] == "left"
    covers = current(graph, settings, "COVERS")
    assert (BO, UMBRELLA) in covers and (CARLA, UMBRELLA) not in covers
    assert (ZOE, "globex-it") in current(graph, settings, "CONTROLS")
    assert (FRANK, HANK) in current(graph, settings, "INFLUENCES")
    assert {cs.source for cs in recorded_change_sets(graph)} >= {"hubspot", "api"}
    # History kept: the org chart as of the first month is what it was.
    assert (
        client.get(
            f"/v1/accounts/{GLOBEX}/org-chart", params={"as_of": "2026-10-15"}, headers=write
        ).json()
        == chart_before
    )
    # The analyses answer on the new state: Milton has left, Peter is Globex's.
    threading = client.get(
        f"/v1/accounts/{GLOBEX}/threading", params={"as_of": "2026-11-02"}, headers=write
    )
    assert threading.status_code == 200, threading.text
    assert MILTON not in {k["stakeholder_id"] for k in threading.json()["key_stakeholders"]}
    control = client.get(
        "/v1/budgets/globex-it/control", params={"as_of": "2026-11-02"}, headers=write
    ).json()
    assert [c["stakeholder_id"] for c in control["controllers"]["owner"]] == [ZOE]
    impact = client.post(
        f"/v1/accounts/{GLOBEX}/departure-impact",
        params={"as_of": "2026-11-02"},
        json={"person_ids": [PETER]},
        headers=write,
    )
    assert impact.status_code == 200, impact.text
    assert impact.json()["departed"][0]["id"] == PETER

    before, sets = dump(graph, settings), len(recorded_change_sets(graph))
    again = client.post(
        "/v1/sync/hubspot",
        json=body("month2_reorg", mode="snapshot", effective_at=MONTH2),
        headers=write,
    )
    assert again.status_code == 200, again.text
    assert again.json()["changes"]["change_set_ids"] == []
    assert dump(graph, settings) == before
    assert len(recorded_change_sets(graph)) == sets


def test_a_truncated_hubspot_export_is_refused(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    write = auth_headers("write")
    first = client.post(
        "/v1/sync/hubspot",
        json=body("month1_snapshot", mode="snapshot", effective_at=MONTH1),
        headers=write,
    )
    assert first.status_code == 200, first.text
    truncated = body("month2_reorg", mode="snapshot", effective_at=MONTH2)
    truncated["contacts"] = [c for c in truncated["contacts"] if c["id"] in ("2001", "2002")]
    before = dump(graph, settings)
    refused = client.post("/v1/sync/hubspot", json=truncated, headers=write)
    assert refused.status_code == 409, refused.text
    assert {"account_id": GLOBEX, "gone": 3, "current": 5} in refused.json()["accounts"]
    assert dump(graph, settings) == before
