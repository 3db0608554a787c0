"""Wrapped-token records and their keys (partner ledger).

==============================  ===================================  ==================
object type                     attributes                           record
==============================  ===================================  ==================
``envalue.wrapped.config``      ``local``                            `PartnerConfig`
``envalue.wrapped.denom``       source network, lot_id               `Denom`
``envalue.wrapped.holding``     source network, lot_id, owner        `WrappedHolding`
``envalue.wrapped.origin``      source network, pledge_id            `OriginEntry`
``envalue.wrapped.burn``        burn_id                              `Burn`
``envalue.wrapped.retirement``  retirement_id                        `WrappedRetirement`
``envalue.wrapped.htlc``        htlc_id                              `WrappedHtlc`
==============================  ===================================  ==================

Per denomination: ``minted = tradable + locked + burned + retired`` and the holdings sum
to the denomination's tradable, locked and retired figures (`invariants.audit_wrapped`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from envalue.chaincode.domain.bridge.state import Htlc
from envalue.chaincode.domain.proofs.state import LocalNetworkConfig, load_local_config
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.state import Record

__all__ = [
    "BURN",
    "CLAIMED",
    "CONFIG",
    "DENOM",
    "HOLDING",
    "HTLC",
    "ORIGIN",
    "RETIREMENT",
    "VOIDED",
    "Burn",
    "Denom",
    "OriginEntry",
    "PartnerConfig",
    "WrappedHolding",
    "WrappedHtlc",
    "WrappedRetirement",
    "load_config",
]

CONFIG = "envalue.wrapped.config"
DENOM = "envalue.wrapped.denom"
HOLDING = "envalue.wrapped.holding"
ORIGIN = "envalue.wrapped.origin"
BURN = "envalue.wrapped.burn"
RETIREMENT = "envalue.wrapped.retirement"
HTLC = "envalue.wrapped.htlc"

#: Origin-index statuses: both are final, and they exclude each other.
CLAIMED, VOIDED = "claimed", "voided"


@dataclass(kw_only=True)
class PartnerConfig(LocalNetworkConfig):
    KIND: ClassVar[str] = "wrapped configuration"
    TABLE: ClassVar[str] = CONFIG


@dataclass(kw_only=True)
class Denom(Record):
    """Wrapped units of one origin lot: the origin, and totals by state."""

    KIND: ClassVar[str] = "wrapped denomination"
    source_network: str
    lot_id: str
    vintage_start: str
    vintage_end: str
    methodology: str
    methodology_version: str
    serial_range: str
    minted: int = 0
    tradable: int = 0
    locked: int = 0
    burned: int = 0
    retired: int = 0

    @property
    def denom(self) -> str:
        return f"w:{self.source_network}:{self.lot_id}"

    def key(self) -> str:
        return composite_key(DENOM, self.source_network, self.lot_id)


@dataclass(kw_only=True)
class WrappedHolding(Record):
    KIND: ClassVar[str] = "wrapped holding"
    source_network: str
    lot_id: str
    owner: str
    tradable: int = 0
    locked: int = 0
    retired: int = 0

    @property
    def label(self) -> str:
        return f"w:{self.source_network}:{self.lot_id}@{self.owner}"

    def key(self) -> str:
        return composite_key(HOLDING, self.source_network, self.lot_id, self.owner)


@dataclass(kw_only=True)
class OriginEntry(Record):
    """What became of a pledge here: claimed (units minted) or voided (never claimable)."""

    KIND: ClassVar[str] = "origin entry"
    source_network: str
    pledge_id: str
    status: str
    lot_id: str
    quantity_kg: int
    recipient: str
    pledge_owner: str
    expires_at: str
    proof_sha256: str
    recorded_at: str
    recorded_tx: str
    recorded_by: str

    def key(self) -> str:
        return composite_key(ORIGIN, self.source_network, self.pledge_id)


@dataclass(kw_only=True)
class Burn(Record):
    KIND: ClassVar[str] = "burn"
    burn_id: str
    source_network: str
    lot_id: str
    owner: str
    quantity_kg: int
    home_recipient: str
    burned_at: str
    burn_tx: str

    def key(self) -> str:
        return composite_key(BURN, self.burn_id)


@dataclass(kw_only=True)
class WrappedRetirement(Record):
    KIND: ClassVar[str] = "wrapped retirement"
    retirement_id: str
    source_network: str
    lot_id: str
    owner: str
    quantity_kg: int
    beneficiary: str
    purpose: str
    reporting_year: int
    note: str
    retired_at: str
    retire_tx: str

    def key(self) -> str:
        return composite_key(RETIREMENT, self.retirement_id)


@dataclass(kw_only=True)
class WrappedHtlc(Htlc):
    """The HTLC record of the home side, kept in the wrapped tables."""

    KIND: ClassVar[str] = "wrapped HTLC"

    def key(self) -> str:
        return composite_key(HTLC, self.htlc_id)


async def load_config(store: Store) -> PartnerConfig:
    return await load_local_config(store, PartnerConfig,
                                   "the wrapped ledger is not configured (no network id)")
