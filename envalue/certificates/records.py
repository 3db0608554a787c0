"""Build a certificate from a retirement record and the ledger facts of its transaction.

The input is what the ledger already holds, so the same code works on records read from a
running network and on hand-made ones in tests:

* ``retirement``: the token domain's retirement record (`Retirement.to_dict()` of
  ``envalue.chaincode.domain.tokens.state``): serial, lot_id, owner, quantity_kg,
  serial_first, serial_last, beneficiary, purpose, reporting_year, note, retired_at, tx_id.
* ``lot``: the lot the units came from (`Lot.to_dict()`): vintage_start/vintage_end,
  methodology, methodology_version, site_id, equipment_id.
* ``ledger``: what the committed block says: tx_id, block_number, channel, timestamp
  (the transaction timestamp, also the record's ``retired_at``).

A credit retirement (a record whose ``retirement`` is the credit domain's
`CreditRetirement`, with batch_id, quantity_t, user_name, use, purpose_detail) replaces
``lot`` with ``batch`` (`Batch.to_dict()`: period_start/period_end), ``methodology``
(``{"name", "version"}``) and ``sites`` (``[{"site_id", "equipment_id"}]``, the
contributing sites), which the caller gathers from the program and its report members.
Its serials count whole t-CO2 (``unit_kg`` 1000); the beneficiary is the credit user.

A record file for ``envalue certificate render --input`` is one JSON object with exactly
these keys plus an optional ``portal_base``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from envalue.chaincode.domain.quantity import KG_PER_T

from .model import (
    CertificateFormatError,
    CreditUse,
    Holder,
    Methodology,
    RetirementCertificate,
    SerialRange,
    Site,
    verification_url,
)

__all__ = ["DEFAULT_CHANNEL", "certificate_from_record", "certificate_id_for"]

#: The consortium channel (`envalue.network.topology.CHANNEL`), used when ledger omits it.
DEFAULT_CHANNEL = "envalue"


def certificate_id_for(channel: str, tx_id: str, serials: list[str]) -> str:
    """A stable id: the same retirement always gets the same certificate id.

    ``RC-`` and 20 hex digits of SHA-256 over channel, transaction id and serial ranges, so
    re-rendering never mints a second certificate for one retirement.
    """
    material = "\n".join([channel, tx_id, *sorted(serials)]).encode()
    return "RC-" + hashlib.sha256(material).hexdigest()[:20].upper()


def _need(data: Mapping[str, Any], name: str, section: str) -> Any:
    if name not in data or data[name] is None:
        raise CertificateFormatError(f"{section}.{name}: missing")
    return data[name]


def _need_int(data: Mapping[str, Any], name: str, section: str) -> int:
    value = _need(data, name, section)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CertificateFormatError(f"{section}.{name}: {value!r} is not an integer")
    return value


def _sites(lot: Mapping[str, Any]) -> tuple[Site, ...]:
    if "sites" in lot:
        return tuple(
            Site(site_id=str(_need(s, "site_id", f"lot.sites[{i}]")),
                 equipment_id=str(s.get("equipment_id") or ""))
            for i, s in enumerate(lot["sites"])
        )
    return (Site(site_id=str(_need(lot, "site_id", "lot")),
                 equipment_id=str(lot.get("equipment_id") or "")),)


def _ledger_facts(retirement: Mapping[str, Any], ledger: Mapping[str, Any]) -> tuple[str, str, str]:
    """(tx_id, timestamp, channel), checked against the record's own tx id and time."""
    tx_id = str(_need(ledger, "tx_id", "ledger"))
    if retirement.get("tx_id") not in (None, "", tx_id):
        raise CertificateFormatError(
            f"ledger.tx_id: {tx_id!r} is not the retirement's transaction "
            f"{retirement['tx_id']!r}"
        )
    timestamp = ledger.get("timestamp") or _need(retirement, "retired_at", "retirement")
    if retirement.get("retired_at") not in (None, "", timestamp):
        raise CertificateFormatError(
            f"ledger.timestamp: {timestamp!r} is not the retirement's time "
            f"{retirement['retired_at']!r}"
        )
    return tx_id, str(timestamp), str(ledger.get("channel") or DEFAULT_CHANNEL)


