"""Where a webhook may post (docs/alerts.md, "Safety"): the SSRF guard.

A webhook URL must be ``https`` and every address its host resolves to must be public:
not private, loopback, link-local, multicast, reserved or unspecified (this covers cloud
metadata endpoints such as 169.254.169.254). A host on the operator's allow-list
(``POWERMAP_ALERTS_WEBHOOK_ALLOWED_HOSTS``; tests and ``make run`` list ``127.0.0.1``)
may use plain ``http`` and resolve anywhere. The check runs when a watch is stored and
again before every delivery attempt, since what a name resolves to can change.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Collection
from urllib.parse import urlsplit

from service.domain.errors import FieldError, InvalidInput

__all__ = ["WebhookUrlRefused", "check_webhook_url", "resolve_host"]

Resolver = Callable[[str, int], list[str]]


class WebhookUrlRefused(InvalidInput):
    """The webhook URL is not one Powermap may post to."""


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def _refused(reason: str, field: str) -> WebhookUrlRefused:
    return WebhookUrlRefused(
        f"webhook url refused: {reason}", errors=[FieldError(location=field, reason=reason)]
    )


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_webhook_url(
    url: str,
    allowed_hosts: Collection[str],
    *,
    resolve: Resolver | None = resolve_host,
    field: str = "webhook.url",
) -> str:
    """``url`` when Powermap may post to it, else :class:`WebhookUrlRefused` (422) saying
    why. ``resolve=None`` skips the address check (a name that does not resolve now is
    still refused when one is given)."""
    if len(url) > 2048:
        raise _refused("longer than 2048 characters", field)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _refused(f"not a URL ({exc})", field) from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise _refused("must be an absolute http(s) URL with a host", field)
    if parts.username or parts.password:
        raise _refused("must not carry credentials", field)
    if parts.fragment:
        raise _refused("must not have a fragment", field)
    allowed = {h.lower() for h in allowed_hosts}
    if host in allowed:
        return url
    if parts.scheme != "https":
        raise _refused(f"must be https (host {host!r} is not on the allow-list)", field)
    if resolve is None:
        return url
    addresses = resolve(host, port or 443)
    if not addresses:
        raise _refused(f"host {host!r} does not resolve", field)
    blocked = [a for a in addresses if not _public(a)]
    if blocked:
        raise _refused(
            f"host {host!r} resolves to a private, loopback or link-local address "
            f"({', '.join(blocked)})",
            field,
        )
    return url
