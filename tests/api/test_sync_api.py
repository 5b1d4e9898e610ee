"""`POST /v1/sync/salesforce` and `POST /v1/sync/hubspot` through the real app and a real
Neo4j: auth, media type, form fields, problem+json naming part, line and column, the
body cap, and the truncated-export guard refusing a snapshot without writing anything.
(The writes themselves: tests/integration/test_sync_salesforce.py, test_sync_hubspot.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from service.api.app import create_app
from service.domain.changes import recorded_change_sets
from service.domain.ingest import ingest_batch
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory
from tests.integration.test_ingest_support import dump, node

PROBLEM = "application/problem+json"
FIXTURES = Path(__file__).parent.parent / "fixtures"
MONTH1 = FIXTURES / "salesforce" / "month1_snapshot"
INITECH = "0015g00000InTcHAAV"
BILL, PETER, MILTON = "0035g00000BlLmBAAV", "0035g00000PtRgBAAV", "0035g00000MlTwDAAV"


def csv_files(*names: str, directory: Path = MONTH1) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [(n, (f"{n}.csv", (directory / f"{n}.csv").read_bytes(), "text/csv")) for n in names]


def by_location(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["location"]: e for e in body["errors"]}


def test_sync_needs_the_write_scope(client: TestClient, auth_headers: KeyFactory) -> None:
    files = csv_files("Account")
    missing = client.post("/v1/sync/salesforce", data={"mode": "delta"}, files=files)
    assert missing.status_code == 401
    assert missing.headers["content-type"].startswith(PROBLEM)
    read_only = client.post(
        "/v1/sync/salesforce", data={"mode": "delta"}, files=files, headers=auth_headers("read")
    )
    assert read_only.status_code == 403
    hubspot = client.post("/v1/sync/hubspot", json={"mode": "delta"}, headers=auth_headers("read"))
    assert hubspot.status_code == 403


def test_salesforce_wants_multipart(client: TestClient, auth_headers: KeyFactory) -> None:
    response = client.post(
        "/v1/sync/salesforce", json={"mode": "delta"}, headers=auth_headers("write")
    )
    assert response.status_code == 415
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "multipart/form-data" in response.json()["detail"]


def test_form_fields_are_checked_together(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    before = dump(graph, settings)
    response = client.post(
        "/v1/sync/salesforce",
        data={"effective_at": "next tuesday", "confirm_mass_change": "maybe"},
        files=csv_files("Account"),
        headers=auth_headers("write"),
    )
    assert response.status_code == 422, response.text
    errors = by_location(response.json())
    assert errors["mode"]["reason"] == "is required"
    assert "effective_at" in errors and "confirm_mass_change" in errors
    assert dump(graph, settings) == before

    bad_mode = client.post(
        "/v1/sync/salesforce",
        data={"mode": "full"},
        files=csv_files("Account"),
        headers=auth_headers("write"),
    )
    assert by_location(bad_mode.json())["mode"]["reason"] == "'full' is not snapshot or delta"


def test_a_part_given_twice_is_422(client: TestClient, auth_headers: KeyFactory) -> None:
    response = client.post(
        "/v1/sync/salesforce",
        data={"mode": "delta"},
        files=csv_files("Account") + csv_files("Account"),
        headers=auth_headers("write"),
    )
    assert response.status_code == 422
    assert by_location(response.json())["Account"]["reason"] == "is given twice"


def test_bad_csv_is_422_naming_part_line_and_column(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    contact = (
        "Id,AccountId,LastName,ReportsToId\n"
        f"{BILL},{INITECH},Lumbergh,\n"
        f"{PETER},{INITECH},Gibbons,not-an-id\n"
        f'{MILTON},{INITECH},"Waddams\nthe second",\n'
        f"{MILTON},{INITECH},Again,\n"
    )
    before = dump(graph, settings)
    response = client.post(
        "/v1/sync/salesforce",
        data={"mode": "snapshot", "effective_at": "2026-10-01T00:00:00Z"},
        files=[
            ("Contact", ("Contact.csv", contact.encode(), "text/csv")),
            ("Account", ("Account.csv", b"Id,Industry\n", "text/csv")),
            ("Contacts", ("Contacts.csv", b"Id\n", "text/csv")),
        ],
        headers=auth_headers("write"),
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    errors = by_location(body)
    assert errors["Account.Name"] == {
        "location": "Account.Name",
        "reason": "the column is missing from the header",
        "section": "Account",
        "field": "Name",
    }
    bad_id = errors["Contact[line 3].ReportsToId"]
    assert bad_id["section"] == "Contact" and bad_id["index"] == 3
    assert bad_id["field"] == "ReportsToId"
    # The quoted line break makes Milton's first record two lines: the repeat is on 6.
    assert "appears twice in Contact (first on line 4)" in errors["Contact[line 6].Id"]["reason"]
    assert "Contacts" in errors
    assert body["error_count"] == 4
    assert dump(graph, settings) == before


def test_the_hubspot_body_is_checked_with_list_item_and_field(
    client: TestClient, auth_headers: KeyFactory
) -> None:
    response = client.post(
        "/v1/sync/hubspot",
        json={
            "mode": "delta",
            "meetings": [
                {"id": "5001", "properties": {"hs_timestamp": "yesterday"}},
            ],
            "contacts": {"results": "none"},
            "tickets": [],
        },
        headers=auth_headers("write"),
    )
    assert response.status_code == 422, response.text
    errors = by_location(response.json())
    stamp = errors["meetings[line 1].properties.hs_timestamp"]
    assert stamp["section"] == "meetings" and stamp["index"] == 1
    assert "tickets" in errors and "contacts" in errors

    no_mode = client.post("/v1/sync/hubspot", json={}, headers=auth_headers("write"))
    assert by_location(no_mode.json())["mode"]["reason"] == "is required"
    not_an_object = client.post("/v1/sync/hubspot", json=[1], headers=auth_headers("write"))
    assert not_an_object.status_code == 422


def test_the_body_cap_is_the_ingest_cap(
    graph: Graph, settings: Settings, auth_headers: KeyFactory
) -> None:
    small = settings.model_copy(update={"ingest_max_body_bytes": 2048})
    with TestClient(create_app(small)) as client:
        response = client.post(
            "/v1/sync/salesforce",
            data={"mode": "delta"},
            files=[("Task", ("Task.csv", b"Id,WhoId\n" + b"x" * 4096, "text/csv"))],
            headers=auth_headers("write"),
        )
        assert response.status_code == 413
        assert response.headers["content-type"].startswith(PROBLEM)
        big = client.post(
            "/v1/sync/hubspot",
            json={"mode": "delta", "contacts": [{"id": "1"}] * 400},
            headers=auth_headers("write"),
        )
        assert big.status_code == 413


def seed_initech(graph: Graph, settings: Settings, source: str = "salesforce") -> None:
    """Initech and three people, their employment marked as written by ``source``."""
    ingest_batch(
        graph,
        settings,
        {
            "effective_at": "2026-09-01T00:00:00Z",
            "accounts": [{"id": INITECH, "name": "Initech"}],
            "stakeholders": [
                {"id": p, "account_id": INITECH, "name": n}
                for p, n in ((BILL, "Bill"), (PETER, "Peter"), (MILTON, "Milton"))
            ],
        },
    )
    graph.write_tx(
        lambda tx: tx.run(
            "MATCH ()-[w:WORKS_AT]->() SET w.source = $source", source=source
        ).consume()
    )


def test_the_guard_refuses_a_truncated_snapshot_and_writes_nothing(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    seed_initech(graph, settings)
    before, change_sets = dump(graph, settings), len(recorded_change_sets(graph))
    truncated = f"Id,AccountId,FirstName,LastName\n{BILL},{INITECH},Bill,Lumbergh\n"
    response = client.post(
        "/v1/sync/salesforce",
        data={"mode": "snapshot", "effective_at": "2026-11-01T00:00:00Z"},
        files=[
            ("Account", ("Account.csv", f"Id,Name\n{INITECH},Initech\n".encode(), "text/csv")),
            ("Contact", ("Contact.csv", truncated.encode(), "text/csv")),
        ],
        headers=auth_headers("write"),
    )
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"] == "/problems/mass-change"
    assert body["accounts"] == [{"account_id": INITECH, "gone": 2, "current": 3}]
    assert INITECH in body["detail"] and "2 of its 3" in body["detail"]
    assert dump(graph, settings) == before
    assert len(recorded_change_sets(graph)) == change_sets


def test_the_guard_ignores_people_of_another_source(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    """The same truncated export ends nothing the API wrote: no guard, nobody leaves.
    The guard counts only people whose employment the same CRM wrote (provenance)."""
    seed_initech(graph, settings, source="api")
    truncated = f"Id,AccountId,FirstName,LastName\n{BILL},{INITECH},Bill,Lumbergh\n"
    response = client.post(
        "/v1/sync/salesforce",
        data={"mode": "snapshot", "effective_at": "2026-11-01T00:00:00Z"},
        files=[("Contact", ("Contact.csv", truncated.encode(), "text/csv"))],
        headers=auth_headers("write"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["kinds"]["people"]["ended"] == 0
    for person in (BILL, PETER, MILTON):
        assert node(graph, settings, person)["status"] == "active"


def test_a_reference_the_graph_cannot_resolve_is_named_in_the_uploads_terms(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    nobody = "0035g00000NoBoDAAV"
    contact = f"Id,AccountId,LastName,ReportsToId\n{BILL},{INITECH},Lumbergh,{nobody}\n"
    before = dump(graph, settings)
    response = client.post(
        "/v1/sync/salesforce",
        data={"mode": "delta"},
        files=[
            ("Account", ("Account.csv", f"Id,Name\n{INITECH},Initech\n".encode(), "text/csv")),
            ("Contact", ("Contact.csv", contact.encode(), "text/csv")),
        ],
        headers=auth_headers("write"),
    )
    assert response.status_code == 422, response.text
    error = by_location(response.json())[f"Contact[Id {BILL}].ReportsToId"]
    assert error["section"] == "Contact" and error["field"] == "ReportsToId"
    assert f"unknown stakeholder '{nobody}'" in error["reason"]
    assert "stakeholders[0].reports_to" in error["reason"]
    assert dump(graph, settings) == before
