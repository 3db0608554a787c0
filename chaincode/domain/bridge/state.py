"""Home-side bridge records and their keys.

====================================  ==============================  ===================
object type                           attributes                      record
====================================  ==============================  ===================
``envalue.bridge.config``             ``local``                       `BridgeConfig`
``envalue.bridge.pledge``             pledge_id                       `Pledge`
``envalue.bridge.return``             partner network, burn_id        `ReturnRecord`
``envalue.bridge.partner_retirement`` partner network, retirement_id  `PartnerRetirement`
``envalue.bridge.htlc``               htlc_id                         `Htlc`
====================================  ==============================  ===================

The return and partner-retirement tables are the home side's "once" indexes: a burn or a
retirement on the partner acts at home at most once. Trust anchors of partner networks
live in `envalue.chaincode.domain.proofs.state`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from envalue.chaincode.domain.proofs.state import LocalNetworkConfig, load_local_config
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.state import Record, load

__all__ = [
    "CONFIG",
    "HTLC",
    "PARTNER_RETIREMENT",
    "PLEDGE",
    "RETURN",
    "BridgeConfig",
    "Htlc",
    "PartnerRetirement",
    "Pledge",
    "ReturnRecord",
    "load_config",
    "load_pledge",
]

CONFIG = "envalue.bridge.config"
PLEDGE = "envalue.bridge.pledge"
RETURN = "envalue.bridge.return"
PARTNER_RETIREMENT = "envalue.bridge.partner_retirement"
HTLC = "envalue.bridge.htlc"

#: Pledge statuses: units in custody, or returned to the owner after expiry.
PLEDGED, RECLAIMED = "pledged", "reclaimed"


@dataclass(kw_only=True)
class BridgeConfig(LocalNetworkConfig):
    """This network's id, as every view it signs names it."""

    KIND: ClassVar[str] = "bridge configuration"
    TABLE: ClassVar[str] = CONFIG


@dataclass(kw_only=True)
class Pledge(Record):
    """Units escrowed to the bridge for `target_network`, with their origin."""

    KIND: ClassVar[str] = "pledge"
    pledge_id: str
    network_id: str
    lot_id: str
    owner: str
    quantity_kg: int
    target_network: str
    recipient: str
    expires_at: str
    status: str
    vintage_start: str
    vintage_end: str
    methodology: str
    methodology_version: str
    serial_range: str
    pledged_at: str
    pledge_tx: str
    closed_at: str = ""
    closed_tx: str = ""
    closed_by: str = ""

    def key(self) -> str:
        return composite_key(PLEDGE, self.pledge_id)


@dataclass(kw_only=True)
class ReturnRecord(Record):
    """A partner burn acted on at home: which units went to whom."""

    KIND: ClassVar[str] = "return"
    partner_network: str
    burn_id: str
    lot_id: str
    quantity_kg: int
    recipient: str
    proof_sha256: str
    released_at: str
    released_tx: str
    released_by: str

    def key(self) -> str:
        return composite_key(RETURN, self.partner_network, self.burn_id)


@dataclass(kw_only=True)
class PartnerRetirement(Record):
    """A retirement on the partner recorded at home, with the home serial range."""

    KIND: ClassVar[str] = "partner retirement"
    partner_network: str
    retirement_id: str
    lot_id: str
    quantity_kg: int
    beneficiary: str
    home_serial: str
    proof_sha256: str
    recorded_at: str
    recorded_tx: str

    def key(self) -> str:
        return composite_key(PARTNER_RETIREMENT, self.partner_network, self.retirement_id)


@dataclass(kw_only=True)
class Htlc(Record):
    """A hash time-locked escrow (the same record shape on both ledgers)."""

    KIND: ClassVar[str] = "HTLC"
    htlc_id: str
    lot_id: str
    owner: str
    recipient: str
    quantity_kg: int
    hash_lock: str
    expires_at: str
    status: str  # locked | claimed | refunded
    locked_at: str
    locked_tx: str
    source_network: str = ""  # wrapped side: the origin network of the units
    preimage: str = ""
    closed_at: str = ""
    closed_tx: str = ""
    closed_by: str = ""

    def key(self) -> str:
        return composite_key(HTLC, self.htlc_id)


async def load_config(store: Store) -> BridgeConfig:
    """This network's bridge configuration, or NotFoundError until governance sets it."""
    return await load_local_config(store, BridgeConfig,
                                   "the bridge is not configured (no network id)")


async def load_pledge(store: Store, pledge_id: str, field: str = "pledge_id") -> Pledge:
    return await load(store, Pledge, composite_key(PLEDGE, pledge_id), field, pledge_id)
