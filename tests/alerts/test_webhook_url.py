"""The SSRF guard (service/domain/alerts/webhook_url.py) on names: what a host resolves
to decides, every address counts, and only allow-listed hosts may be plain http or
private. The resolver is injected, so no name is looked up on the network."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from service.domain.alerts.webhook_url import WebhookUrlRefused, check_webhook_url


def resolver(table: dict[str, list[str]]) -> Callable[[str, int], list[str]]:
    return lambda host, _port: table.get(host, [])


PUBLIC = "93.184.215.14"


@pytest.mark.parametrize(
    "addresses",
    [
        ["10.0.0.7"],  # private
        [PUBLIC, "127.0.0.1"],  # one bad address among good ones is enough
        ["169.254.169.254"],  # cloud metadata (link-local)
        ["::ffff:192.168.1.1"],  # IPv4-mapped private
        ["fe80::1"],  # IPv6 link-local
        ["224.0.0.1"],  # multicast
        ["0.0.0.0"],  # unspecified
    ],
)
def test_a_name_resolving_to_a_non_public_address_is_refused(addresses: list[str]) -> None:
    with pytest.raises(WebhookUrlRefused) as refused:
        check_webhook_url(
            "https://hooks.example.com/x", [], resolve=resolver({"hooks.example.com": addresses})
        )
    [error] = refused.value.errors
    assert error.location == "webhook.url" and "private, loopback or link-local" in error.reason


def test_a_name_resolving_to_public_addresses_only_is_accepted() -> None:
    url = "https://hooks.example.com/x?a=1"
    table = {"hooks.example.com": [PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]}
    assert check_webhook_url(url, [], resolve=resolver(table)) == url


def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(WebhookUrlRefused, match="does not resolve"):
        check_webhook_url("https://nowhere.invalid/x", [], resolve=resolver({}))


def test_an_allow_listed_host_may_be_http_and_loopback_and_the_list_ignores_case() -> None:
    url = "http://LOCALHOST:8001/webhooks/powermap"
    assert check_webhook_url(url, ["localhost"], resolve=resolver({})) == url
    with pytest.raises(WebhookUrlRefused, match="must be https"):
        check_webhook_url(url, ["127.0.0.1"], resolve=resolver({"localhost": ["127.0.0.1"]}))
