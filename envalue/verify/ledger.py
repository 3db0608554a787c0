"""Fetching what `envalue verify` checks from the ledger, through the Gateway SDK.

Why a module of its own: verification itself is pure (`lineage`, `inclusion`); only this
module talks to a peer. It evaluates ``measurement:trace`` (and ``measurement:get_batch``,
``tokens:audit``) on the first peer organisation's Gateway peer, signing as that org's
first user of the network's crypto material. When the network is not there or the peer
does not answer it raises `LedgerUnavailableError` with a reason a person can act on; it
never answers from anywhere else.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

__all__ = ["LedgerQueryError", "LedgerUnavailableError", "evaluate", "fetch_batch",
           "fetch_token_supply", "fetch_trace"]

#: Chaincode contract and function names (chaincode/contracts/measurement.py, tokens.py).
MEASUREMENT, TOKENS = "measurement", "tokens"


class LedgerUnavailableError(RuntimeError):
    """The ledger cannot be reached (no network on this machine, peer down)."""


class LedgerQueryError(RuntimeError):
    """The peer answered with an error (e.g. unknown lot)."""


def evaluate(contract_name: str, function: str, arguments: Sequence[str], *,
             network: str | None = None, connect_timeout: float = 3.0) -> Any:
    """Evaluate `contract_name:function(arguments)` and parse its JSON answer."""
    import grpc

    from envalue.client import (
        GatewayError,
        connect,
        create_channel,
        load_msp_identity,
        load_msp_signer,
    )
    from envalue.network import nodes
    from envalue.network.settings import NetworkSettings
    from envalue.network.topology import CHAINCODE_NAME, CHANNEL, PEER_ORGS

    try:
        settings = NetworkSettings.resolve(name=network)
    except ValueError as exc:
        raise LedgerUnavailableError(f"network settings: {exc}") from exc
    org = PEER_ORGS[0]
    msp = settings.layout.user(org, org.users[0].name) / "msp"
    tls_root = nodes.peer_tls_root(settings.layout, org)
    if not msp.is_dir() or not tls_root.is_file():
        raise LedgerUnavailableError(
            f"network {settings.name!r} has no crypto material at {settings.layout.home} "
            f"(missing {msp if not msp.is_dir() else tls_root}); bring it up with "
            "`envalue network up`, or audit offline with --trace FILE")
    target = nodes.peer_address(settings.ports, org)
    channel = create_channel(target, tls_root_cert=tls_root.read_bytes())
    try:
        try:
            grpc.channel_ready_future(channel).result(timeout=connect_timeout)
        except grpc.FutureTimeoutError as exc:
            raise LedgerUnavailableError(
                f"peer {org.peer_host(0)} at {target} did not answer within "
                f"{connect_timeout:g}s; is the network up (`envalue network status`)?") from exc
        with connect(load_msp_identity(msp, org.msp_id), client=channel,
                     signer=load_msp_signer(msp)) as gateway:
            contract = gateway.get_network(CHANNEL).get_contract(CHAINCODE_NAME, contract_name)
            try:
                raw = contract.evaluate(function, arguments=list(arguments))
            except GatewayError as exc:
                if exc.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                    raise LedgerUnavailableError(f"peer {target}: {exc}") from exc
                raise LedgerQueryError(f"{contract_name}:{function}: {exc}") from exc
    finally:
        channel.close()
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise LedgerQueryError(f"{contract_name}:{function} did not answer JSON") from exc


def fetch_trace(lot_id: str = "", calculation_id: str = "", **kwargs: Any) -> dict[str, Any]:
    """The ``measurement:trace`` document of a lot (or a calculation)."""
    return dict(evaluate(MEASUREMENT, "trace", [lot_id, calculation_id], **kwargs))


def fetch_batch(batch_id: str, **kwargs: Any) -> dict[str, Any]:
    """The anchored batch record (``measurement:get_batch``)."""
    return dict(evaluate(MEASUREMENT, "get_batch", [batch_id], **kwargs))


def fetch_token_supply(lot_id: str, **kwargs: Any) -> dict[str, Any]:
    """The token ledger's supply audit of one lot (``tokens:audit``)."""
    return dict(evaluate(TOKENS, "audit", [lot_id], **kwargs))
