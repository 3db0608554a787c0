"""Registry and governance records and their key scheme.

Keys are Fabric composite keys (`composite_key`); each table can be range-queried by its
leading attributes:

=================================  ==============================  ======================
object type                        attributes                      record
=================================  ==============================  ======================
``envalue.registry.site``          site_id                         `Site`
``envalue.registry.equipment``     equipment_id                    `Equipment`
``envalue.registry.meter``         meter_id                        `Meter`
``envalue.registry.meter_of``      equipment_id, meter_id          index, value ``{}``
``envalue.registry.device``        device_id                       `EdgeDevice`
``envalue.gov.methodology``        name, version                   `MethodologyVersion`
``envalue.gov.factor``             series, factor_id, version      `FactorVersion`
``envalue.gov.genesis``            (none)                          `Genesis`
=================================  ==============================  ======================

Records are JSON objects with sorted keys and no insignificant whitespace, so every
endorsing peer writes identical bytes. Every record keeps the id of the transaction that
wrote it (``tx_id``), which is what the traceability query reports for each step.
Timestamps are the fixed-width UTC form ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; decimals are
plain decimal strings; dates (validity of factors and methodologies) are Japan calendar
dates ``YYYY-MM-DD`` (see `VALIDITY_TZ`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta, timezone
from typing import ClassVar, TypeVar

from envalue.chaincode.domain import records
from envalue.chaincode.domain.records import JsonRecord, canonical_json, save
from envalue.chaincode.domain.store import Store, composite_key

__all__ = [
    "DEVICE",
    "EQUIPMENT",
    "FACTOR",
    "GENESIS",
    "METER",
    "METER_OF",
    "METHODOLOGY",
    "SITE",
    "VALIDITY_TZ",
    "Approval",
    "EdgeDevice",
    "Equipment",
    "FactorVersion",
    "Genesis",
    "MethodologyVersion",
    "Meter",
    "Record",
    "Site",
    "canonical_json",
    "load",
    "load_or_none",
    "save",
]

SITE = "envalue.registry.site"
EQUIPMENT = "envalue.registry.equipment"
METER = "envalue.registry.meter"
METER_OF = "envalue.registry.meter_of"
DEVICE = "envalue.registry.device"
METHODOLOGY = "envalue.gov.methodology"
FACTOR = "envalue.gov.factor"
GENESIS = "envalue.gov.genesis"

#: Validity dates of factors and methodologies are Japan calendar dates (JST has no DST,
#: so a fixed offset is exact and needs no time-zone database on the peer).
VALIDITY_TZ = timezone(timedelta(hours=9), "JST")


R = TypeVar("R", bound="Record")


@dataclass(frozen=True)
class Record(JsonRecord):
    """A registry-family record (`envalue.chaincode.domain.records`) stored under the
    composite key of `TABLE` and `key_parts()`; non-ASCII is written as UTF-8."""

    TABLE: ClassVar[str] = ""
    ENSURE_ASCII: ClassVar[bool] = False

    def key_parts(self) -> tuple[str, ...]:
        """The composite-key attributes of this record."""
        raise NotImplementedError

    def key(self) -> str:
        return composite_key(self.TABLE, *self.key_parts())


async def load_or_none(store: Store, cls: type[R], *parts: str) -> R | None:
    """The committed record of `cls` under `parts`, or None."""
    return await records.load_or_none(store, cls, composite_key(cls.TABLE, *parts))


async def load(store: Store, cls: type[R], *parts: str, field_name: str, what: str) -> R:
    """The committed record, or a NotFoundError naming `field_name`."""
    shown = "/".join(parts)
    return await records.load_required(store, cls, composite_key(cls.TABLE, *parts),
                                       field_name, shown, f"{what} {shown!r} is not registered")


@dataclass(frozen=True)
class Site(Record):
    """A place where equipment runs (a public facility, a factory)."""

    TABLE: ClassVar[str] = SITE
    site_id: str
    name: str
    owner_msp: str
    address: str
    registered_by: str
    registered_at: str
    tx_id: str

    def key_parts(self) -> tuple[str, ...]:
        return (self.site_id,)


@dataclass(frozen=True)
class Equipment(Record):
    """A boiler, PV array, battery… enrolled in one methodology version.

    `factor_bindings` name the factor series the calculation takes its factors from
    (roles: ``grid``; ``project_fuel``/``baseline_fuel`` for boilers; ``fuel``,
    ``fuel_gas``, ``fuel_mass`` for inventories); `parameters` are fixed methodology
    inputs (``eff_bl``, ``ef_market``, ``certificates_kwh``) as decimal strings.
    `spec_documents` maps a document name to the SHA-256 of its bytes.
    """

    TABLE: ClassVar[str] = EQUIPMENT
    equipment_id: str
    site_id: str
    owner_msp: str
    owner: str
    equipment_type: str
    rated_capacity: str
    capacity_unit: str
    efficiency: str
    commissioning_date: str
    methodology: str
    methodology_version: str
    factor_bindings: dict[str, str]
    parameters: dict[str, str]
    spec_documents: dict[str, str]
    registered_by: str
    registered_at: str
    tx_id: str

    def key_parts(self) -> tuple[str, ...]:
        return (self.equipment_id,)


@dataclass(frozen=True)
class Meter(Record):
    """A measuring device of an equipment.

    `quantities` are its channels, ``[{"quantity": "pv_generation", "unit": "kWh"}, …]``
    (a single-channel meter has one). Verification is valid on the half-open span
    ``[verification_valid_from, verification_valid_until)``.
    """

    TABLE: ClassVar[str] = METER
    meter_id: str
    equipment_id: str
    serial: str
    quantities: list[dict[str, str]]
    accuracy_class: str
    verification_valid_from: str
    verification_valid_until: str
    counter_capacity: int | None
    registered_by: str
    registered_at: str
    tx_id: str

    def key_parts(self) -> tuple[str, ...]:
        return (self.meter_id,)

    def unit_of(self, quantity: str) -> str | None:
        """The registered unit of channel `quantity`, or None when it has none."""
        for channel in self.quantities:
            if channel["quantity"] == quantity:
                return channel["unit"]
        return None


@dataclass(frozen=True)
class EdgeDevice(Record):
    """An ILIPS-style gateway or PUSHLOG-style logger that signs the batches it sends.

    `public_key_pem` is an ECDSA P-256 SubjectPublicKeyInfo PEM; `meter_ids` are the
    meters whose batches it may sign.
    """

    TABLE: ClassVar[str] = DEVICE
    device_id: str
    kind: str
    owner_msp: str
    public_key_pem: str
    key_fingerprint: str
    meter_ids: list[str]
    registered_by: str
    registered_at: str
    tx_id: str

    def key_parts(self) -> tuple[str, ...]:
        return (self.device_id,)


@dataclass(frozen=True)
class Approval:
    """One governance approval: who, in which role, in which transaction."""

    role: str
    actor: str
    msp_id: str
    tx_id: str
    at: str


@dataclass(frozen=True)
class MethodologyVersion(Record):
    """A methodology version on the ledger; ``active`` after operator + verifier approval.

    The code that runs is the chaincode's built-in implementation of (name, version); its
    formula text must hash to `formula_hash` or the calculation is refused.
    """

    TABLE: ClassVar[str] = METHODOLOGY
    name: str
    version: str
    title: str
    formula: str
    formula_hash: str
    source: str
    valid_from: str
    valid_until: str
    status: str
    proposed_by: str
    proposed_tx: str
    approvals: list[dict[str, str]] = field(default_factory=list)
    activated_tx: str = ""
    genesis: bool = False

    def key_parts(self) -> tuple[str, ...]:
        return (self.name, self.version)


@dataclass(frozen=True)
class FactorVersion(Record):
    """A factor version on the ledger.

    `series` groups the factors a calculation chooses among by validity (``jp-grid``:
    one factor per fiscal year; a fuel key such as ``a_heavy_oil``); `factor_id` is one
    factor of the series, and its versions are corrections (the highest active version
    wins). `values` hold decimal strings or exact expressions (``"0.0193*44/12"``) keyed
    by parameter: fuels ``hv`` (GJ per `unit`) and ``cef`` (t-CO2/GJ); grid ``ef_grid``
    (t-CO2/kWh). An empty `values` means no figure is registered yet.
    """

    TABLE: ClassVar[str] = FACTOR
    series: str
    factor_id: str
    version: str
    kind: str
    unit: str
    values: dict[str, str]
    value_units: dict[str, str]
    source: str
    valid_from: str
    valid_until: str
    note: str
    status: str
    proposed_by: str
    proposed_tx: str
    approvals: list[dict[str, str]] = field(default_factory=list)
    activated_tx: str = ""
    genesis: bool = False

    def key_parts(self) -> tuple[str, ...]:
        return (self.series, self.factor_id, self.version)


@dataclass(frozen=True)
class Genesis(Record):
    """Marks that the built-in methodologies and factor sets were registered."""

    TABLE: ClassVar[str] = GENESIS
    by: str
    at: str
    tx_id: str
    methodologies: list[str]
    factors: list[str]

    def key_parts(self) -> tuple[str, ...]:
        return ()
