"""Open export: one account's graph as node-link JSON, Cytoscape.js JSON, GraphML or GEXF.

The route checks the caller may see the account (embed tokens: their own only), asks
:mod:`service.domain.export.account_graph` for the graph and has the format's writer
(:mod:`service.domain.export.formats`) write it; docs/export.md describes the formats.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from service.api.deps import AsOfParam, ReadPrincipal, StateDep
from service.api.schemas.common import problem_responses
from service.domain.analytics.subgraphs import today
from service.domain.export import formats
from service.domain.export.account_graph import account_graph
from service.domain.export.formats import FORMATS, ExportFormat
from service.domain.values import Id

router = APIRouter(prefix="/v1", tags=["export"])

_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "node-link JSON (format=json) or Cytoscape.js JSON (format=cytoscape); "
    "docs/export.md",
}
_XML_SCHEMA: dict[str, Any] = {"type": "string"}


@router.get(
    "/accounts/{account_id}/graph",
    summary="The account's graph as of a date (people, relationships, per-person analytics) "
    "as node-link JSON, Cytoscape.js JSON, GraphML or GEXF",
    description="docs/export.md describes every node and edge kind and property.",
    responses={
        200: {
            "description": "The graph in the format asked for",
            "content": {
                "application/json": {"schema": _JSON_SCHEMA},
                "application/graphml+xml": {"schema": _XML_SCHEMA},
                "application/gexf+xml": {"schema": _XML_SCHEMA},
            },
        },
        **problem_responses(401, 403, 404, 422, 503),
    },
    response_class=Response,
)
def get_account_graph(
    account_id: Id,
    state: StateDep,
    principal: ReadPrincipal,
    format: Annotated[  # noqa: A002 (the query parameter's name)
        ExportFormat,
        Query(description="json (node-link, default), cytoscape, graphml or gexf."),
    ] = "json",
    as_of: AsOfParam = None,
) -> Response:
    when = as_of or today()
    graph = account_graph(
        state.account_cache, state.settings, account_id, as_of=when, principal=principal
    )
    info = FORMATS[format]
    headers = {}
    if info.attachment:
        filename = f"{account_id}-{when.isoformat()}.{info.extension}"
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(
        content=formats.document(format, graph).encode("utf-8"),
        media_type=info.media_type,
        headers=headers,
    )
