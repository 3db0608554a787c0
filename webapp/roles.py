"""What each certificate role may see and do in the portal.

Why a table: navigation, page guards and API guards read the same permissions, so a page
never shows a link its guard would refuse. Chaincode checks the role attribute again on
every transaction; the portal's guard only keeps users away from pages they cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.network.topology import ROLES

__all__ = ["NAV", "PERMISSIONS", "NavItem", "allowed", "nav_for"]

_ALL = frozenset(ROLES)

#: permission -> roles holding it.
PERMISSIONS: dict[str, frozenset[str]] = {
    "dashboard.view": _ALL,
    "calc.run": _ALL,
    "trace.view": _ALL,
    "ingest.upload": frozenset({"operator", "customer"}),
    "wallet.view": frozenset({"operator", "customer", "municipality", "bridge"}),
    "credits.view": frozenset({"operator", "verifier", "auditor", "municipality", "customer"}),
    "credits.review": frozenset({"verifier"}),
    "audit.view": frozenset({"operator", "auditor"}),
    "reports.view": frozenset({"operator", "customer", "municipality", "verifier", "auditor"}),
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
    NavItem("ingest.upload", "Upload data", "ingest.upload"),
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
