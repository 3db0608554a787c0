"""The audit log's filters and pages: entries written by real actions through the test
client (provisioning, an API token, sign-ins that pass or are refused, ledger posts that
fail for want of a peer), then found by actor, action (exact and prefix), outcome and time
range, and paged by id cursors, newest first; the page and ``GET /api/v1/audit`` answer
alike (`webapp.services.audit_log.search`), bad values are 400 naming field, value and
rule, and only ``audit.view`` reads the log."""

from __future__ import annotations

import html
import re
from datetime import UTC, timedelta
from typing import Any, NamedTuple

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from envalue.webapp.db import AuditEntry, get_session
from envalue.webapp.reports.offchain import REPORT_TZ
from envalue.webapp.services.audit_log import entry_at

from .ledger_helpers import api_token
from .test_webapp_credit_forms import _post
from .webapp_helpers import csrf_token, login

pytestmark = pytest.mark.unit

OPERATOR, VERIFIER = "operator1@platform", "verifier1@platform"
AUDITOR, CUSTOMER = "auditor1@platform", "customer1@customer"
#: what the `log` fixture writes, in order: entry n of the log is ``WRITTEN[n - 1]``
WRITTEN = [
    ("cli", "portal.provision", "ok"), ("cli", "portal.provision", "ok"),
    ("cli", "portal.provision", "ok"), ("cli", "portal.provision", "ok"),
    (AUDITOR, "api_token.create", "ok"),
    (OPERATOR, "auth.login", "ok"),
    (CUSTOMER, "auth.login", "refused"),
    (CUSTOMER, "auth.login", "ok"),
    (CUSTOMER, "ledger.credits:retire", "failed"),
    (OPERATOR, "ledger.credits:create_program", "failed"),
    (VERIFIER, "auth.login", "refused"),
    (AUDITOR, "auth.login", "ok"),
]


class Log(NamedTuple):
    app: Flask
    client: FlaskClient  # signed in as the auditor
    auth: dict[str, str]  # the auditor's bearer token
    entries: list[AuditEntry]  # oldest first

    def ids(self, *numbers: int) -> list[int]:
        """The ids of entries `numbers` (1-based, as in `WRITTEN`)."""
        return [self.entries[n - 1].id for n in numbers]

    def api(self, **params: str) -> Any:
        return self.client.get("/api/v1/audit", query_string=params, headers=self.auth)


@pytest.fixture
def log(app: Flask, client: FlaskClient) -> Log:
    auth = {"Authorization": f"Bearer {api_token(app, AUDITOR)}"}
    operator, customer, verifier = app.test_client(), app.test_client(), app.test_client()
    login(operator, OPERATOR)
    assert login(customer, CUSTOMER, "not the password").status_code == 401
    login(customer, CUSTOMER)
    assert _post(customer, "retire", csrf_token(customer, "/credits/")).status_code == 503
    assert _post(operator, "program", csrf_token(operator, "/credits/")).status_code == 503
    assert login(verifier, VERIFIER, "wrong").status_code == 401
    login(client, AUDITOR)
    with app.app_context():
        entries = list(get_session().scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.actor, e.action, e.outcome) for e in entries] == WRITTEN
    return Log(app, client, auth, entries)


