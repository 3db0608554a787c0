"""Bridge → read model: pledges, HTLCs and partner retirements on envalue's side (records
from `envalue.chaincode.domain.bridge.state`).

The partner ledger's wrapped-token events (`envalue.chaincode.domain.wrapped`) belong to
another network's chaincode; envalue's listener never receives them, and one that arrives
anyway is kept unprojected with `PARTNER_EVENTS`' reason.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from envalue.chaincode.domain.bridge import state as bs
from envalue.chaincode.domain.tokens import state as ts

from .projection import EventRule, Mirror, Ref, upsert
from .schema import Htlc, PartnerRetirement, Pledge

__all__ = ["MIRRORS", "PARTNER_EVENTS", "RULES"]


def _pledge(session: Session, p: bs.Pledge, ref: Ref) -> None:
    upsert(session, Pledge, ref, pledge_id=p.pledge_id, lot_id=p.lot_id, owner=p.owner,
           quantity_kg=p.quantity_kg, target_network=p.target_network, recipient=p.recipient,
           expires_at=p.expires_at, status=p.status)


def _htlc(session: Session, h: bs.Htlc, ref: Ref) -> None:
    upsert(session, Htlc, ref, htlc_id=h.htlc_id, lot_id=h.lot_id, owner=h.owner,
           recipient=h.recipient, quantity_kg=h.quantity_kg, hash_lock=h.hash_lock,
           expires_at=h.expires_at, status=h.status)


def _partner_retirement(session: Session, r: bs.PartnerRetirement, ref: Ref) -> None:
    upsert(session, PartnerRetirement, ref, partner_network=r.partner_network,
           retirement_id=r.retirement_id, lot_id=r.lot_id, quantity_kg=r.quantity_kg,
           beneficiary=r.beneficiary, home_serial=r.home_serial)


MIRRORS: tuple[Mirror, ...] = (
    Mirror(bs.PLEDGE, bs.Pledge, _pledge),
    Mirror(bs.HTLC, bs.Htlc, _htlc),
    Mirror(bs.PARTNER_RETIREMENT, bs.PartnerRetirement, _partner_retirement),
)

_QTY = ("quantity_kg",)

RULES: dict[str, EventRule] = {
    # configuration and trusted networks: no page lists them (the event log keeps them)
    "EventConfigureBridge": EventRule(strs=("network_id",)),
    "EventRegisterNetwork": EventRule(strs=("network_id",)),
    "EventPledge": EventRule((bs.PLEDGE, ts.HOLDING), _QTY, ("pledge_id", "lot_id")),
    "EventReclaim": EventRule((bs.PLEDGE, ts.HOLDING), _QTY, ("pledge_id", "lot_id")),
    "EventBridgeReturn": EventRule((ts.HOLDING,), _QTY, ("burn_id", "lot_id")),
    "EventPartnerRetirement": EventRule((bs.PARTNER_RETIREMENT,), _QTY,
                                        ("retirement_id", "lot_id")),
    "EventHtlcLock": EventRule((bs.HTLC,), _QTY, ("htlc_id", "lot_id")),
    "EventHtlcClaim": EventRule((bs.HTLC,), _QTY, ("htlc_id",)),
    "EventHtlcRefund": EventRule((bs.HTLC,), _QTY, ("htlc_id",)),
}

PARTNER_EVENTS: frozenset[str] = frozenset({
    "EventConfigureWrapped", "EventClaim", "EventVoid", "EventWrappedTransfer", "EventBurn",
    "EventWrappedRetire", "EventWrappedHtlcLock", "EventWrappedHtlcClaim",
    "EventWrappedHtlcRefund",
})
