"""The portal as the demo serves it on a running network, and the browser steps of its
journeys (`test_network_journeys`).

`serve_portal(settings, folder, env)` does in this process what scripts/demo.sh does
once `envalue network up` has run, with the same commands and settings:

- the portal reads its settings from the environment, as `envalue portal serve` does
  (``ENVALUE_PORTAL_DB``, ``ENVALUE_NETWORK``/``ENVALUE_NETWORK_HOME``; uploads go to the
  portal database, the read model is ``readmodel.db`` beside it, certificates are signed
  by ``platform:operator1``); the one difference is a login limit raised for the many
  sign-ins a test run makes from one address;
- `envalue portal enroll-demo` enrolls every consortium user at its org's Fabric CA;
- `envalue simulate ena|boiler --days 7 --defects field --keys DIR --store-db URL` fills
  the store, except the new boiler's upload, written to a folder (``--out``) for its owner
  to upload in the browser;
- the read model follows the channel (`ReadModelListener`, what `envalue readmodel run`
  runs) in a thread, and werkzeug serves the portal in another (as the other browser
  tests do; the demo uses gunicorn).

Scenarios are not loaded here: a journey loads them after its own uploads
(`NetworkPortal.run_steps`), as `envalue scenario load` would.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from flask import Flask, url_for
from werkzeug.serving import make_server

from envalue.chaincode.domain.registry.fields import parse_timestamp
from envalue.cli import main
from envalue.ledger.messages import LedgerCall
from envalue.ledger.peers import LedgerPeers
from envalue.network.settings import NetworkSettings
from envalue.readmodel import ReadModelListener, lag_status, make_sessions
from envalue.scenarios import NetworkSessions, RunReport, Step, run
from envalue.webapp import create_app
from envalue.webapp.extensions import limiter
from envalue.webapp.services.readmodel import readmodel_url

from .conftest import new_tab

__all__ = ["UPLOADED_DEVICE", "NetworkPortal", "commit", "download", "fill", "holding_kg",
           "qr_url", "refusal", "run_check", "serve_portal", "sign_in", "signed_in"]

T = TypeVar("T")

#: days of simulated operation data, as scripts/demo.sh
SIMULATED_DAYS = "7"
#: the device whose upload goes through the browser (the boiler case study's new boiler)
UPLOADED_DEVICE = "boiler-new"
#: one address signs in many times in a run (the portal's default is 5 per minute)
LOGIN_LIMIT = "1000 per minute"
#: a ledger form waits for endorsement and commit; a read-model wait for the listener
LEDGER_TIMEOUT_MS = 60_000
READMODEL_TIMEOUT_S = 120.0


@dataclass
class NetworkPortal:
    """A served portal on the network, its stores and its users' demo logins."""

    url: str
    app: Flask
    settings: NetworkSettings
    store_url: str
    readmodel_url: str
    keys: Path
    uploads: Path
    logins: dict[str, str]
    listener_errors: list[BaseException] = field(default_factory=list)

    def href(self, endpoint: str, **values: Any) -> str:
        """The absolute URL of a portal route (routes come from the app, never typed)."""
        with self.app.test_request_context():
            return self.url + url_for(endpoint, **values)

    def local_time(self, timestamp: str) -> str:
        """What a person types into a ``datetime-local`` input for ISO `timestamp`: the
        time in the portal's zone (its forms read such an input so), in the browser's
        normal form (seconds only when not zero)."""
        zone = ZoneInfo(self.app.config["BABEL_DEFAULT_TIMEZONE"])
        moment = parse_timestamp(timestamp).astimezone(zone)
        assert moment.microsecond == 0, f"{timestamp}: the input holds whole seconds only"
        return moment.strftime("%Y-%m-%dT%H:%M:%S" if moment.second else "%Y-%m-%dT%H:%M")

    def wait_for_block(self, block: int, timeout: float = READMODEL_TIMEOUT_S) -> None:
        """Until the read model has projected `block`: pages list only what it holds."""
        sessions = make_sessions(self.readmodel_url)
        deadline = time.monotonic() + timeout
        while True:
            if self.listener_errors:
                raise AssertionError(f"the read model listener stopped: "
                                     f"{self.listener_errors[0]!r}")
            with sessions() as session:
                lag = lag_status(session)
            if lag.projected_blocks > block:
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the read model has not projected block {block} after {timeout:.0f}s: "
                    f"{lag.projected_blocks} blocks projected, listener {lag.state} "
                    f"{lag.detail}")
            time.sleep(0.5)

    def run_steps(self, steps: Sequence[Step], *, workers: int = 1) -> RunReport:
        """Run scenario steps as `envalue scenario load` does (each signed by its enrolled
        identity), then wait until the read model holds what they wrote."""
        with NetworkSessions(LedgerPeers(self.settings)) as sessions:
            report = run(steps, sessions, workers=workers, progress=False)
        assert report.failure is None, report.failure.message
        assert report.ok, f"{len(report.outcomes)} of {report.total} steps ran"
        blocks = [o.block_number for o in report.outcomes if o.block_number is not None]
        if blocks:
            self.wait_for_block(max(blocks))
        return report

    def evaluate(self, identity: str, call: LedgerCall[T]) -> T:
        """A ledger query as `identity` (``org:user``): what a step found, not shown."""
        with NetworkSessions(LedgerPeers(self.settings)) as sessions:
            return sessions.get(identity).evaluate(call)


