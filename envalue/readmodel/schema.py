"""The read model's tables: what the portal's pages list, kept off the ledger.

Why a separate database: pages must not scan the ledger, so a listener projects the
channel's committed transactions into these tables (`projector`). The ledger stays the
source of truth: every row keeps the transaction id and block number of its last change,
so a page can send a reader to the ledger record behind it.

Quantities are integers (kg-CO2e, t-CO2) in ``BigInteger`` columns; nothing is a float.
Owner keys are the ledger's holder keys (``<msp id>/<client id>``) and ``owner_msp`` their
MSP part, so off-chain dashboards can be scoped by organisation.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    inspect,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

__all__ = [
    "AppliedEvent", "Base", "Calculation", "Cancellation", "Checkpoint", "CreditBatch",
    "CreditHolding", "CreditProgram", "CreditRetirement", "CreditShare", "CreditTransfer",
    "Device", "Equipment", "Escrow", "FactorVersion", "GovernedVersion", "Holding", "Htlc",
    "ListenerStatus",
    "MeasurementBatch", "Meter", "MethodologyVersion", "MonitoringReport",
    "PartnerRetirement", "Pledge", "ProgramSite", "ReportMember", "Retirement", "SchemaMark",
    "Site", "TokenLot", "Transfer", "UnprojectedEvent", "ensure_schema", "make_engine",
    "make_sessions", "schema_fingerprint", "utcnow",
]

KEY = String(512)  # holder keys carry two X.509 distinguished names
ID = String(256)


def utcnow() -> datetime:
    return datetime.now(UTC)


_log = logging.getLogger("envalue.readmodel")


class Base(DeclarativeBase):
    pass


class LedgerRef:
    """Where on the ledger a row last changed."""

    tx_id: Mapped[str] = mapped_column(String(64))
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)


# -- registry and measurement ------------------------------------------------------------

class Site(LedgerRef, Base):
    __tablename__ = "rm_sites"
    site_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    owner_msp: Mapped[str] = mapped_column(String(64), index=True)


class Equipment(LedgerRef, Base):
    __tablename__ = "rm_equipment"
    equipment_id: Mapped[str] = mapped_column(ID, primary_key=True)
    site_id: Mapped[str] = mapped_column(ID, index=True)
    owner_msp: Mapped[str] = mapped_column(String(64), index=True)
    owner: Mapped[str] = mapped_column(KEY, default="")
    equipment_type: Mapped[str] = mapped_column(String(64))
    methodology: Mapped[str] = mapped_column(String(64))
    methodology_version: Mapped[str] = mapped_column(String(32))


class Meter(LedgerRef, Base):
    __tablename__ = "rm_meters"
    meter_id: Mapped[str] = mapped_column(ID, primary_key=True)
    equipment_id: Mapped[str] = mapped_column(ID, index=True)
    owner_msp: Mapped[str] = mapped_column(String(64), index=True, default="")
    serial: Mapped[str] = mapped_column(String(128), default="")
    quantities: Mapped[str] = mapped_column(Text, default="")  # comma-separated channels
    verification_valid_from: Mapped[str] = mapped_column(String(40), default="")
    verification_valid_until: Mapped[str] = mapped_column(String(40), default="")


class Device(LedgerRef, Base):
    __tablename__ = "rm_devices"
    device_id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    owner_msp: Mapped[str] = mapped_column(String(64), index=True)
    meter_ids: Mapped[str] = mapped_column(Text, default="")  # comma-separated
    public_key_pem: Mapped[str] = mapped_column(Text, default="")
    key_fingerprint: Mapped[str] = mapped_column(String(128), default="")


class GovernedVersion:
    """A governed version's approvals so far: the ledger record's list of
    ``{role, actor, msp_id, tx_id, at}`` as JSON (see `evidence.approval_progress`);
    `genesis` versions were made active by the network's bootstrap, without approvals."""

    approvals: Mapped[str] = mapped_column(Text, default="[]")
    genesis: Mapped[bool] = mapped_column(Boolean, default=False)


class MethodologyVersion(GovernedVersion, LedgerRef, Base):
    __tablename__ = "rm_methodology_versions"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32))


class FactorVersion(GovernedVersion, LedgerRef, Base):
    """A factor version with its figures: `values` and `value_units` are the ledger
    record's decimal texts or exact expressions as JSON; validity dates are Japan dates."""

    __tablename__ = "rm_factor_versions"
    series: Mapped[str] = mapped_column(String(64), primary_key=True)
    factor_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="")
    unit: Mapped[str] = mapped_column(String(32), default="")
    values: Mapped[str] = mapped_column(Text, default="{}")
    value_units: Mapped[str] = mapped_column(Text, default="{}")
    source: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[str] = mapped_column(String(40), default="")
    valid_until: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(32))


