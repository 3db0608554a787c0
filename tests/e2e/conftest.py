"""A portal server on a free loopback port and headless Debian Chromium driven by Playwright.

The portal runs in a thread (werkzeug's threaded server) over a temporary database; its
users are provisioned from a throwaway CA issuing Fabric-CA-shaped certificates (role
attribute), because browser journeys must not depend on the CA tier's start-up. The
ledger is not running, so ledger-backed pages show their 'ledger unavailable' panel.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from envalue.certificates import certificate_from_record, sign_certificate
from envalue.webapp import create_app
from envalue.webapp.extensions import limiter
from tests.unit.certificates.certificates_helpers import TestCA, token_record
from tests.unit.webapp.webapp_helpers import FakeFabricCA, add_user, portal_config

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


@dataclass
class Portal:
    url: str
    signed_certificate: Path
    certificate_id: str


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    tmp = tmp_path_factory.mktemp("portal-e2e")
    issuer = TestCA.create()
    app = create_app(portal_config(tmp, TRUSTED_CA_PEMS={"PlatformMSP": [issuer.pem]},
                                   LEDGER_DISABLED="the Fabric peers are not running "
                                                   "(browser test portal)"))
    limiter.reset()
    ca = FakeFabricCA()
    for name, role, org in (("operator1", "operator", "platform"),
                            ("verifier1", "verifier", "platform")):
        add_user(app, ca, name, role, org)
    signed = sign_certificate(certificate_from_record(token_record()), issuer.issue())
    doc = tmp / "certificate.json"
    doc.write_text(json.dumps(signed, ensure_ascii=False))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Portal(f"http://127.0.0.1:{server.server_port}", doc,
                     signed["certificate"]["certificate_id"])
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def new_tab(browser: Any) -> tuple[Any, Any]:
    """A fresh browser context (its own cookies: one signed-in user) and its one tab."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return context, tab


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context, tab = new_tab(browser)
    yield tab
    context.close()


def shot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
