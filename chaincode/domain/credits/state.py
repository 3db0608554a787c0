"""Credit generation records and key scheme.

===============================  ==================================  =====================
object type                      attributes                          record
===============================  ==================================  =====================
``envalue.credit.program``       program_id                          `Program`
``envalue.credit.site``          program_id, site_id                 `Enrollment`
``envalue.credit.report``        report_id                           `Report`
``envalue.credit.member``        report_id, seq (10 digits)          `Member`
``envalue.credit.member_lot``    report_id, lot_id, owner            index → seq
``envalue.credit.pending``       report_id, seq (10 digits)          seq still to settle
``envalue.credit.carry``         program_id, report_id, owner        `Carry`
``envalue.credit.batch``         batch_id (= report_id)              `Batch`
``envalue.credit.share``         batch_id, owner                     `Share`
``envalue.credit.holding``       batch_id, owner                     `CreditHolding`
``envalue.credit.retirement``    batch_id, first serial (12 digits)  `CreditRetirement`
===============================  ==================================  =====================

The pool of a report is a FIFO sequence of kg: first the kg carried in from the previous
report of the program (``carried_in_kg``), then each bundled holding in the order it was
added (`Member.start` is its offset in the pool). On approval ``floor(pool / 1000)`` t-CO2
are issued; the first ``1000 × issued_t`` kg of the pool are credited and the rest (less
than one tonne) is carried forward to the next report of the program, per contributor.

Credit serials: tonnes of a batch are numbered ``1..issued_t``; a range is written
``JCL-ENV-<program_id>-<period_start YYYYMMDD>_<period_end YYYYMMDD>-<first>-<last>``
(e.g. ``JCL-ENV-ENA-PV-20250401_20260331-1-42``). The batch carries the full range; each
credit retirement takes the next range from the batch counter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from envalue.chaincode.domain.store import composite_key
from envalue.chaincode.domain.tokens.state import Record

__all__ = [
    "BATCH",
    "CARRY",
    "CREDIT_HOLDING",
    "CREDIT_RETIREMENT",
    "MEMBER",
    "MEMBER_LOT",
    "PENDING",
    "PROGRAM",
    "REPORT",
    "REPORT_STATES",
    "SHARE",
    "SITE",
    "Batch",
    "Carry",
    "CreditHolding",
    "CreditRetirement",
    "Enrollment",
    "Member",
    "Program",
    "Report",
    "Share",
    "credit_serial",
    "seq_key",
]

PROGRAM = "envalue.credit.program"
SITE = "envalue.credit.site"
REPORT = "envalue.credit.report"
MEMBER = "envalue.credit.member"
MEMBER_LOT = "envalue.credit.member_lot"
PENDING = "envalue.credit.pending"
CARRY = "envalue.credit.carry"
BATCH = "envalue.credit.batch"
SHARE = "envalue.credit.share"
CREDIT_HOLDING = "envalue.credit.holding"
CREDIT_RETIREMENT = "envalue.credit.retirement"

#: collecting → submitted → approved → issued (settled), or submitted → rejected → closed.
REPORT_STATES = ("collecting", "submitted", "approved", "issued", "rejected", "closed")


def seq_key(seq: int) -> str:
    return f"{seq:010d}"


def credit_serial(program_id: str, period_start: str, period_end: str, first: int,
                  last: int) -> str:
    """``JCL-ENV-<program>-<YYYYMMDD>_<YYYYMMDD>-<first>-<last>``."""
    period = f"{period_start.replace('-', '')}_{period_end.replace('-', '')}"
    return f"JCL-ENV-{program_id}-{period}-{first}-{last}"


@dataclass(kw_only=True)
class Program(Record):
    """A program-type project run by a Platform operator."""

    KIND: ClassVar[str] = "program"
    program_id: str
    name: str
    operator: str
    methodologies: list[str]
    carry_kg: int = 0  # sub-tonne remainder waiting for the next report
    carry_report: str = ""  # report whose tail `carry_kg` is
    open_report: str = ""  # the report being collected / verified / settled, if any
    created_at: str
    created_tx: str

    def key(self) -> str:
        return composite_key(PROGRAM, self.program_id)

    def allows(self, methodology: str, version: str) -> bool:
        return methodology in self.methodologies or f"{methodology}:{version}" in \
            self.methodologies


@dataclass(kw_only=True)
class Enrollment(Record):
    KIND: ClassVar[str] = "enrollment"
    program_id: str
    site_id: str
    owner: str
    enrolled_at: str
    enrolled_by: str
    tx_id: str

    def key(self) -> str:
        return composite_key(SITE, self.program_id, self.site_id)


@dataclass(kw_only=True)
class Report(Record):
    """A monitoring report: the lots bundled for one monitoring period of a program."""

    KIND: ClassVar[str] = "monitoring report"
    report_id: str
    program_id: str
    period_start: str
    period_end: str
    state: str = "collecting"
    carried_in_kg: int = 0
    carried_from: str = ""
    pool_kg: int = 0  # carried_in_kg + bundled kg
    member_count: int = 0
    issued_t: int = 0
    remainder_kg: int = 0
    settled_count: int = 0  # members settled (shares and carry written, or released)
    carry_consumed_kg: int = 0  # carried-in kg moved into this batch's shares so far
    prepared_by: str
    opened_at: str
    submitted_at: str = ""
    verified_by: str = ""
    verified_at: str = ""
    comments: str = ""
    history: list[dict[str, str]] = field(default_factory=list)

    def key(self) -> str:
        return composite_key(REPORT, self.report_id)

    @property
    def bundled_kg(self) -> int:
        return self.pool_kg - self.carried_in_kg


@dataclass(kw_only=True)
class Member(Record):
    """One bundled holding: its kg and its offset in the report's pool."""

    KIND: ClassVar[str] = "report member"
    report_id: str
    seq: int
    lot_id: str
    owner: str
    kg: int
    start: int

    def key(self) -> str:
        return composite_key(MEMBER, self.report_id, seq_key(self.seq))


