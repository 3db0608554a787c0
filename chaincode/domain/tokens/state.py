"""Token ledger records and their key scheme (all world state of the token module).

Keys are Fabric composite keys (`composite_key`), so every table can be range-queried by
its leading attributes:

===============================  ==========================================  ==============
object type                      attributes                                  record
===============================  ==========================================  ==============
``envalue.token.lot``            lot_id                                      `Lot`
``envalue.token.supply``         lot_id                                      `LotSupply`
``envalue.token.holding``        lot_id, owner                               `Holding`
``envalue.token.owner``          owner, lot_id (index, value ``{}``)         –
``envalue.token.escrow``         escrow_id                                   `Escrow`
``envalue.token.retirement``     lot_id, first serial (12 digits)            `Retirement`
``envalue.token.cancel``         request_id                                  `CancelRequest`
``envalue.token.history``        lot_id, owner, timestamp, tx_id, index      `HistoryEntry`
===============================  ==========================================  ==============

A lot's `LotSupply` sums each state over all holdings; `invariants.audit_supply` proves
``issued = tradable + escrowed + retired + bundled + bridged_out + cancelled`` per lot and
that the holdings add up to the supply. Plain transfers touch only the two holdings (and
their history), never the lot's supply record, so transfers of different holdings of one
lot do not conflict under Fabric's MVCC.

Serial numbers: the kg units of a lot are numbered ``1..issued``. A retirement takes the
next free range from the lot's counter ``LotSupply.next_serial`` and is identified as
``ENV-<lot_id>-<first>-<last>`` (decimal, no padding; e.g. ``ENV-LOT-7-1-250``). Because at
most ``issued`` units are ever retired, ranges never overlap and never exceed ``issued``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

from envalue.chaincode.domain import records
from envalue.chaincode.domain.records import JsonRecord, load_or_none, save
from envalue.chaincode.domain.store import Store, composite_key

__all__ = [
    "CANCEL",
    "ESCROW",
    "HISTORY",
    "HOLDING",
    "LOT",
    "OWNER_INDEX",
    "RETIREMENT",
    "RETIREMENT_PURPOSES",
    "SUPPLY",
    "TOKEN_STATES",
    "Balances",
    "CancelRequest",
    "Escrow",
    "HistoryEntry",
    "Holding",
    "Lot",
    "LotSupply",
    "Record",
    "Retirement",
    "holding_label",
    "load",
    "load_or_none",
    "retirement_serial",
    "save",
]

LOT = "envalue.token.lot"
SUPPLY = "envalue.token.supply"
HOLDING = "envalue.token.holding"
OWNER_INDEX = "envalue.token.owner"
ESCROW = "envalue.token.escrow"
RETIREMENT = "envalue.token.retirement"
CANCEL = "envalue.token.cancel"
HISTORY = "envalue.token.history"

#: The states a kg unit of a lot can be in; their sum per lot is always the issued amount.
TOKEN_STATES: tuple[str, ...] = (
    "tradable", "escrowed", "retired", "bundled", "bridged_out", "cancelled",
)

#: Why units are retired (J-Credit / reporting uses).
RETIREMENT_PURPOSES: tuple[str, ...] = (
    "carbon_offset_product",  # offsetting a product or service (carbon-neutral claims)
    "japan_reporting_act",  # disclosure under the Global Warming Countermeasures Act
    "voluntary",  # voluntary offsetting or claims
    "other",
)


class Record(JsonRecord):
    """A token-family record (`envalue.chaincode.domain.records`): sorted keys, no floats,
    non-ASCII escaped; `KIND` names it in NotFoundError messages."""

    KIND: ClassVar[str] = "record"
    ENSURE_ASCII: ClassVar[bool] = True


@dataclass(kw_only=True)
class Balances(Record):
    """Integer kg-CO2e in each state."""

    tradable: int = 0
    escrowed: int = 0
    retired: int = 0
    bundled: int = 0
    bridged_out: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, s) for s in TOKEN_STATES)

    def states(self) -> dict[str, int]:
        return {s: getattr(self, s) for s in TOKEN_STATES}

    def move(self, source: str | None, target: str | None, quantity: int) -> None:
        """Move `quantity` from state `source` to `target` (None: enters or leaves here).

        Callers check availability first; this asserts it so a bug can never write a
        negative balance.
        """
        if source is not None:
            remaining = getattr(self, source) - quantity
            if remaining < 0:
                raise AssertionError(f"{source} would become negative ({remaining})")
            setattr(self, source, remaining)
        if target is not None:
            setattr(self, target, getattr(self, target) + quantity)


@dataclass(kw_only=True)
class Lot(Record):
    """What was minted: the immutable facts of a token lot."""

    KIND: ClassVar[str] = "lot"
    lot_id: str
    issued_kg: int
    vintage_start: str
    vintage_end: str
    methodology: str
    methodology_version: str
    site_id: str
    equipment_id: str
    calculation_id: str
    meters_valid: bool
    first_owner: str
    minted_by: str
    minted_at: str
    mint_tx: str

    def key(self) -> str:
        return composite_key(LOT, self.lot_id)


@dataclass(kw_only=True)
class LotSupply(Balances):
    """Per-lot totals of every state, and the next free retirement serial."""

    KIND: ClassVar[str] = "lot supply"
    lot_id: str
    issued: int
    next_serial: int = 1

    def key(self) -> str:
        return composite_key(SUPPLY, self.lot_id)


@dataclass(kw_only=True)
class Holding(Balances):
    """One owner's units of one lot, by state."""

    KIND: ClassVar[str] = "holding"
    lot_id: str
    owner: str

    def key(self) -> str:
        return composite_key(HOLDING, self.lot_id, self.owner)

    @property
    def label(self) -> str:
        return holding_label(self.lot_id, self.owner)


