"""The ledger view a proof carries: what a query returned, in one canonical JSON form.

``{"view": <kind>, "network_id": <source network>, "key": <record id>, "record": {...}}``

`kind` names the record type and its version (``envalue.bridge.pledge/v1``), so a view of
one kind can never be presented as another; `network_id` is the source network's own
configured id, so a view from a test network or a third ledger is refused even when the
same organisations run it. Views hold integers and strings only (no floats).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.errors import ValidationError

__all__ = [
    "KIND_BURN",
    "KIND_ORIGIN",
    "KIND_PLEDGE",
    "KIND_RETIREMENT",
    "View",
    "decode_view",
    "encode_view",
]

#: A pledge on the home ledger (`bridge.state.Pledge`).
KIND_PLEDGE = "envalue.bridge.pledge/v1"
#: The partner's origin-index entry for a pledge: claimed or voided (`wrapped.state`).
KIND_ORIGIN = "envalue.wrapped.origin/v1"
#: A burn of wrapped units for return home.
KIND_BURN = "envalue.wrapped.burn/v1"
#: A retirement of wrapped units on the partner.
KIND_RETIREMENT = "envalue.wrapped.retirement/v1"


@dataclass(frozen=True)
class View:
    kind: str
    network_id: str
    key: str
    record: Mapping[str, Any]


def encode_view(kind: str, network_id: str, key: str, record: Mapping[str, Any]) -> bytes:
    """Canonical bytes: sorted keys, no whitespace, UTF-8."""
    body = {"view": kind, "network_id": network_id, "key": key, "record": dict(record)}
    return json.dumps(body, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def _no_float(text: str) -> Any:
    raise ValueError(f"non-integer number {text}")


def decode_view(payload: bytes, field: str = "proof") -> View:
    try:
        body = json.loads(payload.decode("utf-8"), parse_float=_no_float,
                          parse_constant=_no_float)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(f"{field}.view", None, "proof-view",
                              f"endorsed payload is not a view ({exc})") from exc
    if not isinstance(body, dict) or set(body) != {"view", "network_id", "key", "record"}:
        raise ValidationError(f"{field}.view", None, "proof-view",
                              "endorsed payload is not a view object")
    kind, network, key, record = body["view"], body["network_id"], body["key"], body["record"]
    if not all(isinstance(v, str) and v for v in (kind, network, key)) or not isinstance(
            record, dict):
        raise ValidationError(f"{field}.view", None, "proof-view", "malformed view fields")
    return View(kind, network, key, record)