@dataclass(kw_only=True)
class Carry(Record):
    """A contributor's kg not yet credited, carried into the program's next report."""

    KIND: ClassVar[str] = "carry-forward"
    program_id: str
    report_id: str
    owner: str
    kg: int

    def key(self) -> str:
        return composite_key(CARRY, self.program_id, self.report_id, self.owner)


@dataclass(kw_only=True)
class Batch(Record):
    """Credits issued from one approved report."""

    KIND: ClassVar[str] = "credit batch"
    batch_id: str
    program_id: str
    report_id: str
    period_start: str
    period_end: str
    issued_t: int
    serial: str
    issued_to: str
    issued_at: str
    tx_id: str
    credited_kg: int
    next_serial: int = 1
    retired_t: int = 0
    settled: bool = False

    def key(self) -> str:
        return composite_key(BATCH, self.batch_id)


@dataclass(kw_only=True)
class Share(Record):
    """A contributor's exact credited kg in a batch (carried-in kg included)."""

    KIND: ClassVar[str] = "share"
    batch_id: str
    owner: str
    kg: int = 0
    carried_in_kg: int = 0

    def key(self) -> str:
        return composite_key(SHARE, self.batch_id, self.owner)


@dataclass(kw_only=True)
class CreditHolding(Record):
    KIND: ClassVar[str] = "credit holding"
    batch_id: str
    owner: str
    tradable_t: int = 0
    retired_t: int = 0

    def key(self) -> str:
        return composite_key(CREDIT_HOLDING, self.batch_id, self.owner)

    @property
    def label(self) -> str:
        return f"{self.batch_id}@{self.owner}"


@dataclass(kw_only=True)
class CreditRetirement(Record):
    """A J-Credit-style invalidation: user name, use, purpose detail, serial range."""

    KIND: ClassVar[str] = "credit retirement"
    serial: str
    batch_id: str
    owner: str
    quantity_t: int
    serial_first: int
    serial_last: int
    user_name: str
    use: str
    purpose_detail: str
    reporting_year: int
    retired_by: str
    retired_at: str
    tx_id: str

    def key(self) -> str:
        return composite_key(CREDIT_RETIREMENT, self.batch_id, f"{self.serial_first:012d}")