class MeasurementBatch(LedgerRef, Base):
    """An anchored batch with every field of its signed header (`quality` and `totals` as
    the ledger record's JSON), so its signature can be checked without the ledger."""

    __tablename__ = "rm_measurement_batches"
    batch_id: Mapped[str] = mapped_column(ID, primary_key=True)
    device_id: Mapped[str] = mapped_column(ID, index=True)
    meter_id: Mapped[str] = mapped_column(ID, index=True)
    equipment_id: Mapped[str] = mapped_column(ID, index=True)
    owner_msp: Mapped[str] = mapped_column(String(64), index=True, default="")
    period_start: Mapped[str] = mapped_column(String(40))
    period_end: Mapped[str] = mapped_column(String(40))
    reading_count: Mapped[int] = mapped_column(BigInteger)
    merkle_root: Mapped[str] = mapped_column(String(128))
    meter_verification_valid: Mapped[bool] = mapped_column(Boolean)
    upload_hash: Mapped[str] = mapped_column(String(64), default="")
    quality: Mapped[str] = mapped_column(Text, default="{}")
    totals: Mapped[str] = mapped_column(Text, default="[]")
    signature: Mapped[str] = mapped_column(Text, default="")
    header_sha256: Mapped[str] = mapped_column(String(64), default="")
    key_fingerprint: Mapped[str] = mapped_column(String(128), default="")
    anchored_at: Mapped[str] = mapped_column(String(40), default="")


class Calculation(LedgerRef, Base):
    """A calculation and where it stands: calculated → approved/rejected → minted, or
    superseded. `factor_versions` lists ``series/factor_id@version`` and `batch_ids` the
    anchored batches it read, both comma-separated in the ledger record's order."""

    __tablename__ = "rm_calculations"
    calculation_id: Mapped[str] = mapped_column(ID, primary_key=True)
    equipment_id: Mapped[str] = mapped_column(ID, index=True)
    site_id: Mapped[str] = mapped_column(ID, index=True)
    owner: Mapped[str] = mapped_column(KEY, default="")
    owner_msp: Mapped[str] = mapped_column(String(64), index=True)
    period_start: Mapped[str] = mapped_column(String(40))
    period_end: Mapped[str] = mapped_column(String(40))
    methodology: Mapped[str] = mapped_column(String(64))
    methodology_version: Mapped[str] = mapped_column(String(32))
    factor_versions: Mapped[str] = mapped_column(Text, default="")
    batch_ids: Mapped[str] = mapped_column(Text, default="")
    calculated_at: Mapped[str] = mapped_column(String(40), default="")
    reduction_kg: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    superseded_by: Mapped[str] = mapped_column(ID, default="")
    lot_id: Mapped[str] = mapped_column(ID, default="")


# -- tokens --------------------------------------------------------------------------------

class TokenLot(LedgerRef, Base):
    """A minted lot with its supply per state (the ledger's `LotSupply` figures)."""

    __tablename__ = "rm_token_lots"
    lot_id: Mapped[str] = mapped_column(ID, primary_key=True)
    issued_kg: Mapped[int] = mapped_column(BigInteger)
    vintage_start: Mapped[str] = mapped_column(String(40), default="")
    vintage_end: Mapped[str] = mapped_column(String(40), default="")
    methodology: Mapped[str] = mapped_column(String(64), default="")
    methodology_version: Mapped[str] = mapped_column(String(32), default="")
    site_id: Mapped[str] = mapped_column(ID, default="")
    equipment_id: Mapped[str] = mapped_column(ID, default="")
    calculation_id: Mapped[str] = mapped_column(ID, default="")
    first_owner: Mapped[str] = mapped_column(KEY, default="")
    tradable_kg: Mapped[int] = mapped_column(BigInteger, default=0)
    escrowed_kg: Mapped[int] = mapped_column(BigInteger, default=0)
    retired_kg: Mapped[int] = mapped_column(BigInteger, default=0)
    bundled_kg: Mapped[int] = mapped_column(BigInteger, default=0)
    bridged_out_kg: Mapped[int] = mapped_column(BigInteger, default=0)
    cancelled_kg: Mapped[int] = mapped_column(BigInteger, default=0)


