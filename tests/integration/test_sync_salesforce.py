"""Issue 11's acceptance for Salesforce, on the real Neo4j: a first snapshot of three
accounts through `POST /v1/sync/salesforce`, a month later a reorg through
`powermap sync salesforce` — exactly the expected endings and moves; history as of the
first month unchanged; API-sourced controls and influence lines kept; analytics on the
new state; the same upload twice changes nothing; the guard refuses a truncated export.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app as cli
from service.domain.changes import recorded_change_sets
from service.domain.ingest import ingest_batch
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory
from tests.integration.test_ingest_support import current_edges, dump, edges_from, node, plain
from tests.sync.test_salesforce import (
    AVA,
    BILL,
    CARLA,
    FRANK,
    GLOBEX,
    HANK,
    INITECH,
    LISA,
    MARCO,
    MILTON,
    PETER,
    RENEWAL,
    UMBRELLA,
    WESKER,
    ZOE,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "salesforce"
MONTH1, MONTH2 = "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"
AS_OF = "2026-11-02"


def upload(client: TestClient, headers: dict[str, str], scenario: str, **fields: str) -> Any:
    directory = FIXTURES / scenario
    files = [
        (p.stem, (p.name, p.read_bytes(), "text/csv")) for p in sorted(directory.glob("*.csv"))
    ]
    return client.post("/v1/sync/salesforce", data=fields, files=files, headers=headers)


def current(graph: Graph, settings: Settings, rel: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["source"], e["target"]): e["props"] for e in current_edges(graph, settings, rel)}


def roles_now(graph: Graph, settings: Settings) -> set[tuple[str, str, str]]:
    return {
        (e["source"], e["target"], e["props"]["role"])
        for e in current_edges(graph, settings, "HAS_ROLE")
    }


def api_facts(graph: Graph, settings: Settings) -> None:
    """What a KAM entered through the API: a budget Zoë controls, an influence line, and
    a stance on Zoë's role."""
    ingest_batch(
        graph,
        settings,
        {
            "effective_at": "2026-10-05T00:00:00Z",
            "budgets": [{"id": "globex-it", "account_id": GLOBEX, "name": "IT FY27"}],
            "controls": [{"stakeholder_id": ZOE, "budget_id": "globex-it", "authority": "owner"}],
            "influences": [{"from_id": FRANK, "to_id": HANK, "strength": 0.7}],
            "roles": [
                {"stakeholder_id": ZOE, "account_id": GLOBEX, "role": "economic_buyer", "stance": 2}
            ],
        },
    )


