"""Reading a proven pledge: the checks claim and void share.

The pledge view must come from `source_network` (registered here), name this ledger as
its target, be in status ``pledged``, and carry well-formed ids, quantity, recipient,
expiry and origin fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.proofs.verify import VerifiedView, verify_registered, view_field
from envalue.chaincode.domain.proofs.view import KIND_PLEDGE
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.rules import (
    require_id,
    require_owner_key,
    require_positive_int,
    require_timestamp,
)

__all__ = ["ORIGIN_FIELDS", "ProvenPledge", "verify_pledge"]

ORIGIN_FIELDS = ("vintage_start", "vintage_end", "methodology", "methodology_version",
                 "serial_range")
_P = "proof.view.record."


@dataclass(frozen=True)
class ProvenPledge:
    view: VerifiedView
    pledge_id: str
    lot_id: str
    owner: str
    quantity_kg: int
    recipient: str
    expires_at: str
    origin: dict[str, str]


async def verify_pledge(store: Store, source_network: str, proof: Any, *,
                        local_network: str, at: datetime) -> ProvenPledge:
    view = await verify_registered(store, source_network, proof, kind=KIND_PLEDGE, at=at)
    pledge_id = require_id(view_field(view, "pledge_id", str), f"{_P}pledge_id")
    if view.view.key != pledge_id or view_field(view, "network_id", str) != source_network:
        raise ValidationError(f"{_P}pledge_id", pledge_id, "proof-view",
                              "view key or network does not match the pledge")
    target = view_field(view, "target_network", str)
    if target != local_network:
        raise ValidationError(f"{_P}target_network", target, "target",
                              f"the pledge targets {target!r}, not {local_network!r}")
    status = view_field(view, "status", str)
    if status != "pledged":
        raise ValidationError(f"{_P}status", status, "pledged",
                              f"pledge {pledge_id!r} is {status}, not pledged")
    expires_at = view_field(view, "expires_at", str)
    require_timestamp(expires_at, f"{_P}expires_at")
    origin = {name: view_field(view, name, str) for name in ORIGIN_FIELDS}
    return ProvenPledge(
        view=view, pledge_id=pledge_id,
        lot_id=require_id(view_field(view, "lot_id", str), f"{_P}lot_id"),
        owner=require_owner_key(view_field(view, "owner", str), f"{_P}owner"),
        quantity_kg=require_positive_int(view_field(view, "quantity_kg", int),
                                         f"{_P}quantity_kg"),
        recipient=require_owner_key(view_field(view, "recipient", str), f"{_P}recipient"),
        expires_at=expires_at, origin=origin,
    )