class Holding(LedgerRef, Base):
    """One owner's kg of one lot in one state (rows with 0 kg are removed)."""

    __tablename__ = "rm_holdings"
    lot_id: Mapped[str] = mapped_column(ID, primary_key=True)
    owner: Mapped[str] = mapped_column(KEY, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    owner_msp: Mapped[str] = mapped_column(String(64), index=True)
    kg: Mapped[int] = mapped_column(BigInteger)


class EventRow:
    """A row that is one domain event: the event's place on the ledger is its key."""

    block_number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tx_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_index: Mapped[int] = mapped_column(Integer, primary_key=True)


class Transfer(EventRow, Base):
    """One ``EventTransfer``; `transferred_at` is its transaction's timestamp from the
    block (the time the chaincode wrote as the history entries' ``when``)."""

    __tablename__ = "rm_transfers"
    lot_id: Mapped[str] = mapped_column(ID, index=True)
    sender: Mapped[str] = mapped_column(KEY, index=True)
    recipient: Mapped[str] = mapped_column(KEY, index=True)
    quantity_kg: Mapped[int] = mapped_column(BigInteger)
    retired_on_receipt: Mapped[bool] = mapped_column(Boolean, default=False)
    transferred_at: Mapped[str] = mapped_column(String(40), default="")


class Retirement(LedgerRef, Base):
    """A retired serial range ``ENV-<lot>-<first>-<last>`` with beneficiary and purpose.

    ``certificate_id`` is its certificate's id (`envalue.certificates.certificate_id_for`
    over ``channel``, the transaction id and the serial), computed once when projected so
    the public verification page finds the retirement by the id in a certificate's QR code.
    """

    __tablename__ = "rm_retirements"
    serial: Mapped[str] = mapped_column(ID, primary_key=True)
    lot_id: Mapped[str] = mapped_column(ID, index=True)
    owner: Mapped[str] = mapped_column(KEY, index=True)
    owner_msp: Mapped[str] = mapped_column(String(64), index=True)
    quantity_kg: Mapped[int] = mapped_column(BigInteger)
    serial_first: Mapped[int] = mapped_column(BigInteger)
    serial_last: Mapped[int] = mapped_column(BigInteger)
    beneficiary: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(64))
    reporting_year: Mapped[int] = mapped_column(Integer)
    retired_at: Mapped[str] = mapped_column(String(40), default="")
    retired_by: Mapped[str] = mapped_column(KEY, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(64), default="")
    certificate_id: Mapped[str] = mapped_column(String(32), index=True, default="")


class Escrow(LedgerRef, Base):
    __tablename__ = "rm_escrows"
    escrow_id: Mapped[str] = mapped_column(ID, primary_key=True)
    lot_id: Mapped[str] = mapped_column(ID, index=True)
    owner: Mapped[str] = mapped_column(KEY, index=True)
    counterparty: Mapped[str] = mapped_column(KEY, index=True)
    quantity_kg: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    closed_at: Mapped[str] = mapped_column(String(40), default="")


class Cancellation(LedgerRef, Base):
    __tablename__ = "rm_cancellations"
    request_id: Mapped[str] = mapped_column(ID, primary_key=True)
    lot_id: Mapped[str] = mapped_column(ID, index=True)
    owner: Mapped[str] = mapped_column(KEY, index=True)
    quantity_kg: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(KEY)
    status: Mapped[str] = mapped_column(String(16))
    approved_by: Mapped[str] = mapped_column(KEY, default="")


# -- credits -------------------------------------------------------------------------------

class CreditProgram(LedgerRef, Base):
    __tablename__ = "rm_credit_programs"
    program_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    operator: Mapped[str] = mapped_column(KEY)
    methodologies: Mapped[str] = mapped_column(Text, default="")  # comma-separated
    carry_kg: Mapped[int] = mapped_column(BigInteger, default=0)
    open_report: Mapped[str] = mapped_column(ID, default="")


class ProgramSite(LedgerRef, Base):
    __tablename__ = "rm_program_sites"
    program_id: Mapped[str] = mapped_column(ID, primary_key=True)
    site_id: Mapped[str] = mapped_column(ID, primary_key=True)
    owner: Mapped[str] = mapped_column(KEY, index=True)


