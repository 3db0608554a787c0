"""The retirement certificate: what a holder proves to a third party about one retirement.

A certificate is a statement of ledger facts (which units were retired, by whom, for
whom, in which transaction and block) in a form that can be printed (PDF), signed (JSON)
and verified offline. It carries no state of its own: everything in it comes from a
retirement record and the block that committed it (see `envalue.certificates.records`).

Quantities are integer kg-CO2e; the t-CO2e figure is derived and written as an exact
decimal string (``"1.234"``), never a float. ``to_dict``/``from_dict`` give the JSON
object that is signed; ``from_dict`` checks types strictly so that a verifier rejects a
malformed document with the field that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

__all__ = [
    "CERTIFICATE_SCHEMA",
    "KINDS",
    "CertificateFormatError",
    "CreditUse",
    "Holder",
    "Methodology",
    "RetirementCertificate",
    "SerialRange",
    "Site",
    "t_co2e",
    "verification_url",
]

#: Identifies the JSON layout; a verifier refuses layouts it does not know.
CERTIFICATE_SCHEMA = "envalue.retirement-certificate/1"

#: What was retired: platform reduction tokens, or credits issued by a program.
KINDS: tuple[str, ...] = ("token", "credit")


#: The keys of a certificate JSON object (``credit_use`` may be null or absent).
_TOP_LEVEL_KEYS: tuple[str, ...] = (
    "schema", "certificate_id", "kind", "beneficiary", "quantity_kg", "quantity_t",
    "serial_ranges", "vintage", "methodology", "sites", "purpose", "reporting_year", "note",
    "credit_use", "retiring_holder", "ledger", "issued_at", "verification_url",
)


class CertificateFormatError(ValueError):
    """A certificate object is malformed; the message starts with the field path."""


def t_co2e(quantity_kg: int) -> str:
    """Exact t-CO2e of an integer kg-CO2e, as a decimal string with three places."""
    return f"{Decimal(quantity_kg).scaleb(-3):.3f}"


def verification_url(portal_base: str, certificate_id: str) -> str:
    """``<portal base>/verify/<certificate id>`` (one slash between, whatever the base ends in)."""
    return f"{portal_base.rstrip('/')}/verify/{certificate_id}"


# --- strict readers: each names the field it checks -------------------------------------

def _obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CertificateFormatError(f"{path}: expected an object, found {type(value).__name__}")
    return value


def _str(data: dict[str, Any], name: str, path: str, *, empty: bool = False) -> str:
    value = data.get(name)
    if not isinstance(value, str) or (not empty and not value):
        raise CertificateFormatError(f"{path}.{name}: expected a non-empty string, got {value!r}")
    return value


def _int(data: dict[str, Any], name: str, path: str, *, minimum: int = 0) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CertificateFormatError(f"{path}.{name}: expected an integer, got {value!r}")
    if value < minimum:
        raise CertificateFormatError(f"{path}.{name}: {value} is below {minimum}")
    return value


def _date(data: dict[str, Any], name: str, path: str) -> str:
    value = _str(data, name, path)
    try:
        date.fromisoformat(value)
    except ValueError:
        raise CertificateFormatError(f"{path}.{name}: {value!r} is not a date YYYY-MM-DD") from None
    return value


def _timestamp(data: dict[str, Any], name: str, path: str) -> str:
    value = _str(data, name, path)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise CertificateFormatError(
            f"{path}.{name}: {value!r} is not an ISO 8601 timestamp with a UTC offset"
        )
    return value


def _list(data: dict[str, Any], name: str, path: str) -> list[Any]:
    value = data.get(name)
    if not isinstance(value, list) or not value:
        raise CertificateFormatError(f"{path}.{name}: expected a non-empty list")
    return value


# --- parts ------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class SerialRange:
    """Units ``first..last`` (inclusive) of one token lot or credit batch."""

    serial: str  # the ledger's identifier of the range, e.g. ENV-LOT-7-1-250
    source_id: str  # token lot id or credit batch id
    first: int
    last: int
    unit_kg: int = 1  # kg-CO2e per numbered unit: 1 for tokens, 1000 for t-CO2 credits

    @property
    def quantity_kg(self) -> int:
        return (self.last - self.first + 1) * self.unit_kg

    def to_dict(self) -> dict[str, Any]:
        return {"serial": self.serial, "source_id": self.source_id, "first": self.first,
                "last": self.last, "unit_kg": self.unit_kg}

    @classmethod
    def from_dict(cls, data: Any, path: str) -> SerialRange:
        data = _obj(data, path)
        first = _int(data, "first", path, minimum=1)
        last = _int(data, "last", path, minimum=first)
        return cls(serial=_str(data, "serial", path), source_id=_str(data, "source_id", path),
                   first=first, last=last, unit_kg=_int(data, "unit_kg", path, minimum=1))


@dataclass(frozen=True, kw_only=True)
class Methodology:
    name: str  # e.g. EN-R-002
    version: str  # e.g. 3.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version}

    @classmethod
    def from_dict(cls, data: Any, path: str) -> Methodology:
        data = _obj(data, path)
        return cls(name=_str(data, "name", path), version=_str(data, "version", path))


@dataclass(frozen=True, kw_only=True)
class Site:
    """A site and the equipment on it whose operation produced the reduction."""

    site_id: str
    equipment_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"site_id": self.site_id, "equipment_id": self.equipment_id}

    @classmethod
    def from_dict(cls, data: Any, path: str) -> Site:
        data = _obj(data, path)
        return cls(site_id=_str(data, "site_id", path),
                   equipment_id=_str(data, "equipment_id", path, empty=True))


@dataclass(frozen=True, kw_only=True)
class Holder:
    """The identity that retired the units: its MSP and its enrolled client id."""

    msp_id: str
    id: str

    @classmethod
    def from_owner_key(cls, owner_key: str) -> Holder:
        """Split a holder key ``<MSP ID>/<client id>`` (the token domain's owner form)."""
        msp, sep, ident = owner_key.partition("/")
        if not sep or not msp or not ident:
            raise CertificateFormatError(f"owner: {owner_key!r} is not '<MSP ID>/<client id>'")
        return cls(msp_id=msp, id=ident)

    def to_dict(self) -> dict[str, Any]:
        return {"msp_id": self.msp_id, "id": self.id}

    @classmethod
    def from_dict(cls, data: Any, path: str) -> Holder:
        data = _obj(data, path)
        return cls(msp_id=_str(data, "msp_id", path), id=_str(data, "id", path))


@dataclass(frozen=True, kw_only=True)
class CreditUse:
    """What a J-Credit invalidation (無効化) records: the credit user, the use, the detail."""

    user_name: str  # 償却・無効化の主体 (the credit user's name)
    use: str  # 用途, e.g. carbon offset, reporting under the Global Warming Act
    purpose_detail: str  # 目的の詳細

    def to_dict(self) -> dict[str, Any]:
        return {"user_name": self.user_name, "use": self.use,
                "purpose_detail": self.purpose_detail}

    @classmethod
    def from_dict(cls, data: Any, path: str) -> CreditUse:
        data = _obj(data, path)
        return cls(user_name=_str(data, "user_name", path), use=_str(data, "use", path),
                   purpose_detail=_str(data, "purpose_detail", path, empty=True))


# --- the certificate --------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class RetirementCertificate:
    """One retirement, as certified; see the module docstring for the rules."""

    certificate_id: str
    kind: str  # one of KINDS
    beneficiary: str
    quantity_kg: int
    serial_ranges: tuple[SerialRange, ...]
    vintage_start: str  # YYYY-MM-DD
    vintage_end: str  # YYYY-MM-DD
    methodology: Methodology
    sites: tuple[Site, ...]
    purpose: str
    reporting_year: int
    note: str
    retiring_holder: Holder
    tx_id: str
    block_number: int
    channel: str
    issued_at: str  # the transaction timestamp, ISO 8601 with offset
    verification_url: str
    credit_use: CreditUse | None = None
    schema: str = field(default=CERTIFICATE_SCHEMA)

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise CertificateFormatError("; ".join(problems))

    @property
    def quantity_t(self) -> str:
        """Exact t-CO2e, e.g. ``"1.234"``."""
        return t_co2e(self.quantity_kg)

    def problems(self) -> list[str]:
        """Internal inconsistencies, each starting with the field it concerns."""
        found = []
        if self.schema != CERTIFICATE_SCHEMA:
            found.append(f"schema: {self.schema!r} is not {CERTIFICATE_SCHEMA!r}")
        if self.kind not in KINDS:
            found.append(f"kind: {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.quantity_kg <= 0:
            found.append(f"quantity_kg: {self.quantity_kg} must be greater than 0")
        ranges_kg = sum(r.quantity_kg for r in self.serial_ranges)
        if ranges_kg != self.quantity_kg:
            found.append(
                f"quantity_kg: {self.quantity_kg} differs from the {ranges_kg} kg-CO2e of the "
                "serial ranges"
            )
        if self.vintage_end < self.vintage_start:
            found.append(f"vintage_end: {self.vintage_end} is before {self.vintage_start}")
        if not self.verification_url.endswith(f"/verify/{self.certificate_id}"):
            found.append(
                f"verification_url: {self.verification_url!r} does not end in "
                f"'/verify/{self.certificate_id}'"
            )
        if self.kind == "credit" and self.credit_use is None:
            found.append("credit_use: a credit retirement needs the credit user's name and use")
        return found

    def to_dict(self) -> dict[str, Any]:
        """The JSON object that is signed (integers and strings only)."""
        return {
            "schema": self.schema,
            "certificate_id": self.certificate_id,
            "kind": self.kind,
            "beneficiary": self.beneficiary,
            "quantity_kg": self.quantity_kg,
            "quantity_t": self.quantity_t,
            "serial_ranges": [r.to_dict() for r in self.serial_ranges],
            "vintage": {"start": self.vintage_start, "end": self.vintage_end},
            "methodology": self.methodology.to_dict(),
            "sites": [s.to_dict() for s in self.sites],
            "purpose": self.purpose,
            "reporting_year": self.reporting_year,
            "note": self.note,
            "credit_use": None if self.credit_use is None else self.credit_use.to_dict(),
            "retiring_holder": self.retiring_holder.to_dict(),
            "ledger": {"channel": self.channel, "tx_id": self.tx_id,
                       "block_number": self.block_number},
            "issued_at": self.issued_at,
            "verification_url": self.verification_url,
        }

    @classmethod
    def from_dict(cls, data: Any) -> RetirementCertificate:
        """Parse and check a certificate object; raises `CertificateFormatError`."""
        p = "certificate"
        data = _obj(data, p)
        expected = set(_TOP_LEVEL_KEYS)
        missing = sorted(expected - {"credit_use"} - set(data))
        extra = sorted(set(data) - expected)
        if missing or extra:
            raise CertificateFormatError(
                f"{p}: " + "; ".join(
                    ([f"missing {', '.join(missing)}"] if missing else [])
                    + ([f"unknown {', '.join(extra)}"] if extra else [])
                )
            )
        vintage = _obj(data["vintage"], f"{p}.vintage")
        ledger = _obj(data["ledger"], f"{p}.ledger")
        credit = data.get("credit_use")
        cert = cls(
            schema=_str(data, "schema", p),
            certificate_id=_str(data, "certificate_id", p),
            kind=_str(data, "kind", p),
            beneficiary=_str(data, "beneficiary", p),
            quantity_kg=_int(data, "quantity_kg", p, minimum=1),
            serial_ranges=tuple(
                SerialRange.from_dict(r, f"{p}.serial_ranges[{i}]")
                for i, r in enumerate(_list(data, "serial_ranges", p))
            ),
            vintage_start=_date(vintage, "start", f"{p}.vintage"),
            vintage_end=_date(vintage, "end", f"{p}.vintage"),
            methodology=Methodology.from_dict(data["methodology"], f"{p}.methodology"),
            sites=tuple(
                Site.from_dict(s, f"{p}.sites[{i}]")
                for i, s in enumerate(_list(data, "sites", p))
            ),
            purpose=_str(data, "purpose", p),
            reporting_year=_int(data, "reporting_year", p, minimum=1900),
            note=_str(data, "note", p, empty=True),
            credit_use=None if credit is None else CreditUse.from_dict(credit, f"{p}.credit_use"),
            retiring_holder=Holder.from_dict(data["retiring_holder"], f"{p}.retiring_holder"),
            tx_id=_str(ledger, "tx_id", f"{p}.ledger"),
            block_number=_int(ledger, "block_number", f"{p}.ledger"),
            channel=_str(ledger, "channel", f"{p}.ledger"),
            issued_at=_timestamp(data, "issued_at", p),
            verification_url=_str(data, "verification_url", p),
        )
        quantity_t = data.get("quantity_t")
        if quantity_t != cert.quantity_t:
            raise CertificateFormatError(
                f"{p}.quantity_t: {quantity_t!r} is not {cert.quantity_t!r}, the exact t-CO2e "
                f"of quantity_kg {cert.quantity_kg}"
            )
        return cert
