"""Round trips to Neo4j per statement (service/graph/driver.py), counted on the wire.

A one-statement read or write goes through the driver's ``execute_query``, which sends
BEGIN together with the statement: two round trips (BEGIN + RUN + PULL, then COMMIT),
where a transaction function needs three (its BEGIN waits for its answer first). The
count is taken by a TCP relay on loopback between the driver and the real server: a
round trip is the client speaking again after the server answered.
"""

from __future__ import annotations

import asyncio
import selectors
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from service.graph import reads
from service.graph.driver import AsyncGraph, Graph
from service.graph.graph_version import current_graph_version, current_graph_version_async
from service.settings import Settings


class BoltRelay:
    """Relays one loopback port to the server's Bolt port, counting round trips."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.round_trips = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.listener, selectors.EVENT_READ, None)
        peers: dict[socket.socket, tuple[socket.socket, bool]] = {}
        last_from_client: dict[socket.socket, bool] = {}
        while not self._stop.is_set():
            for key, _ in selector.select(timeout=0.05):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if sock is self.listener:
                    client, _ = self.listener.accept()
                    server = socket.create_connection(self.target)
                    peers[client] = (server, True)
                    peers[server] = (client, False)
                    last_from_client[client] = False
                    selector.register(client, selectors.EVENT_READ, None)
                    selector.register(server, selectors.EVENT_READ, None)
                    continue
                if sock not in peers:
                    continue  # closed with its pair earlier in this batch
                other, from_client = peers[sock]
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    for s in (sock, other):
                        selector.unregister(s)
                        s.close()
                        peers.pop(s, None)
                    continue
                client = sock if from_client else other
                if from_client and not last_from_client[client]:
                    with self._lock:
                        self.round_trips += 1
                last_from_client[client] = from_client
                try:
                    other.sendall(data)
                except OSError:
                    continue  # the other side went away; its close is seen next
        for s in list(peers):
            s.close()
        self.listener.close()

    def count(self) -> int:
        with self._lock:
            return self.round_trips

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.fixture
def relay(settings: Settings) -> Iterator[tuple[BoltRelay, Settings]]:
    uri = urlparse(settings.neo4j_uri)
    assert uri.hostname is not None and uri.port is not None
    relay = BoltRelay((uri.hostname, uri.port))
    try:
        yield relay, settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{relay.port}"})
    finally:
        relay.close()


def test_a_read_and_a_write_take_two_round_trips_each(
    relay: tuple[BoltRelay, Settings], graph: Graph
) -> None:
    bolt, settings = relay
    with Graph.connect(settings) as through_relay:
        assert through_relay.read("RETURN 1 AS ok") == [{"ok": 1}]  # connects, logs on
        before = bolt.count()
        assert through_relay.read("RETURN $x AS x", x=2) == [{"x": 2}]
        assert bolt.count() - before == 2
        before = bolt.count()
        through_relay.write("CREATE (:RoundTripProbe {id: 'p'})")
        assert bolt.count() - before == 2
        before = bolt.count()
        assert current_graph_version(through_relay)
        assert bolt.count() - before == 2
        before = bolt.count()
        assert reads.stakeholder(through_relay, "nobody") is None
        assert bolt.count() - before == 2
        before = bolt.count()
        assert reads.account(through_relay, "nothing") is None
        assert bolt.count() - before == 2
        # A transaction function (several statements) still takes three or more.
        before = bolt.count()
        through_relay.read_tx(lambda tx: tx.run("RETURN 1").consume())
        assert bolt.count() - before == 3
    assert graph.read("MATCH (p:RoundTripProbe) RETURN p.id AS id") == [{"id": "p"}]
    graph.write("MATCH (p:RoundTripProbe) DELETE p")


def test_the_async_reads_take_two_round_trips_each(
    relay: tuple[BoltRelay, Settings], graph: Graph
) -> None:
    bolt, settings = relay

    async def scenario() -> list[int]:
        async_graph = AsyncGraph.connect(settings, graph)
        try:
            assert await current_graph_version_async(async_graph)  # connects, logs on
            counts = []
            before = bolt.count()
            version = await current_graph_version_async(async_graph)
            counts.append(bolt.count() - before)
            assert version
            before = bolt.count()
            assert await reads.stakeholder_async(async_graph, "nobody") is None
            counts.append(bolt.count() - before)
            before = bolt.count()
            assert await reads.account_async(async_graph, "nothing") is None
            counts.append(bolt.count() - before)
            return counts
        finally:
            await async_graph.close()

    assert asyncio.run(scenario()) == [2, 2, 2]