# -- filters ----------------------------------------------------------------------------
@pytest.mark.parametrize(("params", "numbers"), [
    ({}, list(range(12, 0, -1))),
    ({"actor": CUSTOMER}, [9, 8, 7]),
    ({"actor": " customer1@customer "}, [9, 8, 7]),  # typed with spaces
    ({"actor": "customer1"}, []),  # a user name, not a part of one
    ({"action": "auth.login"}, [12, 11, 8, 7, 6]),
    ({"action": "ledger."}, [10, 9]),
    ({"action": "ledger.credits:*"}, [10, 9]),
    ({"action": "ledger.credits:r*"}, [9]),
    ({"action": "ledger"}, []),  # exact unless it ends in "." or "*"
    ({"action": "auth.login_"}, []),  # "_" is no wildcard
    ({"action": "*"}, list(range(12, 0, -1))),
    ({"outcome": "refused"}, [11, 7]),
    ({"outcome": "failed"}, [10, 9]),
    ({"outcome": "ok"}, [12, 8, 6, 5, 4, 3, 2, 1]),
    ({"action": "auth.", "outcome": "ok"}, [12, 8, 6]),
    ({"actor": OPERATOR, "action": "ledger."}, [10]),
    ({"actor": VERIFIER, "outcome": "ok"}, []),
])
def test_each_filter_finds_its_entries(log: Log, params: dict[str, str],
                                       numbers: list[int]) -> None:
    body = log.api(**params).get_json()
    assert [e["id"] for e in body["items"]] == log.ids(*numbers)
    assert [(e["actor"], e["action"], e["outcome"]) for e in body["items"]] == [
        WRITTEN[n - 1] for n in numbers]
    assert (body["next_before_id"], body["previous_after_id"], body["limit"]) == (None, None,
                                                                                 200)


def test_the_time_range(log: Log) -> None:
    at = [entry_at(e) for e in log.entries]
    assert at == sorted(at) and len(set(at)) == len(at)
    eighth = at[7]
    local = eighth.astimezone(REPORT_TZ).replace(tzinfo=None).isoformat()  # Japan, no offset
    in_utc = eighth.astimezone(UTC).isoformat()  # the same moment with its offset
    cases = [
        ({"from": local}, range(12, 7, -1)),
        ({"from": in_utc}, range(12, 7, -1)),
        ({"to": local}, range(8, 0, -1)),  # "to" includes its moment
        ({"to": in_utc}, range(8, 0, -1)),
        ({"from": local, "to": in_utc}, [8]),
        ({"from": local, "to": local, "outcome": "refused"}, []),
        ({"from": (eighth + timedelta(microseconds=1)).isoformat()}, range(12, 8, -1)),
        ({"to": (eighth - timedelta(microseconds=1)).isoformat()}, range(7, 0, -1)),
    ]
    # days are local days in Japan: the first entry's day through the last's is everything
    first, last = (a.astimezone(REPORT_TZ).date() for a in (at[0], at[-1]))
    cases += [
        ({"from": first.isoformat(), "to": last.isoformat()}, range(12, 0, -1)),
        ({"to": last.isoformat(), "action": "ledger."}, [10, 9]),
        ({"to": (first - timedelta(days=1)).isoformat()}, []),
        ({"from": (last + timedelta(days=1)).isoformat()}, []),
        # a day starts at midnight in Japan: 15:00 UTC the day before
        ({"from": f"{(last + timedelta(days=1)).isoformat()}T00:00:00+09:00"}, []),
    ]
    for params, numbers in cases:
        body = log.api(**params).get_json()
        assert [e["id"] for e in body["items"]] == log.ids(*numbers), params


