"""Locust users for `envalue bench portal` (run by locust in its own process, never imported
by envalue itself).

Each simulated user signs in through the real login form (GET the form, POST it with its
CSRF token), waits until every user has signed in (so argon2 password checks do not land
in the read figures) and a random think time of its own (so the gate does not line every
user up into one burst), then loops over three reads with a think time between requests:
the dashboard page (and the chart data its script fetches, as a browser does), the wallet
page, and the API list of its holdings with a bearer token. A read counts as failed when
its status is not 200 or it lacks what it must show (so a login page or an error page is
never timed as a read).

The run lasts `READ_SECONDS` of reads counted from the moment every user has signed in
(locust's own ``-t`` is only a safety limit), so slow sign-ins never shorten the window;
when locust quits, the sign-in and read durations are written to ``..._REPORT``.

Settings come from the environment `envalue.bench.portal` sets:
``ENVALUE_BENCH_PORTAL_LOGINS`` (a JSON file: username, password, token, holdings per
user), ``ENVALUE_BENCH_PORTAL_THINK`` (``MIN,MAX`` seconds),
``ENVALUE_BENCH_PORTAL_READ_SECONDS`` and ``ENVALUE_BENCH_PORTAL_REPORT`` (a JSON path).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any

import gevent
import gevent.event
from locust import HttpUser, between, events, task

LOGINS: list[dict[str, Any]] = json.loads(
    Path(os.environ["ENVALUE_BENCH_PORTAL_LOGINS"]).read_text(encoding="utf-8"))
_low, _, _high = os.environ.get("ENVALUE_BENCH_PORTAL_THINK", "0.5,1.5").partition(",")
THINK = (float(_low), float(_high or _low))
READ_SECONDS = float(os.environ.get("ENVALUE_BENCH_PORTAL_READ_SECONDS", "20"))
REPORT = os.environ.get("ENVALUE_BENCH_PORTAL_REPORT", "")
SIGN_IN_TIMEOUT = 120.0

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                   r'name="csrf_token" value="([^"]+)"')
_next_login = itertools.count()
_signed_in = itertools.count(1)
_all_signed_in = gevent.event.Event()


_times: dict[str, float] = {}


@events.test_start.add_listener
def _reset_gate(environment: Any, **_: Any) -> None:
    _all_signed_in.clear()
    _times.clear()
    _times["started"] = time.monotonic()


def _open_reads(environment: Any) -> None:
    """The first user past the sign-in gate starts the read window's clock."""
    if "reads_from" not in _times:
        _times["reads_from"] = time.monotonic()
        gevent.spawn_later(READ_SECONDS, environment.runner.quit)


@events.quitting.add_listener
def _write_report(environment: Any, **_: Any) -> None:
    if not REPORT or "started" not in _times:
        return
    now = time.monotonic()
    reads_from = _times.get("reads_from", now)
    Path(REPORT).write_text(json.dumps({
        "signed_in_after_s": round(reads_from - _times["started"], 2),
        "all_signed_in": _all_signed_in.is_set(),
        "reads_s": round(now - reads_from, 2)}))


def _expected_users(environment: Any) -> int:
    options = environment.parsed_options
    return int(options.num_users) if options is not None and options.num_users else 1


def _problem(response: Any) -> str:
    """Why a read failed: its status, or the connection error behind status 0."""
    if response.status_code == 0:
        return f"no answer: {getattr(response, 'error', None)!r}"
    return f"status {response.status_code}"


class PortalReader(HttpUser):
    """One person using the portal: signs in once, then reads."""

    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.login = LOGINS[next(_next_login) % len(LOGINS)]
        try:
            self._sign_in()
        finally:  # a failed sign-in still counts, or the others would wait forever
            if next(_signed_in) >= _expected_users(self.environment):
                _all_signed_in.set()
        _all_signed_in.wait(SIGN_IN_TIMEOUT)
        _open_reads(self.environment)
        # the gate lined everybody up: start after a think time of one's own, as people
        # who signed in at different moments would, not all in the same millisecond
        gevent.sleep(random.uniform(0, THINK[1]))

    def _sign_in(self) -> None:
        with self.client.get("/login", name="sign-in form", catch_response=True) as form:
            match = _CSRF.search(form.text or "")
            if form.status_code != 200 or match is None:
                form.failure(f"no login form with a CSRF token (status {form.status_code})")
                return
        data = {"username": self.login["username"], "password": self.login["password"],
                "csrf_token": match.group(1) or match.group(2)}
        with self.client.post("/login", data=data, name="sign-in", allow_redirects=False,
                              catch_response=True) as answer:
            target = answer.headers.get("Location", "")
            if answer.status_code != 302 or "/login" in target:
                answer.failure(f"sign-in refused (status {answer.status_code})")

    def _page(self, path: str, name: str, marker: str) -> None:
        with self.client.get(path, name=name, allow_redirects=False,
                             catch_response=True) as page:
            if page.status_code != 200:
                page.failure(_problem(page))
            elif marker not in (page.text or ""):
                page.failure(f"{marker!r} missing from the page")

    @task
    def dashboard(self) -> None:
        self._page("/dashboard", "dashboard", 'data-testid="energy-charts"')
        # what the dashboard's script fetches right after the page
        self._page("/api/v1/energy/daily", "dashboard chart data", '"batch_count"')

    @task
    def wallet(self) -> None:
        self._page("/wallet/", "wallet", 'data-testid="holding-row"')

    @task
    def api_holdings(self) -> None:
        headers = {"Authorization": f"Bearer {self.login['token']}"}
        with self.client.get("/api/v1/wallet/holdings", name="api holdings", headers=headers,
                             allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(_problem(answer))
                return
            items = answer.json().get("items", [])
            if len(items) != self.login["holdings"]:
                answer.failure(f"{len(items)} holdings listed, {self.login['holdings']} seeded")
