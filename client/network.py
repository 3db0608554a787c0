"""A channel as seen through the Gateway: contracts and event streams."""

from __future__ import annotations

from typing import Any

from ._context import Context
from .checkpointers import Checkpoint
from .contract import AsyncContract, Contract
from .events import (
    AsyncBlockEventsRequest,
    AsyncChaincodeEventsRequest,
    AsyncEventStream,
    BlockEventsRequest,
    ChaincodeEvent,
    ChaincodeEventsRequest,
    EventStream,
    build_block_events_envelope,
    build_chaincode_events_request,
)

__all__ = ["AsyncNetwork", "Network"]


class _NetworkBase:
    def __init__(self, ctx: Context, name: str) -> None:
        if not name:
            raise ValueError("channel name is required")
        self._ctx = ctx
        self._name = name

    @property
    def name(self) -> str:
        return self._name


class Network(_NetworkBase):
    """Channel over a blocking channel."""

    def get_contract(self, chaincode_name: str, contract_name: str | None = None) -> Contract:
        return Contract(self._ctx, self._name, chaincode_name, contract_name)

    def new_chaincode_events_request(self, chaincode_name: str, *,
                                     start_block: int | None = None,
                                     checkpoint: Checkpoint | None = None
                                     ) -> ChaincodeEventsRequest:
        """Request for chaincode events, for offline signing or later use."""
        signed = build_chaincode_events_request(self._ctx, self._name, chaincode_name,
                                                start_block=start_block, checkpoint=checkpoint)
        return ChaincodeEventsRequest(self._ctx, signed)

    def get_chaincode_events(self, chaincode_name: str, *, start_block: int | None = None,
                             checkpoint: Checkpoint | None = None,
                             timeout: float | None = None) -> EventStream[ChaincodeEvent]:
        """Stream chaincode events: from the checkpoint if it has one, else ``start_block``,
        else the next block committed."""
        return self.new_chaincode_events_request(
            chaincode_name, start_block=start_block, checkpoint=checkpoint
        ).get_events(timeout=timeout)

    def new_block_events_request(self, *, kind: str = "full", start_block: int | None = None,
                                 checkpoint: Checkpoint | None = None) -> BlockEventsRequest:
        """Request for block events; ``kind`` is "full", "filtered" or "private"."""
        envelope = build_block_events_envelope(self._ctx, self._name,
                                               start_block=start_block, checkpoint=checkpoint)
        return BlockEventsRequest(self._ctx, envelope, kind)

    def get_block_events(self, *, start_block: int | None = None,
                         checkpoint: Checkpoint | None = None,
                         timeout: float | None = None) -> EventStream[Any]:
        """Stream full ``common.Block`` messages from the peer's Deliver service."""
        return self.new_block_events_request(
            kind="full", start_block=start_block, checkpoint=checkpoint
        ).get_events(timeout=timeout)

    def get_filtered_block_events(self, *, start_block: int | None = None,
                                  checkpoint: Checkpoint | None = None,
                                  timeout: float | None = None) -> EventStream[Any]:
        """Stream ``peer.FilteredBlock`` messages (tx ids, validation codes, event names)."""
        return self.new_block_events_request(
            kind="filtered", start_block=start_block, checkpoint=checkpoint
        ).get_events(timeout=timeout)


class AsyncNetwork(_NetworkBase):
    """Channel over a ``grpc.aio`` channel."""

    def get_contract(self, chaincode_name: str, contract_name: str | None = None
                     ) -> AsyncContract:
        return AsyncContract(self._ctx, self._name, chaincode_name, contract_name)

    def new_chaincode_events_request(self, chaincode_name: str, *,
                                     start_block: int | None = None,
                                     checkpoint: Checkpoint | None = None
                                     ) -> AsyncChaincodeEventsRequest:
        signed = build_chaincode_events_request(self._ctx, self._name, chaincode_name,
                                                start_block=start_block, checkpoint=checkpoint)
        return AsyncChaincodeEventsRequest(self._ctx, signed)

    def get_chaincode_events(self, chaincode_name: str, *, start_block: int | None = None,
                             checkpoint: Checkpoint | None = None,
                             timeout: float | None = None
                             ) -> AsyncEventStream[ChaincodeEvent]:
        return self.new_chaincode_events_request(
            chaincode_name, start_block=start_block, checkpoint=checkpoint
        ).get_events(timeout=timeout)

    def new_block_events_request(self, *, kind: str = "full", start_block: int | None = None,
                                 checkpoint: Checkpoint | None = None
                                 ) -> AsyncBlockEventsRequest:
        envelope = build_block_events_envelope(self._ctx, self._name,
                                               start_block=start_block, checkpoint=checkpoint)
        return AsyncBlockEventsRequest(self._ctx, envelope, kind)

    def get_block_events(self, *, start_block: int | None = None,
                         checkpoint: Checkpoint | None = None,
                         timeout: float | None = None) -> AsyncEventStream[Any]:
        return self.new_block_events_request(
            kind="full", start_block=start_block, checkpoint=checkpoint
        ).get_events(timeout=timeout)

    def get_filtered_block_events(self, *, start_block: int | None = None,
                                  checkpoint: Checkpoint | None = None,
                                  timeout: float | None = None) -> AsyncEventStream[Any]:
        return self.new_block_events_request(
            kind="filtered", start_block=start_block, checkpoint=checkpoint
        ).get_events(timeout=timeout)
