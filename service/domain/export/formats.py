"""The export formats: writers that stream account graphs into one document.

Every writer takes :class:`AccountGraphExport` s one account at a time (``add``) and
writes one document to a text stream: the account route writes one account, ``powermap
export`` a whole portfolio without holding it in memory. All formats need every node
before the edges (GEXF and node-link JSON have one node list and one edge list; for
GraphML and Cytoscape it is what readers handle best), so nodes go to the output as
they come and edges to a spooled temporary file (memory up to
:data:`SPOOL_MEMORY_BYTES`, then disk) copied after the nodes. Team members are the one
kind met in several accounts: they are kept (a few hundred small records) and written
once, after the other nodes, with ``accounts`` / ``covered_accounts`` merged; their
``betweenness`` is a per-account number, so a team member found in more than one
account of the document has none (``None``).

What each format does with the shape is in docs/export.md.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from collections.abc import Mapping
from typing import IO, Final, Literal

from service.domain.export.account_graph import (
    AccountGraphExport,
    GraphEdge,
    GraphNode,
    Value,
)

__all__ = [
    "FORMATS",
    "SPOOL_MEMORY_BYTES",
    "ExportFormat",
    "FormatInfo",
    "GraphWriter",
    "document",
    "edge_id",
    "writer_for",
]

ExportFormat = Literal["json", "cytoscape"]

#: Edges held in memory before the spool moves to a temporary file.
SPOOL_MEMORY_BYTES: Final = 4 * 1024 * 1024


class FormatInfo:
    """A format's media type and file extension."""

    def __init__(self, media_type: str, extension: str, attachment: bool) -> None:
        self.media_type = media_type
        self.extension = extension
        self.attachment = attachment


FORMATS: Final[Mapping[ExportFormat, FormatInfo]] = {
    "json": FormatInfo("application/json", "json", attachment=False),
    "cytoscape": FormatInfo("application/json", "cyjs", attachment=False),
}


def edge_id(edge: GraphEdge) -> str:
    """A document-wide unique edge id: ``source|key|target`` (``|`` is never in an id)."""
    return f"{edge.source}|{edge.key}|{edge.target}"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


class GraphWriter:
    """Streams account graphs into one document on ``out``; :meth:`close` finishes it.

    Subclasses write the pieces: :meth:`_begin`, :meth:`_node`, :meth:`_edge`,
    :meth:`_between` (after the last node) and :meth:`_end`.
    """

    def __init__(self, out: IO[str], graph: Mapping[str, Value]) -> None:
        self._out = out
        self._edges: IO[str] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed in close)
            max_size=SPOOL_MEMORY_BYTES, mode="w+", encoding="utf-8"
        )
        self._team: dict[str, dict[str, Value]] = {}
        self._nodes_written = 0
        self._edges_written = 0
        self._closed = False
        self._begin(graph)

    @property
    def counts(self) -> tuple[int, int]:
        """(nodes, edges) written so far (team members count when written, at close)."""
        return self._nodes_written, self._edges_written

    def add(self, account: AccountGraphExport) -> None:
        """Write one account's nodes (team members: at close) and spool its edges."""
        for node in account.nodes:
            if node.kind == "team_member":
                self._keep_team_member(node)
            else:
                self._node(self._out, node.id, node.props, self._nodes_written == 0)
                self._nodes_written += 1
        for edge in account.edges:
            self._edge(self._edges, edge, self._edges_written == 0)
            self._edges_written += 1

    def _keep_team_member(self, node: GraphNode) -> None:
        held = self._team.get(node.id)
        if held is None:
            self._team[node.id] = dict(node.props)
            return
        for name in ("accounts", "covered_accounts"):
            have = held[name]
            more = node.props[name]
            assert isinstance(have, list) and isinstance(more, list)
            held[name] = have + [a for a in more if a not in have]
        held["betweenness"] = None  # a per-account number, and they are in several

    def close(self) -> None:
        """Write the team members, the spooled edges and the document's end."""
        if self._closed:
            return
        self._closed = True
        for team_member_id, props in self._team.items():
            self._node(self._out, team_member_id, props, self._nodes_written == 0)
            self._nodes_written += 1
        self._team.clear()
        self._between(self._out)
        self._edges.seek(0)
        shutil.copyfileobj(self._edges, self._out)
        self._edges.close()
        self._end(self._out)

    # -- what each format writes --------------------------------------------------------

    def _begin(self, graph: Mapping[str, Value]) -> None:
        raise NotImplementedError

    def _node(self, out: IO[str], node_id: str, props: Mapping[str, Value], first: bool) -> None:
        raise NotImplementedError

    def _edge(self, out: IO[str], edge: GraphEdge, first: bool) -> None:
        raise NotImplementedError

    def _between(self, out: IO[str]) -> None:
        raise NotImplementedError

    def _end(self, out: IO[str]) -> None:
        raise NotImplementedError


class NodeLinkWriter(GraphWriter):
    """networkx's node-link JSON (``nx.node_link_graph(doc, edges="edges")``)."""

    def _begin(self, graph: Mapping[str, Value]) -> None:
        self._out.write(
            f'{{"directed":true,"multigraph":true,"graph":{_dumps(dict(graph))},"nodes":[\n'
        )

    def _node(self, out: IO[str], node_id: str, props: Mapping[str, Value], first: bool) -> None:
        out.write(("" if first else ",\n") + _dumps({"id": node_id, **props}))

    def _edge(self, out: IO[str], edge: GraphEdge, first: bool) -> None:
        body = {"source": edge.source, "target": edge.target, "key": edge.key, **edge.props}
        out.write(("" if first else ",\n") + _dumps(body))

    def _between(self, out: IO[str]) -> None:
        out.write('\n],"edges":[\n')

    def _end(self, out: IO[str]) -> None:
        out.write("\n]}\n")


class CytoscapeWriter(GraphWriter):
    """Cytoscape.js JSON: ``{"elements": {"nodes": [{"data"}], "edges": [{"data"}]}}``."""

    def _begin(self, graph: Mapping[str, Value]) -> None:
        self._out.write(
            f'{{"data":{_dumps(dict(graph))},"directed":true,"multigraph":true,'
            '"elements":{"nodes":[\n'
        )

    def _node(self, out: IO[str], node_id: str, props: Mapping[str, Value], first: bool) -> None:
        out.write(("" if first else ",\n") + _dumps({"data": {"id": node_id, **props}}))

    def _edge(self, out: IO[str], edge: GraphEdge, first: bool) -> None:
        data = {
            "id": edge_id(edge),
            "source": edge.source,
            "target": edge.target,
            "key": edge.key,
            **edge.props,
        }
        out.write(("" if first else ",\n") + _dumps({"data": data}))

    def _between(self, out: IO[str]) -> None:
        out.write('\n],"edges":[\n')

    def _end(self, out: IO[str]) -> None:
        out.write("\n]}}\n")


_WRITERS: Final[Mapping[ExportFormat, type[GraphWriter]]] = {
    "json": NodeLinkWriter,
    "cytoscape": CytoscapeWriter,
}


def writer_for(fmt: ExportFormat, out: IO[str], graph: Mapping[str, Value]) -> GraphWriter:
    """A writer of ``fmt`` streaming to ``out``, the document's graph properties ``graph``."""
    return _WRITERS[fmt](out, graph)


def document(fmt: ExportFormat, account: AccountGraphExport) -> str:
    """One account's graph as a whole document of ``fmt``."""
    out = io.StringIO()
    writer = writer_for(fmt, out, account.graph)
    writer.add(account)
    writer.close()
    return out.getvalue()