def test_salesforce_snapshots_follow_the_crm(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    write = auth_headers("write", "read")
    first = upload(client, write, "month1_snapshot", mode="snapshot", effective_at=MONTH1)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["source"] == "salesforce" and body["mode"] == "snapshot"
    assert body["kinds"]["people"] == {"created": 10, "updated": 0, "ended": 0, "unchanged": 0}
    assert body["kinds"]["team_members"]["created"] == 3
    assert {"object": "Account", "field": "Tier__c", "value": "Gold", "count": 1} in body[
        "unmapped"
    ]
    assert body["ignored"]["Task whose WhoId is not a Contact"] == 1
    # Provenance on what the sync wrote.
    role = current(graph, settings, "HAS_ROLE")[(MARCO, RENEWAL)]
    assert role["source"] == "salesforce" and role["source_record_id"] == "00K5g00000oCr03EAC"
    assert current(graph, settings, "COVERS")[(AVA, GLOBEX)]["source"] == "salesforce"
    assert node(graph, settings, HANK)["source"] == "salesforce"
    assert [cs.source for cs in recorded_change_sets(graph)] == ["salesforce"]

    api_facts(graph, settings)
    chart_before = client.get(
        f"/v1/accounts/{GLOBEX}/org-chart", params={"as_of": "2026-10-15"}, headers=write
    ).json()

    # A month later, through the command line: the reorg.
    run = CliRunner().invoke(
        cli,
        [
            "sync",
            "salesforce",
            str(FIXTURES / "month2_reorg"),
            "--mode",
            "snapshot",
            "--effective-at",
            MONTH2,
        ],
    )
    assert run.exit_code == 0, run.output
    summary = json.loads(run.stdout)
    kinds = summary["kinds"]
    assert kinds["people"]["ended"] == 1  # Milton, deleted
    assert kinds["team_members"]["ended"] == 1  # Carla, inactive
    assert kinds["employment"]["updated"] == 1  # Peter moved

    # The manager change and the promotion.
    reports = current(graph, settings, "REPORTS_TO")
    assert (LISA, ZOE) in reports and (LISA, FRANK) not in reports
    assert (PETER, FRANK) in reports and (PETER, BILL) not in reports
    assert node(graph, settings, FRANK)["title"] == "SVP, Engineering & Operations"
    # Two roles removed: Hank's executive sponsorship on Globex, Marco's influence on the
    # renewal, both ended at the snapshot.
    now = roles_now(graph, settings)
    assert (HANK, GLOBEX, "executive_sponsor") not in now
    assert (HANK, GLOBEX, "decision_maker") in now
    assert (MARCO, RENEWAL, "influencer") not in now
    ended = {
        (e["target"], e["props"]["role"]): plain(e["props"]["until"])
        for e in edges_from(graph, settings, HANK, "HAS_ROLE")
        if e["props"].get("until") is not None
    }
    assert ended == {(GLOBEX, "executive_sponsor"): MONTH2}
    # The deleted contact left at the deletion.
    milton = node(graph, settings, MILTON)
    assert milton["status"] == "left" and plain(milton["left_at"]) == "2026-10-18T11:22:33Z"
    # The inactive AccountContactRelation: Wesker's influence on Globex ended at EndDate.
    wesker = [e for e in edges_from(graph, settings, WESKER, "HAS_ROLE") if e["target"] == GLOBEX]
    assert [plain(e["props"]["until"]) for e in wesker] == ["2026-10-20T00:00:00Z"]
    # Peter moved: employed at Globex, his Initech roles ended (EndDate, or the move).
    works = current(graph, settings, "WORKS_AT")
    assert (PETER, GLOBEX) in works and (PETER, INITECH) not in works
    assert node(graph, settings, PETER)["status"] == "active"
    assert (PETER, GLOBEX, "technical_buyer") in now
    assert not {r for r in now if r[0] == PETER and r[1] == INITECH}
    # Carla left; her assignment with her.
    assert node(graph, settings, CARLA)["status"] == "left"
    assert (CARLA, UMBRELLA) not in current(graph, settings, "COVERS")
    # The API's facts survive: control, influence line, and the stance on Zoë's role.
    assert (ZOE, "globex-it") in current(graph, settings, "CONTROLS")
    assert (FRANK, HANK) in current(graph, settings, "INFLUENCES")
    zoe = [e for e in current_edges(graph, settings, "HAS_ROLE") if e["source"] == ZOE]
    assert {(e["target"], e["props"]["stance"]) for e in zoe} >= {(GLOBEX, 2)}

    # History: the org chart as of the first month is what it was.
    chart_after = client.get(
        f"/v1/accounts/{GLOBEX}/org-chart", params={"as_of": "2026-10-15"}, headers=write
    ).json()
    assert chart_after == chart_before

    # The analyses answer on the new state.
    threading = client.get(
        f"/v1/accounts/{GLOBEX}/threading", params={"as_of": AS_OF}, headers=write
    )
    assert threading.status_code == 200, threading.text
    key_people = {k["stakeholder_id"] for k in threading.json()["key_stakeholders"]}
    assert MILTON not in key_people and WESKER not in key_people
    control = client.get(
        "/v1/budgets/globex-it/control", params={"as_of": AS_OF}, headers=write
    ).json()
    owners = [c["stakeholder_id"] for c in control["controllers"]["owner"]]
    assert owners == [ZOE]
    chain = control["escalation_chains"][0]["steps"]
    assert [s["stakeholder_id"] for s in chain] == [HANK]
    impact = client.post(
        f"/v1/accounts/{GLOBEX}/departure-impact",
        params={"as_of": AS_OF},
        json={"person_ids": [PETER]},
        headers=write,
    )
    assert impact.status_code == 200, impact.text
    assert impact.json()["departed"][0]["id"] == PETER  # Peter is Globex's now

    # The changes feed: what changed at Globex since the first month.
    feed = client.get(
        f"/v1/accounts/{GLOBEX}/changes", params={"since": "2026-10-16"}, headers=write
    )
    assert feed.status_code == 200, feed.text
    items = feed.json()["items"]
    assert {i["source"] for i in items} == {"salesforce"}
    assert sorted(
        (i["type"], i["person_id"]) for i in items if not i["type"].startswith("tie")
    ) == [
        ("manager_changed", LISA),
        ("manager_changed", PETER),
        ("moved_in", PETER),
        ("role_ended", WESKER),  # at the relation's EndDate
        ("role_ended", HANK),
        ("role_ended", MARCO),
        ("role_started", PETER),
        ("title_changed", FRANK),
    ]
    title = next(i for i in items if i["type"] == "title_changed")
    assert (title["before"], title["after"]) == (
        {"title": "VP, Engineering"},
        {"title": "SVP, Engineering & Operations"},
    )

    # The same upload twice: nothing changes, nothing is recorded.
    before, sets = dump(graph, settings), len(recorded_change_sets(graph))
    again = upload(client, write, "month2_reorg", mode="snapshot", effective_at=MONTH2)
    assert again.status_code == 200, again.text
    assert again.json()["changes"]["change_set_ids"] == []
    for counts in again.json()["kinds"].values():
        assert counts["created"] == counts["updated"] == counts["ended"] == 0
    assert dump(graph, settings) == before
    assert len(recorded_change_sets(graph)) == sets


def test_a_truncated_salesforce_export_is_refused_and_writes_nothing(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    write = auth_headers("write")
    assert upload(client, write, "month1_snapshot", mode="snapshot", effective_at=MONTH1).is_success
    before, sets = dump(graph, settings), len(recorded_change_sets(graph))
    truncated = "Id,AccountId,FirstName,LastName\n" + f"{HANK},{GLOBEX},Hank,Scorpio\n"
    response = client.post(
        "/v1/sync/salesforce",
        data={"mode": "snapshot", "effective_at": MONTH2},
        files=[
            ("Account", ("Account.csv", f"Id,Name\n{GLOBEX},Globex\n".encode(), "text/csv")),
            ("Contact", ("Contact.csv", truncated.encode(), "text/csv")),
        ],
        headers=write,
    )
    assert response.status_code == 409, response.text
    assert response.json()["accounts"] == [{"account_id": GLOBEX, "gone": 4, "current": 5}]
    assert dump(graph, settings) == before
    assert len(recorded_change_sets(graph)) == sets

    confirmed = client.post(
        "/v1/sync/salesforce",
        data={"mode": "snapshot", "effective_at": MONTH2, "confirm_mass_change": "true"},
        files=[
            ("Account", ("Account.csv", f"Id,Name\n{GLOBEX},Globex\n".encode(), "text/csv")),
            ("Contact", ("Contact.csv", truncated.encode(), "text/csv")),
        ],
        headers=write,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["kinds"]["people"]["ended"] == 4
    assert confirmed.json()["mass_changes_confirmed"] == [
        {"account_id": GLOBEX, "gone": 4, "current": 5}
    ]
    assert node(graph, settings, ZOE)["status"] == "left"
    assert node(graph, settings, HANK)["status"] == "active"


def test_a_delta_changes_only_what_it_gives(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    write = auth_headers("write")
    assert upload(client, write, "month1_snapshot", mode="snapshot", effective_at=MONTH1).is_success
    deleted = (FIXTURES / "month2_reorg" / "deleted.csv").read_bytes()
    response = client.post(
        "/v1/sync/salesforce",
        data={"mode": "delta", "effective_at": MONTH2},
        files=[("deleted", ("deleted.csv", deleted, "text/csv"))],
        headers=write,
    )
    assert response.status_code == 200, response.text
    assert node(graph, settings, MILTON)["status"] == "left"
    # Nothing else ends: every other role of the first snapshot is current.
    assert (HANK, GLOBEX, "executive_sponsor") in roles_now(graph, settings)
    assert (MARCO, RENEWAL, "influencer") in roles_now(graph, settings)
    assert datetime.fromisoformat(response.json()["effective_at"]) == datetime(
        2026, 11, 1, tzinfo=UTC
    )
