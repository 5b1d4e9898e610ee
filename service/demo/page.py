"""A stand-in for a third-party page that embeds the org chart: ``powermap demo-page``.

It plays a CRM's own web app, served from *another origin* than the API: its backend
holds an API key (``POWERMAP_DEMO_API_KEY``, which ``powermap seed-demo`` writes to the
env file), mints a short-lived embed token per account on every page view, and renders
each demo account twice — with the ``<powermap-org-chart>`` custom element and with the
iframe page. The browser never sees the API key. The page has its own strict CSP (no
inline script or style; scripts, frames and API calls only from the API's origin), so
it also shows that the widget needs nothing looser from its host.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html import escape
from typing import Annotated, Any

from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.demo.alert_inbox import add_alert_inbox
from service.settings import env_file_path

__all__ = ["DemoPageSettings", "create_demo_app"]

STYLESHEET = """
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: #0f172a; background: #eef2f7; }
header { background: #0f172a; color: #fff; padding: 14px 24px; }
header h1 { margin: 0; font-size: 18px; }
header p { margin: 4px 0 0; color: #cbd5e1; font-size: 13px; }
main { padding: 16px 24px 40px; display: grid; gap: 28px; }
nav a { margin-right: 14px; }
section.account h2 { margin: 0 0 4px; font-size: 17px; }
section.account p.meta { margin: 0 0 10px; color: #475569; font-size: 13px; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 16px; }
.pair h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #64748b;
  margin: 0 0 6px; }
powermap-org-chart { height: 620px; background: #fff; }
.embed.network powermap-org-chart { height: 680px; }
p.try { margin: 0 0 10px; font-size: 13px; color: #334155; max-width: 980px; }
iframe { width: 100%; height: 620px; border: 1px solid #cbd5e1; border-radius: 8px;
  background: #fff; }
.error { background: #fee2e2; border: 1px solid #fecaca; padding: 12px 16px; border-radius: 8px; }
"""


class DemoPageSettings(BaseSettings):
    """What the demo page's backend knows: the API key (from the env file) and where
    the API is."""

    model_config = SettingsConfigDict(env_prefix="POWERMAP_", extra="ignore")

    demo_api_key: SecretStr = SecretStr("")
    # The demo watch's webhook secret (``powermap seed-demo``): the alert inbox verifies
    # Powermap's deliveries with it (service/demo/alert_inbox.py).
    demo_webhook_secret: SecretStr = SecretStr("")


def load_demo_settings() -> DemoPageSettings:
    path = env_file_path()
    return DemoPageSettings(_env_file=path if path.is_file() else None)


class ApiCallFailed(Exception):
    pass


@dataclass(frozen=True)
class Embed:
    account_id: str
    account_name: str
    token: str
    expires_at: str


class PowermapClient:
    """The CRM backend's server-side client of the Powermap API (stdlib only)."""

    def __init__(self, base: str, api_key: str, timeout: float = 10.0) -> None:
        self.base = base.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.base}{path}",
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            raise ApiCallFailed(f"{method} {path} → {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError) as exc:
            raise ApiCallFailed(f"{method} {path}: {exc}") from exc

    def accounts(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self._call("GET", "/v1/accounts?limit=100")["items"]
        return items

    def embed_token(self, account_id: str) -> dict[str, Any]:
        token: dict[str, Any] = self._call("POST", "/v1/embed-tokens", {"account_id": account_id})
        return token


def _page_csp(api_origin: str) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {api_origin}",
            "style-src 'self'",
            f"connect-src {api_origin}",
            f"frame-src {api_origin}",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _render(api_base: str, embeds: list[Embed], nav: list[tuple[str, str]]) -> str:
    a = escape(api_base, quote=True)
    sections = []
    for e in embeds:
        acc = escape(e.account_id, quote=True)
        tok = escape(e.token, quote=True)
        iframe_src = escape(
            f"{api_base}/embed/accounts/{urllib.parse.quote(e.account_id, safe='')}/org-chart?"
            + urllib.parse.urlencode({"token": e.token, "overlays": "influence,ties,coverage"}),
            quote=True,
        )
        sections.append(
            f"""
<section class="account" id="account-{acc}" data-account="{acc}">
  <h2>{escape(e.account_name)}</h2>
  <p class="meta">Account <code>{escape(e.account_id)}</code> · embed token minted by this
  page's backend, valid until {escape(e.expires_at)}</p>
  <div class="pair">
    <div class="embed element">
      <h3>Custom element</h3>
      <powermap-org-chart account="{acc}" api-base="{a}" token="{tok}"></powermap-org-chart>
    </div>
    <div class="embed iframe">
      <h3>iframe, overlays on (<code>overlays=influence,ties,coverage</code>)</h3>
      <iframe title="Org chart of {escape(e.account_name, quote=True)}" src="{iframe_src}"
        loading="lazy" referrerpolicy="no-referrer"></iframe>
    </div>
  </div>
  <div class="embed network">
    <h3>Power map · network view (<code>view="network"</code>)</h3>
    <p class="try">Try it: switch <b>Chart | Network</b>; in the chart turn on the overlays
    (influence lines, our team's ties, key stakeholders' coverage) and the what-if mode
    (pick people, see who would go dark); in the Network view size people by betweenness
    or PageRank and click someone to see the warm path to them; <b>Export</b> either view
    as SVG or PNG for a QBR deck.</p>
    <powermap-org-chart account="{acc}" api-base="{a}" token="{tok}" view="network">
    </powermap-org-chart>
  </div>
</section>"""
        )
    links = " ".join(
        f'<a href="/?account={escape(urllib.parse.quote(i, safe=""), quote=True)}">{escape(n)}</a>'
        for i, n in nav
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Powermap widget demo · a third-party page</title>
<link rel="stylesheet" href="/demo.css">
<script src="{a}/widget/powermap-org-chart.js" defer></script>
</head>
<body>
<header>
  <h1>Acme CRM · account pages (a third-party page embedding Powermap)</h1>
  <p>Served from this origin; the widget, the iframe and the API come from {escape(api_base)}.</p>
</header>
<main>
<nav><a href="/">All accounts</a> {links} · <a href="/alerts">Alerts received</a></nav>
{"".join(sections)}
</main>
</body>
</html>"""


def create_demo_app(
    api_base: str,
    api_key: str,
    *,
    accounts: list[str] | None = None,
    browser_api_base: str | None = None,
    webhook_secret: str = "",
) -> FastAPI:
    """The demo page app. ``api_base`` is where this backend calls the API;
    ``browser_api_base`` (default the same) is the URL the browser uses;
    ``webhook_secret`` verifies the alerts its inbox receives (``/alerts``)."""
    client = PowermapClient(api_base, api_key)
    public = (browser_api_base or api_base).rstrip("/")
    app = FastAPI(title="Powermap widget demo page", docs_url=None, redoc_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    add_alert_inbox(app, webhook_secret)

    @app.get("/demo.css")
    def stylesheet() -> PlainTextResponse:
        return PlainTextResponse(STYLESHEET, media_type="text/css; charset=utf-8")

    @app.get("/", response_class=HTMLResponse)
    def index(account: Annotated[str | None, Query()] = None) -> HTMLResponse:
        headers = {
            "Content-Security-Policy": _page_csp(_origin(public)),
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        }
        if not api_key:
            return HTMLResponse(
                _error_page("No POWERMAP_DEMO_API_KEY: run `powermap seed-demo` first."),
                status_code=503,
                headers=headers,
            )
        try:
            known = [{"id": a, "name": a} for a in accounts] if accounts else client.accounts()
            chosen = [a for a in known if account is None or a["id"] == account]
            embeds = []
            for a in chosen:
                minted = client.embed_token(a["id"])
                embeds.append(
                    Embed(
                        account_id=a["id"],
                        account_name=a.get("name") or a["id"],
                        token=minted["token"],
                        expires_at=minted["expires_at"],
                    )
                )
        except ApiCallFailed as exc:
            return HTMLResponse(_error_page(str(exc)), status_code=502, headers=headers)
        nav = [(a["id"], a.get("name") or a["id"]) for a in known]
        return HTMLResponse(_render(public, embeds, nav), headers=headers)

    return app


def _error_page(message: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<title>Demo page error</title><link rel="stylesheet" href="/demo.css"></head>'
        f'<body><main><p class="error" role="alert">{escape(message)}</p></main></body></html>'
    )