# -- pages ------------------------------------------------------------------------------
def test_pages_follow_the_cursors_newest_first(log: Log) -> None:
    def page(**params: str) -> tuple[list[int], int | None, int | None]:
        body = log.api(**params).get_json()
        return ([e["id"] for e in body["items"]], body["next_before_id"],
                body["previous_after_id"])

    ids = log.ids
    assert page(limit="5") == (ids(12, 11, 10, 9, 8), ids(8)[0], None)
    assert page(limit="5", before_id=str(ids(8)[0])) == (ids(7, 6, 5, 4, 3), ids(3)[0],
                                                         ids(7)[0])
    assert page(limit="5", before_id=str(ids(3)[0])) == (ids(2, 1), None, ids(2)[0])
    assert page(limit="5", after_id=str(ids(2)[0])) == (ids(7, 6, 5, 4, 3), ids(3)[0],
                                                        ids(7)[0])
    assert page(limit="5", after_id=str(ids(7)[0])) == (ids(12, 11, 10, 9, 8), ids(8)[0],
                                                        None)
    # with a filter: the pages hold its entries only
    login_ = {"action": "auth.login", "limit": "2"}
    assert page(**login_) == (ids(12, 11), ids(11)[0], None)
    assert page(**login_, before_id=str(ids(11)[0])) == (ids(8, 7), ids(7)[0], ids(8)[0])
    assert page(**login_, before_id=str(ids(7)[0])) == (ids(6), None, ids(6)[0])
    assert page(**login_, after_id=str(ids(6)[0])) == (ids(8, 7), ids(7)[0], ids(8)[0])
    assert page(**login_, after_id=str(ids(8)[0])) == (ids(12, 11), ids(11)[0], None)
    # a cursor past either end: an empty page pointing back at the entries
    assert page(limit="5", before_id="0") == ([], None, 0)
    assert page(limit="5", before_id=str(ids(1)[0])) == ([], None, ids(1)[0] - 1)
    beyond = ids(12)[0] + 100
    assert page(limit="5", after_id=str(beyond)) == ([], beyond + 1, None)
    assert page(limit="200", before_id=str(beyond)) == (ids(*range(12, 0, -1)), None, None)
    # new entries do not shift a page: the cursor keeps its place
    login(log.app.test_client(), OPERATOR)
    assert page(limit="5", before_id=str(ids(8)[0])) == (ids(7, 6, 5, 4, 3), ids(3)[0],
                                                         ids(7)[0])


def _page_rows(text: str) -> list[int]:
    table = text[text.index('data-testid="audit-log"'):text.index("</table>")]
    return [int(i) for i in re.findall(r'<tr class="\w+" data-id="(\d+)">', table)]


def _page_link(text: str, testid: str) -> str | None:
    match = re.search(rf'<a href="([^"]+)" rel="\w+" data-testid="{testid}">', text)
    return html.unescape(match.group(1)) if match else None


@pytest.mark.parametrize("params", [
    {}, {"limit": "3"}, {"actor": CUSTOMER}, {"action": "ledger.", "limit": "1"},
    {"action": "auth.login", "outcome": "refused", "limit": "1"},
])
def test_the_api_answers_what_the_page_shows(log: Log, params: dict[str, str]) -> None:
    """Page by page, following the page's own links and the API's cursors."""
    query: dict[str, str] = dict(params)
    seen: list[int] = []
    while True:
        body = log.api(**query).get_json()
        resp = log.client.get("/audit/", query_string=query)
        text = resp.get_data(as_text=True)
        assert resp.status_code == 200
        assert _page_rows(text) == [e["id"] for e in body["items"]]
        for name in ("actor", "action"):  # the form keeps the values
            assert f'name="{name}" id="{name}" maxlength="' in text
            if name in params:
                assert f'value="{params[name]}"' in text
        if "outcome" in params:
            assert f'<option value="{params["outcome"]}" selected>' in text
        newer, older = _page_link(text, "audit-newer"), _page_link(text, "audit-older")
        assert (older is None) == (body["next_before_id"] is None)
        assert (newer is None) == (body["previous_after_id"] is None)
        if newer is not None:
            assert f"after_id={body['previous_after_id']}" in newer
            assert all(f"{k}={v}" in newer for k, v in params.items())
        seen += [e["id"] for e in body["items"]]
        if older is None:
            break
        assert all(f"{k}={v}" in older for k, v in params.items())
        assert f"before_id={body['next_before_id']}" in older
        query = {**params, "before_id": str(body["next_before_id"])}
    everything = log.api(**{k: v for k, v in params.items() if k != "limit"}).get_json()
    assert seen == [e["id"] for e in everything["items"]] and seen