class MonitoringReport(LedgerRef, Base):
    __tablename__ = "rm_monitoring_reports"
    report_id: Mapped[str] = mapped_column(ID, primary_key=True)
    program_id: Mapped[str] = mapped_column(ID, index=True)
    period_start: Mapped[str] = mapped_column(String(40))
    period_end: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16), index=True)
    pool_kg: Mapped[int] = mapped_column(BigInteger, default=0)
    carried_in_kg: Mapped[int] = mapped_column(BigInteger, default=0)
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    issued_t: Mapped[int] = mapped_column(BigInteger, default=0)
    remainder_kg: Mapped[int] = mapped_column(BigInteger, default=0)
    verified_by: Mapped[str] = mapped_column(KEY, default="")
    comments: Mapped[str] = mapped_column(Text, default="")
    carried_from: Mapped[str] = mapped_column(ID, default="")  # report the carried-in kg left


class ReportMember(LedgerRef, Base):
    """A bundled holding; ``start`` is its kg offset in the report's pool (FIFO crediting)."""

    __tablename__ = "rm_report_members"
    report_id: Mapped[str] = mapped_column(ID, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[str] = mapped_column(ID, index=True)
    owner: Mapped[str] = mapped_column(KEY, index=True)
    kg: Mapped[int] = mapped_column(BigInteger)
    start: Mapped[int] = mapped_column(BigInteger, default=0)


class CreditBatch(LedgerRef, Base):
    """Credits issued from one report: serials ``<serial prefix>-1-<issued_t>``."""

    __tablename__ = "rm_credit_batches"
    batch_id: Mapped[str] = mapped_column(ID, primary_key=True)
    program_id: Mapped[str] = mapped_column(ID, index=True)
    report_id: Mapped[str] = mapped_column(ID)
    period_start: Mapped[str] = mapped_column(String(40))
    period_end: Mapped[str] = mapped_column(String(40))
    serial: Mapped[str] = mapped_column(ID)
    issued_t: Mapped[int] = mapped_column(BigInteger)
    retired_t: Mapped[int] = mapped_column(BigInteger, default=0)
    credited_kg: Mapped[int] = mapped_column(BigInteger)
    issued_to: Mapped[str] = mapped_column(KEY)
    issued_at: Mapped[str] = mapped_column(String(40), default="")
    settled: Mapped[bool] = mapped_column(Boolean, default=False)


class CreditShare(LedgerRef, Base):
    """A contributor's credited kg in a batch (carried-in kg included)."""

    __tablename__ = "rm_credit_shares"
    batch_id: Mapped[str] = mapped_column(ID, primary_key=True)
    owner: Mapped[str] = mapped_column(KEY, primary_key=True)
    owner_msp: Mapped[str] = mapped_column(String(64), index=True)
    kg: Mapped[int] = mapped_column(BigInteger)
    carried_in_kg: Mapped[int] = mapped_column(BigInteger, default=0)


class CreditHolding(LedgerRef, Base):
    __tablename__ = "rm_credit_holdings"
    batch_id: Mapped[str] = mapped_column(ID, primary_key=True)
    owner: Mapped[str] = mapped_column(KEY, primary_key=True)
    owner_msp: Mapped[str] = mapped_column(String(64), index=True)
    tradable_t: Mapped[int] = mapped_column(BigInteger, default=0)
    retired_t: Mapped[int] = mapped_column(BigInteger, default=0)


class CreditTransfer(EventRow, Base):
    """One ``EventTransferCredits``; `transferred_at` as for `Transfer`."""

    __tablename__ = "rm_credit_transfers"
    batch_id: Mapped[str] = mapped_column(ID, index=True)
    sender: Mapped[str] = mapped_column(KEY, index=True)
    recipient: Mapped[str] = mapped_column(KEY, index=True)
    quantity_t: Mapped[int] = mapped_column(BigInteger)
    transferred_at: Mapped[str] = mapped_column(String(40), default="")


class CreditRetirement(LedgerRef, Base):
    """A credit invalidation's serial range; ``certificate_id`` as for `Retirement`."""

    __tablename__ = "rm_credit_retirements"
    serial: Mapped[str] = mapped_column(ID, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ID, index=True)
    owner: Mapped[str] = mapped_column(KEY, index=True)
    quantity_t: Mapped[int] = mapped_column(BigInteger)
    serial_first: Mapped[int] = mapped_column(BigInteger)
    serial_last: Mapped[int] = mapped_column(BigInteger)
    user_name: Mapped[str] = mapped_column(Text)
    use: Mapped[str] = mapped_column(String(64))
    purpose_detail: Mapped[str] = mapped_column(Text)
    reporting_year: Mapped[int] = mapped_column(Integer)
    retired_at: Mapped[str] = mapped_column(String(40), default="")
    retired_by: Mapped[str] = mapped_column(KEY, default="")
    channel: Mapped[str] = mapped_column(String(64), default="")
    certificate_id: Mapped[str] = mapped_column(String(32), index=True, default="")


# -- bridge --------------------------------------------------------------------------------

class Pledge(LedgerRef, Base):
    __tablename__ = "rm_pledges"
    pledge_id: Mapped[str] = mapped_column(ID, primary_key=True)
    lot_id: Mapped[str] = mapped_column(ID, index=True)
    owner: Mapped[str] = mapped_column(KEY, index=True)
    quantity_kg: Mapped[int] = mapped_column(BigInteger)
    target_network: Mapped[str] = mapped_column(String(128))
    recipient: Mapped[str] = mapped_column(KEY)
    expires_at: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))


