"""The proof as carried between ledgers: per endorsing peer, the payload it signed, its
identity and its signature, all base64 in a JSON object.

``{"version": 1, "endorsements": [{"payload": b64, "endorser": b64, "signature": b64}]}``

Each endorsement carries its own payload bytes (what that peer returned) so that the
verifier can check they are identical rather than trust a relay to have compared them.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.errors import ValidationError

__all__ = ["MAX_ENDORSEMENTS", "MAX_PAYLOAD_BYTES", "PROOF_VERSION", "Endorsement", "Proof"]

PROOF_VERSION = 1
MAX_ENDORSEMENTS = 16
MAX_PAYLOAD_BYTES = 256 * 1024
_MAX_ENDORSER_BYTES = 16 * 1024
_MAX_SIGNATURE_BYTES = 160


@dataclass(frozen=True)
class Endorsement:
    payload: bytes
    endorser: bytes
    signature: bytes

    def to_dict(self) -> dict[str, str]:
        return {name: base64.b64encode(getattr(self, name)).decode("ascii")
                for name in ("payload", "endorser", "signature")}


def _b64(value: Any, field: str, limit: int) -> bytes:
    if not isinstance(value, str) or not value:
        raise ValidationError(field, value, "base64", "must be a non-empty base64 string")
    if len(value) > limit * 4 // 3 + 4:
        raise ValidationError(field, None, "size", f"exceeds {limit} bytes")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(field, None, "base64", "is not valid base64") from exc


@dataclass(frozen=True)
class Proof:
    endorsements: tuple[Endorsement, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"version": PROOF_VERSION,
                "endorsements": [e.to_dict() for e in self.endorsements]}

    @classmethod
    def from_dict(cls, data: Any, field: str = "proof") -> Proof:
        """Parse the carried form; sizes are bounded before anything is decoded."""
        if not isinstance(data, Mapping):
            raise ValidationError(field, data, "object", "must be a JSON object")
        if data.get("version") != PROOF_VERSION:
            raise ValidationError(f"{field}.version", data.get("version"), "version",
                                  f"must be {PROOF_VERSION}")
        items = data.get("endorsements")
        if not isinstance(items, list) or not items:
            raise ValidationError(f"{field}.endorsements", items, "required",
                                  "must be a non-empty array")
        if len(items) > MAX_ENDORSEMENTS:
            raise ValidationError(f"{field}.endorsements", len(items), "max-items",
                                  f"more than {MAX_ENDORSEMENTS} endorsements")
        endorsements = []
        for i, item in enumerate(items):
            path = f"{field}.endorsements[{i}]"
            if not isinstance(item, Mapping) or set(item) != {"payload", "endorser",
                                                              "signature"}:
                raise ValidationError(path, None, "shape",
                                      "must have exactly payload, endorser and signature")
            endorsements.append(Endorsement(
                payload=_b64(item["payload"], f"{path}.payload", MAX_PAYLOAD_BYTES),
                endorser=_b64(item["endorser"], f"{path}.endorser", _MAX_ENDORSER_BYTES),
                signature=_b64(item["signature"], f"{path}.signature", _MAX_SIGNATURE_BYTES),
            ))
        return cls(tuple(endorsements))
