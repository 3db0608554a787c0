"""Hash locks of HTLCs: SHA-256 of a 32-byte secret, both as lowercase hex.

The same rules on both ledgers, so a secret revealed by a claim on one ledger opens the
lock on the other.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from envalue.chaincode.domain.errors import ValidationError

__all__ = ["hash_of", "matches", "require_hash_lock", "require_preimage"]

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def require_hash_lock(value: Any, field: str = "hash_lock") -> str:
    if not isinstance(value, str) or not _HEX64.match(value):
        raise ValidationError(field, value, "sha256-hex",
                              "must be a SHA-256 digest as 64 lowercase hex digits")
    return value


def require_preimage(value: Any, field: str = "preimage") -> str:
    if not isinstance(value, str) or not _HEX64.match(value):
        raise ValidationError(field, None, "secret-hex",
                              "must be a 32-byte secret as 64 lowercase hex digits")
    return value


def hash_of(preimage_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(preimage_hex)).hexdigest()


def matches(preimage_hex: str, hash_lock: str) -> bool:
    return hmac.compare_digest(hash_of(preimage_hex), hash_lock)
