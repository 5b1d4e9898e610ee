"""The lookup path made cheaper (issue 13) answers exactly as before.

- ``/v1/stakeholders/{id}``'s read sends its UTC times as microseconds since the epoch
  (``cypher/reads/stakeholder.cypher``, ``values.to_native_utc_micros``): every kind of
  temporal value a property can hold must come out as the driver's own decoding gave it;
- :class:`service.api.routing.OneHopRoute` runs a ``def`` route in the thread pool once
  and changes nothing else: its answer, its errors, its OpenAPI description.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

from service.api.routing import OneHopRoute
from service.graph import reads
from service.graph.cypher_files import cypher
from service.graph.driver import Graph
from service.graph.values import to_native
from tests.integration.graph_builders import GraphBuilder

# Every kind of value a time property may hold (kind: Cypher function, its text); the
# service itself writes only UTC.
TIMES = {
    "utc_nanoseconds": ("datetime", "2025-03-04T05:06:07.123456789Z"),
    "utc_whole_minute": ("datetime", "2025-03-04T05:06Z"),
    "offset": ("datetime", "2025-03-04T05:06:07.5+02:00"),
    "negative_offset": ("datetime", "2025-03-04T05:06:07-05:30"),
    "named_zone_at_utc": ("datetime", "2025-01-02T03:00[Europe/London]"),
    "named_zone": ("datetime", "2025-07-02T03:00[Europe/Berlin]"),
    "before_1970": ("datetime", "1969-12-31T23:59:59.5Z"),
    # Cypher's `epochSeconds` rounds toward zero here (0), `epochMillis` down (-1).
    "before_1970_under_a_millisecond": ("datetime", "1969-12-31T23:59:59.9995Z"),
    "date": ("date", "2025-03-04"),
    "local": ("localdatetime", "2025-03-04T05:06:07"),
}

_TIME = """CASE $function WHEN 'datetime' THEN datetime($text) WHEN 'date' THEN date($text)
     ELSE localdatetime($text) END"""
# s1's own times, its employment's, its tie's, and one report's line, all set to one value.
SET_TIMES = f"""
MATCH (s:Stakeholder {{id: 's1'}})-[w:WORKS_AT]->()
MATCH (:TeamMember)-[k:KNOWS]->(s)
MATCH (:Stakeholder {{id: $report}})-[r:REPORTS_TO]->(s)
WITH s, w, k, r, {_TIME} AS t
SET s.left_at = t, s.updated_at = t, w.since = t, w.until = t, k.since = t,
    k.last_contact = t, r.since = t