def _cli(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, f"envalue {' '.join(args)}: {result.output}"
    return result.output


@contextmanager
def serve_portal(settings: NetworkSettings, folder: Path,
                 env: pytest.MonkeyPatch) -> Iterator[NetworkPortal]:
    """The demo's portal on the network of `settings` (see the module docstring)."""
    portal_db = f"sqlite:///{folder / 'portal.db'}"
    logins_file = folder / "demo-logins.json"
    for name, value in {
        "ENVALUE_PORTAL_SECRET_KEY": "network-journeys-session-secret",
        "ENVALUE_PORTAL_DB": portal_db,
        "ENVALUE_NETWORK": settings.name,
        "ENVALUE_NETWORK_HOME": str(settings.layout.home),
        "ENVALUE_PORTAL_DEMO_LOGINS": str(logins_file),
        "ENVALUE_PORTAL_LOGIN_LIMIT": LOGIN_LIMIT,
    }.items():
        env.setenv(name, value)
    for name in ("ENVALUE_PORTAL_INGEST_DB", "ENVALUE_READMODEL_DB", "ENVALUE_BASE_PORT",
                 "ENVALUE_PORTAL_BASE_URL", "ENVALUE_PORTAL_CERTIFICATE_SIGNER",
                 "ENVALUE_PORTAL_KEY_SECRET"):
        env.delenv(name, raising=False)
    keys, uploads = folder / "device-keys", folder / "uploads"
    _cli(["portal", "enroll-demo", "--home", str(settings.layout.home)])
    simulate = ["--days", SIMULATED_DAYS, "--defects", "field", "--keys", str(keys)]
    _cli(["simulate", "ena", *simulate, "--store-db", portal_db])
    _cli(["simulate", "boiler", *simulate, "--device", "boiler-old", "--store-db", portal_db])
    _cli(["simulate", "boiler", *simulate, "--device", UPLOADED_DEVICE, "--out", str(uploads)])

    model = readmodel_url("", portal_db)
    listener = ReadModelListener(make_sessions(model), settings)
    errors: list[BaseException] = []

    def follow() -> None:
        try:
            listener.run()
        except BaseException as exc:  # reported by the next wait_for_block
            errors.append(exc)

    following = threading.Thread(target=follow, name="readmodel-listener", daemon=True)
    following.start()
    try:
        app = create_app()
        limiter.reset()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        serving = threading.Thread(target=server.serve_forever, name="portal", daemon=True)
        serving.start()
        try:
            yield NetworkPortal(f"http://127.0.0.1:{server.server_port}", app, settings,
                                portal_db, model, keys, uploads,
                                json.loads(logins_file.read_text()), errors)
        finally:
            server.shutdown()
            serving.join(timeout=10)
    finally:
        listener.stop()
        following.join(timeout=30)


# -- browser steps -------------------------------------------------------------------------
def sign_in(page: Any, portal: NetworkPortal, username: str) -> None:
    """Sign in with the demo login `envalue portal enroll-demo` gave `username`."""
    page.set_default_navigation_timeout(LEDGER_TIMEOUT_MS)
    page.goto(portal.href("auth.login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", portal.logins[username])
    page.click("#login-form button[type=submit]")
    page.wait_for_url(portal.href("dashboard.index"))


@contextmanager
def signed_in(browser: Any, portal: NetworkPortal, username: str) -> Iterator[Any]:
    """A tab of its own browser context, signed in as `username`."""
    context, page = new_tab(browser)
    try:
        sign_in(page, portal, username)
        yield page
    finally:
        context.close()


def fill(page: Any, inputs: Mapping[str, str]) -> None:
    """Type into inputs and choose in selects, by CSS selector."""
    for selector, value in inputs.items():
        if page.eval_on_selector(selector, "e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


_NOT_COMMITTED = ("[data-testid=form-refused], [data-testid=field-error], "
                  "[data-testid=form-unavailable], [data-testid=problem], .field-error")


def commit(page: Any, form_id: str) -> int:
    """Submit ledger form `form_id`; the block of the committed transaction, as the page
    that follows shows it (the reason on the page when nothing was committed)."""
    with page.expect_navigation():
        page.click(f"#{form_id} button[type=submit]")
    result = page.locator("[data-testid=ledger-result]")
    if result.count() == 0:
        why = " | ".join(page.locator(_NOT_COMMITTED).all_inner_texts())
        raise AssertionError(f"{form_id} was not committed: {why or page.url}")
    text = result.inner_text()
    block = re.search(r"\bblock (\d+)", text)
    assert block, f"no block number in the committed result: {text}"
    return int(block.group(1))


def refusal(page: Any, form_id: str) -> dict[str, str]:
    """Submit form `form_id` expecting the chaincode's refusal (422, nothing written):
    the refusal's rule, field and status as the form shows them."""
    with page.expect_response(lambda r: r.request.method == "POST",
                              timeout=LEDGER_TIMEOUT_MS) as answer:
        page.click(f"#{form_id} button[type=submit]")
    assert answer.value.status == 422, f"{form_id}: HTTP {answer.value.status}"
    refused = page.wait_for_selector(f"#{form_id} [data-testid=form-refused]")
    assert "Refused by the chaincode" in refused.inner_text()
    error = page.locator(f"#{form_id} [data-testid=field-error]").first
    return {name: error.get_attribute(f"data-{name}") or ""
            for name in ("rule", "field", "status")}


def holding_kg(page: Any, lot_id: str, state: str) -> int | None:
    """The kg of `lot_id` in `state` in the wallet's holdings table (None: no such row)."""
    for row in page.locator("[data-testid=holding-row]").filter(has_text=lot_id).all():
        cells = row.locator("td").all_inner_texts()  # lot, state, kg, transaction, block
        if cells[0] == lot_id and cells[1] == state:
            return int(cells[2])
    return None


def run_check(button: Any) -> tuple[str, str]:
    """Click a check button of the traceability explorer; the status and text it shows."""
    output = button.locator("xpath=../output")
    output.evaluate("e => e.removeAttribute('data-status')")  # the answer sets it again
    button.click()
    shown = button.locator("xpath=../output[@data-status]")
    shown.wait_for()
    return shown.get_attribute("data-status") or "", shown.inner_text()


def download(page: Any, selector: str) -> bytes:
    """The bytes of the download a click on `selector` starts."""
    with page.expect_download() as info:
        page.click(selector)
    return Path(info.value.path()).read_bytes()


def qr_url(pdf: bytes, folder: Path) -> str:
    """What the QR code on the PDF's first page says (pdftoppm + zbarimg)."""
    missing = [tool for tool in ("pdftoppm", "zbarimg") if shutil.which(tool) is None]
    assert not missing, (f"reading the QR code needs {', '.join(missing)} (scripts/setup.sh "
                         "installs poppler-utils and zbar-tools)")
    (folder / "certificate.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile",
                    str(folder / "certificate.pdf"), str(folder / "page")],
                   check=True, capture_output=True)
    scanned = subprocess.run(["zbarimg", "-q", "--raw", str(folder / "page.png")],
                             check=True, capture_output=True, text=True)
    return scanned.stdout.strip()
