"""Helpers of the portal tests whose read model is filled from recorded chaincode
transactions (registry, measurement, reports, calculations pages) and whose ledger forms
are checked for their refusals and audit entries."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parents[1] / "registry"))
sys.path.insert(0, str(Path(__file__).parents[1] / "measurement"))

from registry_world import World  # noqa: E402

from envalue.chaincode.domain.events import DomainEvent  # noqa: E402
from envalue.chaincode.identity import Actor  # noqa: E402
from envalue.readmodel import ChaincodeEventRecord  # noqa: E402
from envalue.webapp.db import AuditEntry, PortalUser, get_session  # noqa: E402
from envalue.webapp.services.users import create_api_token  # noqa: E402
from tests.unit.readmodel.readmodel_world import record_submit  # noqa: E402

from .webapp_helpers import csrf_token  # noqa: E402

__all__ = ["RecordingWorld", "api_token", "assert_only_allowed_forms", "bearer", "field_error",
           "ledger_audit", "tx_of"]


class RecordingWorld(World):
    """The registry world whose every committed transaction becomes the
    `ChaincodeEventRecord` the listener would see (one block each)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[ChaincodeEventRecord] = []
        self.emitted: list[tuple[ChaincodeEventRecord, list[DomainEvent]]] = []

    def submit(self, who: Actor, module: ModuleType, msg: Any) -> list[DomainEvent]:
        record, events = record_submit(self, self.records, who, module, msg)
        self.emitted.append((record, events))
        return events


def tx_of(world: RecordingWorld, event: str, **attributes: str) -> tuple[str, int]:
    """The transaction id and block of the record that emitted `event` with `attributes`."""
    for record, events in world.emitted:
        for e in events:
            if e.name == event and all(e.attributes.get(k) == v for k, v in attributes.items()):
                return record.transaction_id, record.block_number
    raise AssertionError(f"no {event} {attributes}")


def ledger_audit(app: Flask) -> list[AuditEntry]:
    with app.app_context():
        return list(get_session().scalars(select(AuditEntry).where(
            AuditEntry.action.like("ledger.%")).order_by(AuditEntry.id)))


def assert_only_allowed_forms(app: Flask, client: FlaskClient, page: str,
                              forms: Mapping[str, tuple[Any, ...]], visible: set[str],
                              post: Callable[[FlaskClient, str, str | None], Any]) -> None:
    """`page` shows exactly the `visible` forms (found by their test id, ``forms[name][1]``)
    and a POST of any other is refused with 403 (the route checks the permission again),
    nothing reaching the ledger's audit trail."""
    resp = client.get(page)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert {name for name, spec in forms.items() if f'data-testid="{spec[1]}"' in html} \
        == visible
    token = csrf_token(client, page)
    for name in set(forms) - visible:
        refused = post(client, name, token)
        assert refused.status_code == 403, name
        assert "may not open this page" in refused.get_data(as_text=True)
    assert ledger_audit(app) == []


def field_error(page: str) -> dict[str, str]:
    match = re.search(r'data-testid="field-error"\s+data-field="([^"]*)" data-rule="([^"]*)" '
                      r'data-status="(\d+)">(.*?)</p>', page, re.S)
    assert match, page
    value = re.search(r'data-testid="error-value">([^<]*)<', match.group(4))
    path = re.search(r'data-testid="error-path">([^<]*)<', match.group(4))
    return {"field": match.group(1), "rule": match.group(2), "status": match.group(3),
            "value": value.group(1) if value else "", "path": path.group(1) if path else ""}


def api_token(app: Flask, username: str) -> str:
    """A fresh API token of the portal user `username`."""
    with app.app_context():
        db = get_session()
        user = db.scalar(select(PortalUser).where(PortalUser.username == username))
        return create_api_token(db, user, "test")


def bearer(app: Flask, username: str) -> dict[str, str]:
    """The Authorization header of a fresh API token of `username`."""
    return {"Authorization": f"Bearer {api_token(app, username)}"}