def test_the_page_shows_japan_time_in_either_language(log: Log) -> None:
    text = log.client.get("/audit/", query_string={"limit": "1"}).get_data(as_text=True)
    shown = entry_at(log.entries[-1]).astimezone(REPORT_TZ).strftime("%Y-%m-%d %H:%M:%S")
    assert f'data-id="{log.entries[-1].id}"><td>{shown}</td>' in text
    japanese = log.client.get("/audit/", query_string={"limit": "1"},
                              headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert all(t in japanese for t in ("日時（日本時間）", "絞り込む", "古い記録"))


# -- refusals ---------------------------------------------------------------------------
@pytest.mark.parametrize(("params", "field", "value", "rule"), [
    ({"outcome": "maybe"}, "outcome", "maybe", "choice"),
    ({"actor": "x" * 129}, "actor", "x" * 40, "max_length"),
    ({"action": "a" * 65}, "action", "a" * 40, "max_length"),
    ({"actor": "x" * 201}, "actor", "x" * 40, "max_length"),
    ({"from": "2025-13-01"}, "from", "2025-13-01", "date"),
    ({"from": "yesterday"}, "from", "yesterday", "date"),
    ({"to": "2025-04-01T25:00"}, "to", "2025-04-01T25:00", "date_time"),
    ({"to": "2025-04-01T10:00+25:00"}, "to", "2025-04-01T10:00+25:00", "date_time"),
    ({"from": "1970-12-31"}, "from", "1970-12-31", "date_range"),
    ({"from": "0001-01-01T00:00:00"}, "from", "0001-01-01T00:00:00", "date_range"),
    ({"to": "9999-12-31T23:59:59.999999"}, "to", "9999-12-31T23:59:59.999999",
     "date_range"),
    ({"from": "2025-04-02", "to": "2025-04-01"}, "to", "2025-04-01", "after_start"),
    ({"from": "2025-04-01T10:00", "to": "2025-04-01T09:59:59.999999"}, "to",
     "2025-04-01T09:59:59.999999", "after_start"),
    ({"limit": "0"}, "limit", "0", "range"),
    ({"limit": "201"}, "limit", "201", "range"),
    ({"limit": "ten"}, "limit", "ten", "integer"),
    ({"limit": "²"}, "limit", "²", "integer"),
    ({"before_id": "-1"}, "before_id", "-1", "integer"),
    ({"after_id": str(2**63)}, "after_id", str(2**63), "range"),
    ({"before_id": "5", "after_id": "2"}, "after_id", "2", "exclusive"),
])
def test_bad_values_are_400_naming_field_value_and_rule(
        log: Log, params: dict[str, str], field: str, value: str, rule: str) -> None:
    resp = log.api(**params)
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert (body["field"], body["value"], body["rule"]) == (field, value, rule)
    page = log.client.get("/audit/", query_string=params)
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    problem = text[text.index('data-testid="problem"'):]
    assert f"<code>{field}</code>" in problem and f"<code>{rule}</code>" in problem
    assert f"<code>{html.escape(value)}</code>" in problem
    assert 'data-testid="audit-filter"' in text and _page_rows(text) == []
    for name, typed in params.items():  # the form keeps what was typed
        if name in ("actor", "action", "from", "to", "limit"):
            assert f'value="{html.escape(typed)}"' in text


def test_only_audit_view_reads_the_log(app: Flask, log: Log) -> None:
    bad = {"outcome": "maybe"}  # the permission is checked before the filters
    assert log.client.get("/api/v1/audit", query_string=bad).status_code == 400  # session
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/audit", query_string=bad).status_code == 401
    assert anonymous.get("/audit/", query_string=bad).status_code == 302
    for user, status in ((OPERATOR, 200), (AUDITOR, 200), (VERIFIER, 403), (CUSTOMER, 403)):
        resp = log.client.get("/api/v1/audit", query_string={"action": "ledger."},
                              headers={"Authorization": f"Bearer {api_token(app, user)}"})
        assert resp.status_code == status, user
        if status == 403:
            assert resp.get_json()["rule"] == "permission:audit.view"
            assert log.client.get("/api/v1/audit", query_string=bad, headers={
                "Authorization": f"Bearer {api_token(app, user)}"}).status_code == 403
        browser = app.test_client()
        login(browser, user)
        assert browser.get("/audit/", query_string=bad).status_code == (
            400 if status == 200 else 403), user
