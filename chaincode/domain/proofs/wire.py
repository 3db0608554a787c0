"""A strict reader of the protobuf wire format, for the handful of Fabric messages a
proof carries.

Why not `fabric_protos`: proof verification runs inside the domain package, which stays
free of framework imports so the same code runs in chaincode, the CLI and the bridge
service. The reader is stricter than protobuf: a non-repeated field that occurs twice,
an unknown wire type, a truncated varint or length is refused, so two parsers can never
disagree about what a signed payload says. Tests check it against `fabric_protos`.

Field numbers (fabric-protos): ProposalResponsePayload{proposal_hash=1, extension=2};
ChaincodeAction{results=1, events=2, response=3, chaincode_id=4}; Response{status=1,
message=2, payload=3}; ChaincodeID{path=1, name=2, version=3}; SerializedIdentity{mspid=1,
id_bytes=2}; Endorsement{endorser=1, signature=2}; ProposalResponse{version=1,
timestamp=2, response=4, payload=5, endorsement=6}; Envelope{payload=1, signature=2};
Payload{header=1, data=2}; Transaction{actions=1*}; TransactionAction{header=1,
payload=2}; ChaincodeActionPayload{chaincode_proposal_payload=1, action=2};
ChaincodeEndorsedAction{proposal_response_payload=1, endorsements=2*}.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Message", "WireError", "parse"]

_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5
_MAX_VARINT_BYTES = 10


class WireError(ValueError):
    """The bytes are not a well-formed protobuf message of the expected shape."""


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    for i in range(_MAX_VARINT_BYTES):
        if pos + i >= len(data):
            raise WireError("truncated varint")
        byte = data[pos + i]
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos + i + 1
        shift += 7
    raise WireError("varint longer than 10 bytes")


@dataclass(frozen=True)
class Message:
    """The fields of one message: field number → values in wire order."""

    fields: dict[int, list[int | bytes]]

    def _values(self, number: int, repeated: bool) -> list[int | bytes]:
        values = self.fields.get(number, [])
        if not repeated and len(values) > 1:
            raise WireError(f"field {number} occurs {len(values)} times")
        return values

    def bytes_(self, number: int) -> bytes:
        """A length-delimited field (bytes, string, sub-message); b"" when absent."""
        values = self._values(number, False)
        if not values:
            return b""
        value = values[0]
        if not isinstance(value, bytes):
            raise WireError(f"field {number} is not length-delimited")
        return value

    def text(self, number: int) -> str:
        try:
            return self.bytes_(number).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WireError(f"field {number} is not UTF-8") from exc

    def int_(self, number: int) -> int:
        """A varint field read as a signed 32/64-bit integer (0 when absent)."""
        values = self._values(number, False)
        if not values:
            return 0
        value = values[0]
        if not isinstance(value, int):
            raise WireError(f"field {number} is not a varint")
        return value - (1 << 64) if value >= 1 << 63 else value

    def message(self, number: int) -> Message:
        return parse(self.bytes_(number))

    def repeated_bytes(self, number: int) -> list[bytes]:
        values = self._values(number, True)
        if not all(isinstance(v, bytes) for v in values):
            raise WireError(f"field {number} is not length-delimited")
        return [v for v in values if isinstance(v, bytes)]


def parse(data: bytes, *, allowed: Iterable[int] | None = None) -> Message:
    """Split `data` into fields; `allowed` restricts the field numbers that may occur."""
    if not isinstance(data, bytes | bytearray):
        raise WireError("protobuf data must be bytes")
    data = bytes(data)
    permitted = None if allowed is None else set(allowed)
    fields: dict[int, list[int | bytes]] = {}
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire_type = tag >> 3, tag & 7
        if number == 0:
            raise WireError("field number 0")
        value: int | bytes
        if wire_type == _VARINT:
            value, pos = _varint(data, pos)
        elif wire_type == _LENGTH:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise WireError("truncated length-delimited field")
            value, pos = data[pos:pos + length], pos + length
        elif wire_type in (_FIXED64, _FIXED32):
            size = 8 if wire_type == _FIXED64 else 4
            if pos + size > len(data):
                raise WireError("truncated fixed-width field")
            value, pos = int.from_bytes(data[pos:pos + size], "little"), pos + size
        else:
            raise WireError(f"unsupported wire type {wire_type}")
        if permitted is not None and number not in permitted:
            raise WireError(f"unexpected field {number}")
        fields.setdefault(number, []).append(value)
    return Message(fields)
