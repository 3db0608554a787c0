"""The certificate's role decides navigation and page guards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ForbiddenError
from envalue.chaincode.domain.registry.access import require_acts_for
from envalue.chaincode.domain.registry.governance import require_proposer
from envalue.chaincode.domain.tokens.access import require_platform_operator, require_verifier
from envalue.chaincode.domain.tokens.cancel_rules import authority_of
from envalue.chaincode.identity import Actor
from envalue.network.topology import ROLES
from envalue.webapp.roles import NAV, allowed, nav_for

from .webapp_helpers import login

pytestmark = pytest.mark.unit


def test_nav_follows_the_permission_table() -> None:
    assert [i.endpoint for i in nav_for("verifier")] == [
        "dashboard.index", "registry.index", "calculations.index", "calc.index",
        "credits.index", "trace.index", "reports.index"]
    assert "ingest.upload" in [i.endpoint for i in nav_for("customer")]
    assert "audit.index" in [i.endpoint for i in nav_for("auditor")]
    assert nav_for(None) == [] and nav_for("stranger") == []
    assert not allowed("operator", "no.such.permission")
    assert {i.endpoint for i in NAV} >= {i.endpoint for i in nav_for("operator")}


def _passes(check: Callable[[], object]) -> bool:
    try:
        check()
    except ForbiddenError:
        return False
    return True


@pytest.mark.parametrize("role", sorted(ROLES))
def test_write_permissions_follow_the_chaincodes_checks(role: str) -> None:
    """The portal offers a write to exactly the roles the chaincode would accept it from
    (a PlatformMSP identity here: the table knows roles, chaincode also checks the org)."""
    ctx = TxContext("tx-1", datetime(2026, 4, 1, tzinfo=UTC),
                    Actor("PlatformMSP", "x509::CN=u::CN=ca.platform", {"role": role}))
    operator = _passes(lambda: require_platform_operator(ctx, "manage a program"))
    assert allowed(role, "credits.program.manage") is operator
    assert allowed(role, "credits.issue") is operator
    assert allowed(role, "credits.review") is _passes(lambda: require_verifier(ctx, "review"))
    authority = _passes(lambda: authority_of(ctx, "cancel"))
    assert allowed(role, "tokens.cancel.request") is authority
    assert allowed(role, "tokens.cancel.approve") is authority
    # moving a holding is an ownership check: every role with a wallet may ask
    for permission in ("wallet.transfer", "wallet.retire", "wallet.escrow"):
        assert allowed(role, permission) is allowed(role, "wallet.view")
    assert allowed(role, "credits.trade") is allowed(role, "credits.retire")
    if allowed(role, "credits.trade"):  # holders of credits see them on both pages
        assert allowed(role, "credits.view") and allowed(role, "wallet.view")


@pytest.mark.parametrize("msp", ["PlatformMSP", "CustomerMSP"])
@pytest.mark.parametrize("role", sorted(ROLES))
def test_registry_permissions_follow_the_chaincodes_checks(role: str, msp: str) -> None:
    """Registering for one's own org (`require_acts_for`) and governance proposals and
    approvals (`require_proposer`, `approve`) are offered to exactly the roles the
    chaincode accepts (a PlatformMSP identity for governance: the table knows roles)."""
    ctx = TxContext("tx-1", datetime(2026, 4, 1, tzinfo=UTC),
                    Actor(msp, "x509::CN=u::CN=ca", {"role": role}))
    manages = _passes(lambda: require_acts_for(ctx, msp, "register a site"))
    assert allowed(role, "registry.manage") is manages
    if msp == "PlatformMSP":
        governs = _passes(lambda: require_proposer(ctx, "propose a factor"))
        assert allowed(role, "registry.govern") is governs
    assert allowed(role, "registry.view")


@pytest.mark.parametrize(("user", "visible", "hidden"), [
    ("verifier1@platform", ["/credits/"], ["/ingest/", "/wallet/", "/audit/"]),
    ("customer1@customer", ["/ingest/", "/wallet/"], ["/audit/"]),
    ("auditor1@platform", ["/audit/", "/credits/"], ["/ingest/", "/wallet/"]),
])
def test_pages_are_guarded_by_role(client: FlaskClient, user: str, visible: list[str],
                                   hidden: list[str]) -> None:
    login(client, user)
    page = client.get("/dashboard").get_data(as_text=True)
    for path in visible:
        assert f'href="{path}"' in page
    for path in hidden:
        assert f'href="{path}"' not in page
        resp = client.get(path)
        assert resp.status_code == 403, path
        assert "may not open this page" in resp.get_data(as_text=True)


def test_guarded_pages_send_strangers_to_sign_in(client: FlaskClient) -> None:
    resp = client.get("/wallet/")
    assert resp.status_code == 302 and "/login?next=/wallet/" in resp.headers["Location"]


def test_role_shown_comes_from_the_certificate(client: FlaskClient) -> None:
    login(client, "customer1@customer")
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="role">customer<' in page and "CustomerMSP" in page


def test_certificate_without_role_cannot_become_a_portal_user(app, fabric_ca) -> None:  # type: ignore[no-untyped-def]
    from envalue.webapp.db import get_session
    from envalue.webapp.errors import PortalError
    from envalue.webapp.services.users import key_secret, provision

    cert, key = fabric_ca.issue("norole", None)
    with app.app_context(), pytest.raises(PortalError) as info:
        provision(get_session(), org_key="platform", enrollment_id="norole", cert_pem=cert,
                  private_key=key, password="a long password", secret=key_secret(app.config))
    assert info.value.rule == "role_attribute"
    other_cert, _ = fabric_ca.issue("x", {"role": "operator"})
    with app.app_context(), pytest.raises(PortalError) as info:
        provision(get_session(), org_key="platform", enrollment_id="x", cert_pem=other_cert,
                  private_key=key, password="a long password", secret=key_secret(app.config))
    assert info.value.rule == "key_matches_certificate"