"""
THE_TIME = f"RETURN {_TIME} AS t"
# A time the service writes (UTC), to see the number the read sends.
SET_UTC = "MATCH (s:Stakeholder {id: 's1'}) SET s.updated_at = datetime('2025-03-04T05:06:07Z')"
# The scene as a consistent graph again (an active person has no `left_at`).
RESTORE = "MATCH (s:Stakeholder {id: 's1'})-[w:WORKS_AT]->() SET s.left_at = null, w.until = null"


def _driver_decoding(graph: Graph, read: str, **params: Any) -> dict[str, Any]:
    """The same read decoded by the driver alone: the query with every time sent as
    itself (each ``CASE … ELSE x END`` put back to ``x``) through ``to_native``."""
    plain = re.sub(
        r"CASE WHEN ([a-z]\.\w+) IS :: ZONED DATETIME NOT NULL.*?ELSE \1 END",
        r"\1",
        cypher(read),
        flags=re.DOTALL,
    )
    assert "ZONED" not in plain
    rows = graph.read(plain, **params)
    decoded: dict[str, Any] = to_native(rows[0])
    return decoded


def _text(value: Any) -> str:
    """JSON with every time as ISO text: two answers with equal text serialise alike
    (the offset and the microseconds are in it; ``==`` on datetimes ignores offsets)."""

    def iso(v: Any) -> str:
        assert isinstance(v, datetime | date), v
        return f"{type(v).__name__}:{v.isoformat()}"

    return json.dumps(value, default=iso, sort_keys=True)


def test_every_kind_of_time_reads_as_the_driver_decodes_it(graph: Graph) -> None:
    g = GraphBuilder(graph)
    g.account("a1")
    g.stakeholder("s1", "a1", name="Ann")
    g.team_member("t1")
    g.knows("t1", "s1", 0.5)
    for i, kind in enumerate(TIMES):
        g.stakeholder(f"p{i}", "a1", name=kind)
        g.reports_to(f"p{i}", "s1")
    try:
        for i, (kind, (function, text)) in enumerate(TIMES.items()):
            graph.write(SET_TIMES, report=f"p{i}", function=function, text=text)
            ours = reads.stakeholder(graph, "s1")
            assert ours is not None
            assert _text(ours) == _text(
                _driver_decoding(graph, "reads/stakeholder", stakeholder_id="s1", scoped=True)
            ), kind
            report = next(r for r in ours["direct_reports"] if r["id"] == f"p{i}")
            expected = to_native(graph.read(THE_TIME, function=function, text=text)[0]["t"])
            assert _text(report["since"]) == _text(expected), kind
        # A UTC time does take the short way: one integer, not the driver's DateTime.
        graph.write(SET_UTC)
        params = {"stakeholder_id": "s1", "scoped": True}
        row = graph.read_tx(
            lambda tx: [dict(r) for r in tx.run(cypher("reads/stakeholder"), params)]
        )[0]
        assert row["person"]["updated_at"] == 1741064767_000000  # 2025-03-04T05:06:07Z
    finally:
        graph.write(RESTORE)


def test_an_accounts_time_reads_as_the_driver_decodes_it(graph: Graph) -> None:
    GraphBuilder(graph).account("a1")
    for kind, (function, text) in TIMES.items():
        graph.write(
            f"MATCH (a:Account {{id: 'a1'}}) SET a.updated_at = {_TIME}",
            function=function,
            text=text,
        )
        ours = reads.account(graph, "a1")
        assert ours is not None
        assert _text(ours) == _text(_driver_decoding(graph, "reads/account", account_id="a1")), kind
        expected = to_native(graph.read(THE_TIME, function=function, text=text)[0]["t"])
        assert _text(ours["updated_at"]) == _text(expected), kind
    # A UTC time takes the short way: one integer, not the driver's DateTime.
    graph.write("MATCH (a:Account {id: 'a1'}) SET a.updated_at = datetime('2025-03-04T05:06:07Z')")
    row = graph.read(cypher("reads/account"), account_id="a1")[0]
    assert row["updated_at"] == 1741064767_000000  # 2025-03-04T05:06:07Z


class Answer(BaseModel):
    value: int
    thread: str


def _caller() -> str:
    return "caller"


def _app(route_class: type[APIRoute]) -> FastAPI:
    router = APIRouter(prefix="/v1", route_class=route_class)

    @router.get("/things/{thing_id}", summary="One thing")
    def get_thing(thing_id: int, caller: Annotated[str, Depends(_caller)]) -> Answer:
        """Its value, and where it was computed."""
        if thing_id < 0:
            raise HTTPException(404, "no such thing")
        return Answer(value=thing_id * 2, thread=threading.current_thread().name)

    app = FastAPI()
    app.include_router(router)
    return app


def test_a_one_hop_route_answers_and_describes_itself_as_the_plain_one() -> None:
    plain, one_hop = _app(APIRoute), _app(OneHopRoute)
    with TestClient(plain) as a, TestClient(one_hop) as b:
        assert b.get("/v1/things/21").json()["value"] == 42
        # Still off the event loop: the blocking work runs in a worker thread.
        loop_thread = b.portal.call(lambda: threading.current_thread().name)
        assert b.get("/v1/things/21").json()["thread"] != loop_thread
        assert b.get("/v1/things/-1").json() == a.get("/v1/things/-1").json()
        assert b.get("/v1/things/-1").status_code == 404
        assert b.get("/v1/things/x").json() == a.get("/v1/things/x").json()
        assert b.get("/openapi.json").json() == a.get("/openapi.json").json()


def test_an_unscoped_read_leaves_out_only_the_other_peoples_accounts(graph: Graph) -> None:
    g = GraphBuilder(graph)
    g.account("a1")
    g.account("a2")
    g.stakeholder("s1", "a1", name="Ann")
    g.stakeholder("s2", "a2", name="Bo")
    g.reports_to("s2", "s1")
    g.influences("s2", "s1", 0.5)
    scoped = reads.stakeholder(graph, "s1", scoped=True)
    unscoped = reads.stakeholder(graph, "s1", scoped=False)
    assert scoped is not None and unscoped is not None
    assert [r["account_id"] for r in scoped["direct_reports"]] == ["a2"]
    assert [r["account_id"] for r in scoped["influenced_by"]] == ["a2"]
    for key in ("direct_reports", "influenced_by"):
        assert [r["account_id"] for r in unscoped[key]] == [None]
        assert [{**r, "account_id": None} for r in scoped[key]] == unscoped[key]
    others = {"direct_reports", "influenced_by"}
    assert {k: v for k, v in scoped.items() if k not in others} == {
        k: v for k, v in unscoped.items() if k not in others
    }
