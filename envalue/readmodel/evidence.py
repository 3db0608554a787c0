"""Ledger-shaped evidence rebuilt from read-model rows, for checks that need no peer.

Why: the explorer's signature check (`envalue.verify.batches.check_signature`) takes the
anchored batch record and the edge device record as the ledger holds them. The read model
copies every field those checks read (the batch's signed header fields, signature, header
digest and key fingerprint; the device's registered public key), so the same check runs
on the rows, and each result names the transaction and block the rows came from.

Governance progress (`approval_progress`) reads a methodology or factor version's
approvals against the roles the chaincode requires (`APPROVAL_ROLES`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.registry.governance import ACTIVE, APPROVAL_ROLES

from .schema import Device, GovernedVersion, MeasurementBatch

__all__ = ["ApprovalProgress", "anchored_batch_record", "approval_progress",
           "device_record"]


def anchored_batch_record(row: MeasurementBatch) -> dict[str, Any]:
    """The fields of the ledger's `BatchRecord` that the batch checks read."""
    return {
        "batch_id": row.batch_id, "device_id": row.device_id, "meter_id": row.meter_id,
        "equipment_id": row.equipment_id, "period_start": row.period_start,
        "period_end": row.period_end, "reading_count": row.reading_count,
        "merkle_root": row.merkle_root, "upload_hash": row.upload_hash,
        "quality": json.loads(row.quality), "totals": json.loads(row.totals),
        "signature": row.signature, "header_sha256": row.header_sha256,
        "key_fingerprint": row.key_fingerprint, "anchored_at": row.anchored_at,
        "tx_id": row.tx_id, "block_number": row.block_number,
    }


def device_record(row: Device) -> dict[str, Any]:
    """The fields of the ledger's `EdgeDevice` that the signature check reads."""
    return {"device_id": row.device_id, "kind": row.kind, "owner_msp": row.owner_msp,
            "public_key_pem": row.public_key_pem, "key_fingerprint": row.key_fingerprint,
            "tx_id": row.tx_id, "block_number": row.block_number}


@dataclass(frozen=True)
class ApprovalProgress:
    """Who approved a governed version so far, and which required roles are missing."""

    approvals: tuple[Mapping[str, str], ...]
    missing_roles: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing_roles

    def to_dict(self) -> dict[str, Any]:
        return {"approvals": [dict(a) for a in self.approvals],
                "missing_roles": list(self.missing_roles), "complete": self.complete}


def approval_progress(version: GovernedVersion) -> ApprovalProgress:
    """`version`'s approvals in ledger order and the `APPROVAL_ROLES` still missing (none
    once it is active: genesis versions are active without approvals)."""
    approvals = tuple(json.loads(version.approvals or "[]"))
    if version.status == ACTIVE:
        return ApprovalProgress(approvals, ())
    given = {a.get("role") for a in approvals}
    return ApprovalProgress(approvals, tuple(r for r in APPROVAL_ROLES if r not in given))