@dataclass(kw_only=True)
class Escrow(Record):
    """Units of a holding set aside for a named counterparty until `expires_at`."""

    KIND: ClassVar[str] = "escrow"
    escrow_id: str
    lot_id: str
    owner: str
    counterparty: str
    quantity_kg: int
    expires_at: str
    status: str  # open | released | settled
    opened_at: str
    opened_tx: str
    closed_at: str = ""
    closed_tx: str = ""
    closed_by: str = ""

    def key(self) -> str:
        return composite_key(ESCROW, self.escrow_id)


@dataclass(kw_only=True)
class Retirement(Record):
    """A retirement: who retired which serial range, for whom and why."""

    KIND: ClassVar[str] = "retirement"
    serial: str
    lot_id: str
    owner: str
    quantity_kg: int
    serial_first: int
    serial_last: int
    beneficiary: str
    purpose: str
    reporting_year: int
    note: str
    retired_by: str
    retired_at: str
    tx_id: str

    def key(self) -> str:
        return composite_key(RETIREMENT, self.lot_id, f"{self.serial_first:012d}")


@dataclass(kw_only=True)
class CancelRequest(Record):
    """A requested administrative cancellation, approved by the other authority."""

    KIND: ClassVar[str] = "cancel request"
    request_id: str
    lot_id: str
    owner: str
    quantity_kg: int
    reason: str
    requested_by: str
    requested_role: str
    requested_at: str
    request_tx: str
    status: str = "pending"  # pending | approved
    approved_by: str = ""
    approved_at: str = ""
    approve_tx: str = ""

    def key(self) -> str:
        return composite_key(CANCEL, self.request_id)


@dataclass(kw_only=True)
class HistoryEntry(Record):
    """One change to one holding: which states moved by how much, who, when, which tx."""

    KIND: ClassVar[str] = "history entry"
    lot_id: str
    owner: str
    action: str
    changes: dict[str, int] = field(default_factory=dict)
    counterparty: str = ""
    reference: str = ""
    who: str
    when: str
    tx_id: str
    index: int

    def key(self) -> str:
        return composite_key(
            HISTORY, self.lot_id, self.owner, self.when, self.tx_id, f"{self.index:05d}"
        )


R = TypeVar("R", bound=Record)


def holding_label(lot_id: str, owner: str) -> str:
    """How a holding is named in messages: ``<lot_id>@<owner>``."""
    return f"{lot_id}@{owner}"


def retirement_serial(lot_id: str, first: int, last: int) -> str:
    """The serial identifier of a retired range, ``ENV-<lot_id>-<first>-<last>``."""
    return f"ENV-{lot_id}-{first}-{last}"


async def load(store: Store, cls: type[R], key: str, field: str, value: str) -> R:
    """The record under `key`, or a NotFoundError naming the field that referred to it."""
    return await records.load_required(store, cls, key, field, value,
                                       f"{cls.KIND} {value!r} does not exist")
