"""Read a committed block (peer Deliver, ``common.Block``) into `ChaincodeEventRecord`s.

For each endorser transaction the peer marked VALID (the block's TRANSACTIONS_FILTER
metadata), the chaincode action of `chaincode` gives its chaincode event and its write
set in the chaincode's namespace — what the projector needs. Invalid transactions
changed nothing on the ledger and are skipped; so are config transactions and other
chaincodes' actions.

Also: ``chain_height`` decodes qscc ``GetChainInfo``'s answer (``common.BlockchainInfo``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

from fabric_protos.common import common_pb2, ledger_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.peer import (
    chaincode_event_pb2,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)

from .records import ChaincodeEventRecord

__all__ = ["block_records", "chain_height"]

_VALID = transaction_pb2.TxValidationCode.VALID


def chain_height(blockchain_info: bytes) -> int:
    """The channel height (number of blocks) from qscc GetChainInfo's bytes."""
    return int(ledger_pb2.BlockchainInfo.FromString(blockchain_info).height)


def _validation_codes(block: common_pb2.Block) -> bytes:
    metadata = block.metadata.metadata
    index = common_pb2.BlockMetadataIndex.TRANSACTIONS_FILTER
    return bytes(metadata[index]) if len(metadata) > index else b""


def block_records(block: common_pb2.Block, chaincode: str) -> list[ChaincodeEventRecord]:
    """The valid transactions of `block` that invoked `chaincode`, in block order."""
    codes = _validation_codes(block)
    number = int(block.header.number)
    out: list[ChaincodeEventRecord] = []
    for i, raw in enumerate(block.data.data):
        if i >= len(codes) or codes[i] != _VALID:
            continue
        payload = common_pb2.Payload.FromString(
            common_pb2.Envelope.FromString(raw).payload)
        header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
        if header.type != common_pb2.HeaderType.ENDORSER_TRANSACTION:
            continue
        for event, writes in _actions(payload.data, chaincode):
            out.append(ChaincodeEventRecord(
                block_number=number, transaction_id=header.tx_id, chaincode_name=chaincode,
                event_name=event.event_name if event else "",
                payload=bytes(event.payload) if event else b"", writes=writes,
                timestamp=_timestamp(header)))
    return out


def _timestamp(header: common_pb2.ChannelHeader) -> str:
    """The transaction's timestamp as the chaincode formats it (``ctx.timestamp``, a UTC
    datetime, ``.isoformat()``); empty when the header has none."""
    if not header.HasField("timestamp"):
        return ""
    return header.timestamp.ToDatetime(tzinfo=UTC).isoformat()


def _actions(data: bytes, chaincode: str
             ) -> Iterator[tuple[chaincode_event_pb2.ChaincodeEvent | None,
                                 dict[str, bytes | None]]]:
    """(chaincode event or None, write set) of each action of `chaincode`."""
    transaction = transaction_pb2.Transaction.FromString(data)
    for action in transaction.actions:
        cap = transaction_pb2.ChaincodeActionPayload.FromString(action.payload)
        prp = proposal_response_pb2.ProposalResponsePayload.FromString(
            cap.action.proposal_response_payload)
        cc_action = proposal_pb2.ChaincodeAction.FromString(prp.extension)
        if cc_action.chaincode_id.name != chaincode:
            continue
        event = (chaincode_event_pb2.ChaincodeEvent.FromString(cc_action.events)
                 if cc_action.events else None)
        writes = _writes(cc_action.results, chaincode)
        if event is not None or writes:
            yield event, writes


def _writes(results: bytes, namespace: str) -> dict[str, bytes | None]:
    writes: dict[str, bytes | None] = {}
    rwset = rwset_pb2.TxReadWriteSet.FromString(results)
    for ns in rwset.ns_rwset:
        if ns.namespace != namespace:
            continue
        for write in kv_rwset_pb2.KVRWSet.FromString(ns.rwset).writes:
            writes[write.key] = None if write.is_delete else bytes(write.value)
    return writes
