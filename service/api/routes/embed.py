"""Embedding the org chart: minting embed tokens, the iframe page and the widget script.

``POST /v1/embed-tokens`` is the API; the page and the script are static delivery for
browsers and stay out of the OpenAPI document.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, Field

from service import widget
from service.api.deps import ReadPrincipal, StateDep
from service.api.schemas.common import problem_responses
from service.domain import embed_tokens
from service.domain.errors import PowermapError
from service.domain.values import Id

router = APIRouter(tags=["embedding"])


class EmbedTokenRequest(BaseModel):
    account_id: Id = Field(description="The account to embed.")
    expires_in_minutes: int | None = Field(
        default=None,
        ge=1,
        description="Lifetime in minutes; default from settings (15), at most 24 h.",
    )


class EmbedToken(BaseModel):
    token: str = Field(description="Put into the widget's `token` attribute or the iframe URL.")
    token_type: str = "Bearer"
    account_id: str
    expires_at: datetime
    token_id: str = Field(description="The token's id (`jti`), as the request log shows it.")


class WidgetNotBuilt(PowermapError):
    status, slug, title = 503, "widget-not-built", "The widget has not been built"


@router.post(
    "/v1/embed-tokens",
    status_code=201,
    summary="Mint a short-lived, read-only token for embedding one account's org chart",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def create_embed_token(
    body: EmbedTokenRequest, state: StateDep, principal: ReadPrincipal
) -> EmbedToken:
    minted = embed_tokens.mint_for_account(
        state.graph,
        state.settings,
        principal,
        body.account_id,
        minutes=body.expires_in_minutes,
    )
    return EmbedToken(
        token=minted.token,
        account_id=minted.account_id,
        expires_at=minted.expires_at,
        token_id=minted.token_id,
    )


@router.get("/embed/accounts/{account_id}/org-chart", include_in_schema=False)
def embed_org_chart_page(
    account_id: Id,
    state: StateDep,
    token: Annotated[str, Query(min_length=1, max_length=4096)],
    as_of: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    collapse_depth: Annotated[int | None, Query(ge=1, le=50)] = None,
    overlays: Annotated[str | None, Query(pattern=widget.OVERLAYS_PATTERN)] = None,
    view: Annotated[Literal["chart", "network"] | None, Query()] = None,
) -> HTMLResponse:
    # The token is checked by the API calls the widget makes, so an expired or foreign
    # token shows the widget's error state inside the frame rather than a bare error.
    html = widget.embed_page(
        account_id,
        token,
        as_of=as_of,
        collapse_depth=collapse_depth,
        overlays=overlays,
        view=view,
    )
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": widget.embed_page_csp(state.settings.embed_allowed_origins),
            "Referrer-Policy": "no-referrer",  # the URL carries the token
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _static(name: str, media_type: str, *, built: bool) -> FileResponse:
    path = (widget.STATIC_DIR if built else widget.PAGE_DIR) / name
    if not path.is_file():
        raise WidgetNotBuilt("the widget bundle is missing; run `make widget`")
    return FileResponse(
        path,
        media_type=media_type,
        headers={
            "Cache-Control": "public, max-age=300",
            # Host pages on other origins load the script with a plain <script src>.
            "Cross-Origin-Resource-Policy": "cross-origin",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(f"/widget/{widget.ASSET_NAME}", include_in_schema=False)
def widget_script() -> FileResponse:
    return _static(widget.ASSET_NAME, "text/javascript; charset=utf-8", built=True)


@router.get(f"/widget/{widget.ASSET_NAME}.map", include_in_schema=False)
def widget_source_map() -> FileResponse:
    return _static(f"{widget.ASSET_NAME}.map", "application/json", built=True)


@router.get("/widget/embed.css", include_in_schema=False)
def embed_stylesheet() -> FileResponse:
    return _static("embed.css", "text/css; charset=utf-8", built=False)
