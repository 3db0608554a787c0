"""MsgReportRetirement: units retired on the partner are retired at home too.

The retirement view (``envalue.wrapped.retirement/v1``) names the origin network (this
one), lot, quantity, beneficiary, purpose and reporting year. The same number of the
lot's custody units move from ``bridged_out`` to ``retired`` with the next serial range
and a retirement record in the beneficiary's name noting the partner retirement, so the
units can never be released home or used as an offset here. Each partner retirement is
recorded once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.proofs.verify import verify_registered, view_field
from envalue.chaincode.domain.proofs.view import KIND_RETIREMENT
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.bridge_hooks import retire_custody_units
from envalue.chaincode.domain.tokens.ledger import TokenLedger
from envalue.chaincode.domain.tokens.msg_retire import RetirementInfo, validate_info
from envalue.chaincode.domain.tokens.rules import require_id, require_positive_int

from .access import require_relay
from .state import PARTNER_RETIREMENT, PartnerRetirement, load_config

__all__ = ["MsgReportRetirement", "apply", "validate"]


@dataclass(frozen=True)
class MsgReportRetirement:
    partner_network: str
    proof: dict[str, Any]


def validate(msg: MsgReportRetirement) -> None:
    require_id(msg.partner_network, "partner_network")
    if not isinstance(msg.proof, dict):
        raise ValidationError("proof", msg.proof, "object", "must be a proof object")


async def apply(store: Store, ctx: TxContext, msg: MsgReportRetirement) -> list[DomainEvent]:
    validate(msg)
    require_relay(ctx, "report a partner retirement")
    ledger = TokenLedger(store, ctx)
    config = await load_config(ledger.store)
    view = await verify_registered(ledger.store, msg.partner_network, msg.proof,
                                   kind=KIND_RETIREMENT, at=ctx.timestamp)
    retirement_id = require_id(view_field(view, "retirement_id", str),
                               "proof.view.record.retirement_id")
    source = view_field(view, "source_network", str)
    if source != config.network_id:
        raise ValidationError("proof.view.record.source_network", source, "origin",
                              f"retired units originate from {source!r}")
    lot_id = require_id(view_field(view, "lot_id", str), "proof.view.record.lot_id")
    quantity = require_positive_int(view_field(view, "quantity_kg", int),
                                    "proof.view.record.quantity_kg")
    info = RetirementInfo(
        beneficiary=view_field(view, "beneficiary", str),
        purpose=view_field(view, "purpose", str),
        reporting_year=view_field(view, "reporting_year", int),
        note=f"retired on {msg.partner_network} as {retirement_id}",
    )
    validate_info(info, "proof.view.record.")
    key = composite_key(PARTNER_RETIREMENT, msg.partner_network, retirement_id)
    if await ledger.store.get(key) is not None:
        raise ConflictError("proof", retirement_id, "already-recorded",
                            f"retirement {retirement_id!r} of {msg.partner_network!r} is "
                            "already recorded")
    retirement = await retire_custody_units(ledger, lot_id, msg.partner_network, quantity,
                                            info, retirement_id,
                                            field="proof.view.record.quantity_kg")
    await ledger.save(PartnerRetirement(
        partner_network=msg.partner_network, retirement_id=retirement_id, lot_id=lot_id,
        quantity_kg=quantity, beneficiary=info.beneficiary, home_serial=retirement.serial,
        proof_sha256=view.payload_sha256, recorded_at=ledger.when, recorded_tx=ctx.tx_id,
    ))
    return [DomainEvent("EventPartnerRetirement", {
        "partner_network": msg.partner_network, "retirement_id": retirement_id,
        "lot_id": lot_id, "quantity_kg": quantity, "serial": retirement.serial,
        "purpose": info.purpose, "reporting_year": info.reporting_year,
    })]
