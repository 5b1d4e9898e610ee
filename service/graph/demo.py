"""The demo portfolio's own statements (``powermap seed-demo``): presence and removal.

The demo is written through the ordinary ingest path; only finding out how much of it
is stored, removing it by its ids (``--reset``) and handling its API keys need Cypher
of their own (``cypher/demo/*.cypher``), run here in managed transactions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from neo4j import ManagedTransaction

from service.graph.cypher_files import cypher
from service.graph.driver import Graph, Record, run_rows

__all__ = ["demo_presence", "remove_demo_nodes", "revoke_api_keys_named"]


def demo_presence(graph: Graph, ids: Mapping[str, Sequence[str]], marker: str) -> Record:
    """Stored counts per label (``accounts``, ``stakeholders``, …) and ``marker`` (0 or 1).

    ``ids`` maps each label to the demo's ids of that label; ``marker`` is the
    interaction id only the demo's last batch stores.
    """
    return graph.read(cypher("demo/presence"), ids=ids, marker=marker)[0]


def remove_demo_nodes(graph: Graph, ids: Mapping[str, Sequence[str]], key_name: str) -> int:
    """Delete the nodes with these ids (by label) and the API keys called ``key_name``.

    One write transaction; returns how many nodes went (keys included).
    """

    def work(tx: ManagedTransaction) -> int:
        nodes = run_rows(tx, cypher("demo/remove_nodes"), {"ids": ids})[0]["removed"]
        keys = run_rows(tx, cypher("demo/remove_api_keys"), {"name": key_name})[0]["removed"]
        return int(nodes) + int(keys)

    return graph.write_tx(work)


def revoke_api_keys_named(graph: Graph, name: str) -> int:
    """Revoke every API key called ``name`` not revoked yet; return how many were."""
    return int(graph.write(cypher("demo/revoke_api_keys"), name=name)[0]["revoked"])
