"""What each certificate role may see and do in the portal.

Why a table: navigation, page guards, form visibility and API guards read the same
permissions, so a page never shows a link or a form its guard would refuse. Chaincode
checks the role attribute again on every transaction; the portal's guard only keeps users
away from what they cannot use.

The write permissions mirror the chaincode's checks (`chaincode/domain/tokens/access.py`,
`cancel_rules.py` and the credit messages' ``require_*`` calls):

- moving a holding (transfer, retire, escrow, release) is checked by ownership only
  (``require_owner``), so the portal grants it to the roles that hold a wallet;
- program management (create, enroll, open, add lots, submit, release) and settlement
  (``credits.issue``) are ``require_platform_operator``: role ``operator``;
- approving or rejecting a monitoring report is ``require_verifier``: role ``verifier``;
- a cancellation is requested by one authority and approved by the other
  (``cancel_rules.authority_of``: Platform ``operator`` or ``verifier``), so both roles
  hold both cancel permissions and chaincode refuses a same-authority approval;
- credit transfers and retirements are ownership checks (``load_credit_holding``);
- registering sites, equipment, meters and edge devices is ``registry.access
  .require_acts_for``: roles `OWNER_ROLES` (customer, municipality, operator) for their own
  org, a PlatformMSP operator for any org (``registry.manage``);
- proposing and approving methodology and factor versions is ``governance
  .require_proposer``/``approve``: a PlatformMSP operator or a verifier (``registry.govern``);
- anchoring a device-signed batch (``msg_anchor_batch``) and calculating an equipment's
  reductions (``msg_calculate``) are ``require_acts_for`` the equipment owner's org, like
  registering: roles `OWNER_ROLES` (``calculations.anchor``, ``calculations.calculate``);
- approving or rejecting a calculation (``measurement.review``) is ``require_verifier`` and
  not of the owner's org: role ``verifier`` (``calculations.review``);
- minting an approved reduction (``msg_mint``) is ``require_platform_operator``: role
  ``operator`` (``calculations.mint``); the equipment owner receives the lot but does not
  mint it;
- calculations are listed like the registry (``registry.view.all`` sees every org's).

The table knows roles only: an ``operator`` of another org than PlatformMSP passes the
portal's guard and is refused by chaincode (rule ``platform-operator``), which the form
then shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.registry.access import OWNER_ROLES
from envalue.network.topology import ROLES

__all__ = ["NAV", "PERMISSIONS", "NavItem", "allowed", "nav_for"]

_ALL = frozenset(ROLES)
#: roles with a wallet: chaincode lets only a holding's owner move it (`require_owner`)
_HOLDERS = frozenset({"operator", "customer", "municipality", "bridge"})
#: `require_platform_operator` (role operator; chaincode also requires PlatformMSP)
_PLATFORM_OPERATOR = frozenset({"operator"})
#: `require_verifier`
_VERIFIER = frozenset({"verifier"})
#: `cancel_rules.AUTHORITIES`: either may request, the other approves
_CANCEL_AUTHORITIES = _PLATFORM_OPERATOR | _VERIFIER
#: credits are issued to the program operator and sold to members (ownership checks)
_CREDIT_HOLDERS = frozenset({"operator", "customer", "municipality"})
#: `registry.access.require_acts_for`: these roles act for their own org's assets
_REGISTRANTS = frozenset(OWNER_ROLES)
#: `governance.require_proposer` / approvals: PlatformMSP operator or verifier
_GOVERNORS = _PLATFORM_OPERATOR | _VERIFIER

#: permission -> roles holding it.
PERMISSIONS: dict[str, frozenset[str]] = {
    "dashboard.view": _ALL,
    "calc.run": _ALL,
    "trace.view": _ALL,
    "ingest.upload": frozenset({"operator", "customer"}),
    "wallet.view": _HOLDERS,
    "wallet.transfer": _HOLDERS,
    "wallet.retire": _HOLDERS,
    "wallet.escrow": _HOLDERS,
    "tokens.cancel.request": _CANCEL_AUTHORITIES,
    "tokens.cancel.approve": _CANCEL_AUTHORITIES,
    "credits.view": frozenset({"operator", "verifier", "auditor", "municipality", "customer"}),
    "credits.program.manage": _PLATFORM_OPERATOR,
    "credits.issue": _PLATFORM_OPERATOR,
    "credits.review": _VERIFIER,
    "credits.trade": _CREDIT_HOLDERS,
    "credits.retire": _CREDIT_HOLDERS,
    "audit.view": frozenset({"operator", "auditor"}),
    #: CSV exports of every holder's rows (the page also requires PlatformMSP)
    "exports.all": frozenset({"operator", "auditor"}),
    "reports.view": frozenset({"operator", "customer", "municipality", "verifier", "auditor"}),
    "registry.view": _ALL,
    #: every org's sites (oversight); other roles see their own org's registry only
    "registry.view.all": frozenset({"operator", "verifier", "auditor"}),
    "registry.manage": _REGISTRANTS,
    "registry.govern": _GOVERNORS,
    #: calculations of the user's org (every org's with ``registry.view.all``)
    "calculations.view": _ALL,
    "calculations.anchor": _REGISTRANTS,
    "calculations.calculate": _REGISTRANTS,
    "calculations.review": _VERIFIER,
    "calculations.mint": _PLATFORM_OPERATOR,
}


def allowed(role: str | None, permission: str) -> bool:
    """Whether `role` holds `permission` (unknown permissions are refused)."""
    return bool(role) and role in PERMISSIONS.get(permission, frozenset())


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str  # an English msgid, translated when rendered
    permission: str


NAV: tuple[NavItem, ...] = (
    NavItem("dashboard.index", "Dashboard", "dashboard.view"),
    NavItem("registry.index", "Equipment and meters", "registry.view"),
    NavItem("ingest.upload", "Upload data", "ingest.upload"),
    NavItem("calculations.index", "Calculations", "calculations.view"),
    NavItem("calc.index", "Calculator", "calc.run"),
    NavItem("wallet.index", "Wallet", "wallet.view"),
    NavItem("credits.index", "Credits", "credits.view"),
    NavItem("trace.index", "Traceability", "trace.view"),
    NavItem("reports.index", "Reports", "reports.view"),
    NavItem("audit.index", "Audit log", "audit.view"),
)


def nav_for(role: str | None) -> list[NavItem]:
    """The navigation entries a user with `role` may open."""
    return [item for item in NAV if allowed(role, item.permission)]
