"""Browser tests: Debian's headless Chromium (driven by Playwright) against the real
service and the real demo page, each started with uvicorn in a subprocess on a free
port, on the Neo4j the rest of the suite uses.

Nothing is built here: the widget bundle comes from ``make widget`` and Chromium from
``make browser`` (Debian's package; Playwright never downloads a browser). A missing
piece fails the run with the command that provides it. Screenshots of every state go
to ``test-artifacts/browser/``, server logs to ``test-artifacts/browser/logs/``.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright
from pydantic import SecretStr

from service.demo.seed import seed_demo
from service.graph.driver import Graph
from service.settings import Settings
from tests.browser import seed
from tests.conftest import _clean

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUNDLE = ROOT / "service" / "widget" / "static" / "powermap-org-chart.js"
HERE = Path(__file__).resolve().parent


# The machine may be shared and loaded: wait up to 15 s for a state, not the default 5.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll the server's health endpoint until it answers (a readiness check)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} did not become healthy in 60 s:\n{log.read_text()[-3000:]}")


def start(
    name: str, command: list[str], env: dict[str, str], health: str
) -> subprocess.Popen[bytes]:
    logs = ARTIFACTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    handle = log.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    handle.close()
    wait_until_healthy(health, process, log)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Stack:
    """The running service and demo page, and how to get tokens for them."""

    api: str
    demo: str
    settings: Settings  # with the servers' embed-token secret
    api_key: str
    extra: dict[str, Any] = field(default_factory=dict)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """The API as the CRM backend calls it (with its API key)."""
        request = urllib.request.Request(
            f"{self.api}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def token(self, account_id: str) -> str:
        token: str = self.call("POST", "/v1/embed-tokens", {"account_id": account_id})["token"]
        return token

    def embed_url(self, account_id: str, token: str | None = None, **params: Any) -> str:
        query = urllib.parse.urlencode({"token": token or self.token(account_id), **params})
        return f"{self.api}/embed/accounts/{account_id}/org-chart?{query}"


@pytest.fixture(scope="package")
def stack(neo4j: Graph, settings: Settings) -> Iterator[Stack]:
    if not BUNDLE.is_file():
        pytest.fail(f"{BUNDLE} is missing: run `make widget`", pytrace=False)
    _clean(neo4j)
    # The demo portfolio as `powermap seed-demo` loads it; its key (read, write,
    # query:run) plays the CRM backend's key, as on `make run`.
    key = seed_demo(neo4j, settings).api_key

    api_port, demo_port = free_port(), free_port()
    api, demo = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{demo_port}"
    secret = secrets.token_urlsafe(48)
    env = {
        **os.environ,
        "POWERMAP_EMBED_TOKEN_SECRET": secret,
        "POWERMAP_EMBED_ALLOWED_ORIGINS": json.dumps([demo]),
        "POWERMAP_LOG_LEVEL": "WARNING",
        "POWERMAP_DEMO_API_KEY": key,
    }
    api_process = start(
        "api",
        [
            sys.executable,
            "-m",
            "uvicorn",
            "service.api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(api_port),
            "--no-access-log",
        ],  # fmt: skip
        env,
        f"{api}/healthz",
    )
    powermap = str(Path(sys.executable).parent / "powermap")
    stack = Stack(
        api=api,
        demo=demo,
        settings=settings.model_copy(update={"embed_token_secret": SecretStr(secret)}),
        api_key=key,
    )
    try:
        seed.seed_widgetco(stack.call)
        seed.seed_bigco(stack.call)
        demo_process = start(
            "demo-page",
            [
                powermap,
                "demo-page",
                "--host",
                "127.0.0.1",
                "--port",
                str(demo_port),
                "--api-base",
                api,
            ],  # fmt: skip
            env,
            f"{demo}/healthz",
        )
    except BaseException:
        stop(api_process)
        raise
    try:
        yield stack
    finally:
        stop(demo_process)
        stop(api_process)
        _clean(neo4j)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: run `make browser`", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class PageProblems:
    errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)


def open_page(browser: Browser, width: int = 1280, height: int = 800) -> tuple[Page, PageProblems]:
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems = PageProblems()
    page.on("pageerror", lambda error: problems.errors.append(str(error)))

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems.csp.append(message.text)

    page.on("console", on_console)
    return page, problems


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A 1280×800 page; the test fails on any script error or CSP violation."""
    page, problems = open_page(browser)
    yield page
    page.context.close()
    assert problems.errors == [], f"script errors: {problems.errors}"
    assert problems.csp == [], f"CSP violations: {problems.csp}"


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
