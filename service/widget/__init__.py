"""The org-chart widget as the service serves it.

``static/`` holds the bundle built from ``widget/`` by ``make widget`` (esbuild); it is
build output, git-ignored and never edited by hand. Next to this file are the two
hand-written pieces of the iframe embedding: the page template and its stylesheet.
The page carries no inline script or style, so it runs under the strict
Content-Security-Policy :func:`embed_page_csp` builds.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from string import Template

__all__ = [
    "ASSET_NAME",
    "OVERLAYS_PATTERN",
    "PAGE_DIR",
    "STATIC_DIR",
    "embed_page",
    "embed_page_csp",
    "valid_origins",
]

PAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PAGE_DIR / "static"
ASSET_NAME = "powermap-org-chart.js"

#: The iframe page's `overlays` query parameter: overlay names, comma-separated.
OVERLAYS_PATTERN = r"^(influence|ties|coverage)(,(influence|ties|coverage))*$"
_TEMPLATE = Template((PAGE_DIR / "embed_page.html").read_text(encoding="utf-8"))
# An origin as CSP and CORS understand it: scheme://host[:port], or a wildcard.
_ORIGIN = re.compile(
    r"^(\*|https?://(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?|https?://\[[0-9A-Fa-f:]+\](:\d{1,5})?)$"
)


def valid_origins(origins: list[str]) -> list[str]:
    """The configured origins that are well-formed (nothing else enters a header)."""
    return [o.rstrip("/") for o in origins if _ORIGIN.match(o.rstrip("/"))]


def embed_page_csp(allowed_origins: list[str]) -> str:
    """The page may load only our script and stylesheet, talk only to us, and be
    framed only by us and the configured embedding origins."""
    ancestors = " ".join(["'self'", *valid_origins(allowed_origins)])
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {ancestors}",
        ]
    )


def embed_page(
    account_id: str,
    token: str,
    *,
    as_of: str | None = None,
    collapse_depth: int | None = None,
    overlays: str | None = None,
    view: str | None = None,
) -> str:
    """The iframe page: the custom element, configured by its attributes only."""
    extra = ""
    if as_of:
        extra += f' as-of="{escape(as_of, quote=True)}"'
    if collapse_depth is not None:
        extra += f' collapse-depth="{collapse_depth}"'
    if overlays:
        extra += f' overlays="{escape(overlays.replace(",", " "), quote=True)}"'
    if view:
        extra += f' view="{escape(view, quote=True)}"'
    return _TEMPLATE.substitute(
        account=escape(account_id, quote=True), token=escape(token, quote=True), extra=extra
    )