def _serial(retirement: Mapping[str, Any], source: str, unit_kg: int) -> SerialRange:
    return SerialRange(
        serial=str(_need(retirement, "serial", "retirement")),
        source_id=str(retirement[source]),
        first=_need_int(retirement, "serial_first", "retirement"),
        last=_need_int(retirement, "serial_last", "retirement"),
        unit_kg=unit_kg,
    )


def certificate_from_record(
    record: Mapping[str, Any], *, portal_base: str | None = None
) -> RetirementCertificate:
    """The certificate of one retirement (see the module docstring for the input)."""
    retirement = _need(record, "retirement", "record")
    ledger = _need(record, "ledger", "record")
    is_credit = "batch_id" in retirement
    allowed = ({"retirement", "batch", "methodology", "sites", "ledger", "portal_base"}
               if is_credit else {"retirement", "lot", "ledger", "portal_base"})
    extra = set(record) - allowed
    if extra:
        kind = "credit" if is_credit else "token"
        raise CertificateFormatError(
            f"record: unknown keys for a {kind} retirement: {', '.join(sorted(extra))}"
        )
    base = portal_base or record.get("portal_base")
    if not base:
        raise CertificateFormatError("portal_base: missing (the portal's public base URL)")
    if not str(base).startswith(("https://", "http://")):
        raise CertificateFormatError(f"portal_base: {base!r} is not an http(s) URL")
    tx_id, timestamp, channel = _ledger_facts(retirement, ledger)

    if is_credit:
        batch = _need(record, "batch", "record")
        if batch.get("batch_id") != retirement["batch_id"]:
            raise CertificateFormatError(
                f"batch.batch_id: {batch.get('batch_id')!r} is not the retirement's batch "
                f"{retirement['batch_id']!r}"
            )
        serial = _serial(retirement, "batch_id", KG_PER_T)
        method = _need(record, "methodology", "record")
        facts: dict[str, Any] = dict(
            kind="credit",
            beneficiary=str(_need(retirement, "user_name", "retirement")),
            quantity_kg=_need_int(retirement, "quantity_t", "retirement") * KG_PER_T,
            vintage_start=str(_need(batch, "period_start", "batch")),
            vintage_end=str(_need(batch, "period_end", "batch")),
            methodology=Methodology(name=str(_need(method, "name", "methodology")),
                                    version=str(_need(method, "version", "methodology"))),
            sites=_sites({"sites": _need(record, "sites", "record")}),
            purpose=str(_need(retirement, "use", "retirement")),
            note="",
            credit_use=CreditUse(
                user_name=str(_need(retirement, "user_name", "retirement")),
                use=str(_need(retirement, "use", "retirement")),
                purpose_detail=str(retirement.get("purpose_detail") or ""),
            ),
        )
    else:
        lot = _need(record, "lot", "record")
        if lot.get("lot_id") != retirement.get("lot_id"):
            raise CertificateFormatError(
                f"lot.lot_id: {lot.get('lot_id')!r} is not the retirement's lot "
                f"{retirement.get('lot_id')!r}"
            )
        serial = _serial(retirement, "lot_id", 1)
        facts = dict(
            kind="token",
            beneficiary=str(_need(retirement, "beneficiary", "retirement")),
            quantity_kg=_need_int(retirement, "quantity_kg", "retirement"),
            vintage_start=str(_need(lot, "vintage_start", "lot")),
            vintage_end=str(_need(lot, "vintage_end", "lot")),
            methodology=Methodology(name=str(_need(lot, "methodology", "lot")),
                                    version=str(_need(lot, "methodology_version", "lot"))),
            sites=_sites(lot),
            purpose=str(_need(retirement, "purpose", "retirement")),
            note=str(retirement.get("note") or ""),
        )
    cert_id = certificate_id_for(channel, tx_id, [serial.serial])
    cert = RetirementCertificate(
        certificate_id=cert_id,
        serial_ranges=(serial,),
        reporting_year=_need_int(retirement, "reporting_year", "retirement"),
        retiring_holder=Holder.from_owner_key(str(_need(retirement, "owner", "retirement"))),
        tx_id=tx_id,
        block_number=_need_int(ledger, "block_number", "ledger"),
        channel=channel,
        issued_at=timestamp,
        verification_url=verification_url(str(base), cert_id),
        **facts,
    )
    # The strict reader checks what the constructor does not (dates, timestamp format).
    return RetirementCertificate.from_dict(cert.to_dict())