class Htlc(LedgerRef, Base):
    __tablename__ = "rm_htlcs"
    htlc_id: Mapped[str] = mapped_column(ID, primary_key=True)
    lot_id: Mapped[str] = mapped_column(ID, index=True)
    owner: Mapped[str] = mapped_column(KEY, index=True)
    recipient: Mapped[str] = mapped_column(KEY, index=True)
    quantity_kg: Mapped[int] = mapped_column(BigInteger)
    hash_lock: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))


class PartnerRetirement(LedgerRef, Base):
    __tablename__ = "rm_partner_retirements"
    partner_network: Mapped[str] = mapped_column(String(128), primary_key=True)
    retirement_id: Mapped[str] = mapped_column(ID, primary_key=True)
    lot_id: Mapped[str] = mapped_column(ID, index=True)
    quantity_kg: Mapped[int] = mapped_column(BigInteger)
    beneficiary: Mapped[str] = mapped_column(Text)
    home_serial: Mapped[str] = mapped_column(ID)


# -- projection bookkeeping ------------------------------------------------------------

class AppliedEvent(Base):
    """Every projected domain event, once: the idempotency key and an activity log."""

    __tablename__ = "rm_applied_events"
    block_number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tx_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    chaincode_event: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(128), index=True)
    attributes: Mapped[str] = mapped_column(Text)  # the event's JSON attributes


class UnprojectedEvent(Base):
    """An event the projector could not turn into rows, and why (never dropped)."""

    __tablename__ = "rm_unprojected_events"
    block_number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tx_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    chaincode_event: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(128))
    attributes: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


class Checkpoint(Base):
    """Where a listener resumes (client checkpointer semantics, see `checkpoint`)."""

    __tablename__ = "rm_checkpoints"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    block_number: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    transaction_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ListenerStatus(Base):
    """What the listener last knew: the channel height and its own state."""

    __tablename__ = "rm_listener_status"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64), default="")
    peer: Mapped[str] = mapped_column(String(128), default="")
    channel_height: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    height_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="stopped")
    detail: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SchemaMark(Base):
    """The fingerprint of the tables this code expects (see `ensure_schema`)."""

    __tablename__ = "rm_schema"
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)


def schema_fingerprint() -> str:
    """A digest of every table's columns and types as this code defines them."""
    parts = sorted(f"{table.name}.{column.name}:{column.type}"
                   for table in Base.metadata.sorted_tables for column in table.columns)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def ensure_schema(engine: Engine) -> None:
    """Create the tables; when they were made by another version of this schema, drop and
    recreate them. The read model is derived data: with its checkpoint gone, the listener
    projects the channel again from block 0, so nothing is lost that the ledger lacks."""
    wanted = schema_fingerprint()
    present = set(inspect(engine).get_table_names())
    stored = None
    if SchemaMark.__tablename__ in present:
        with engine.connect() as conn:
            stored = conn.execute(select(SchemaMark.fingerprint)).scalar()
    if stored == wanted:
        return
    if present & set(Base.metadata.tables):
        _log.warning("read model schema %s is not this version's %s: dropping it to "
                     "re-project the channel from block 0", stored or "(unmarked)", wanted)
        Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(delete(SchemaMark))
        conn.execute(SchemaMark.__table__.insert().values(fingerprint=wanted))


def make_engine(url: str) -> Engine:
    """An engine for `url`, creating the SQLite folder and the tables when missing."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    ensure_schema(engine)
    return engine


def make_sessions(target: str | Engine) -> sessionmaker[Session]:
    """A session factory over a URL or an engine (tables made or renewed as needed)."""
    if isinstance(target, Engine):
        ensure_schema(target)
        return sessionmaker(target, expire_on_commit=False)
    return sessionmaker(make_engine(target), expire_on_commit=False)
