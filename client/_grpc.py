"""Private gRPC plumbing: channel creation, deadlines, and error conversion.

The gateway puts one ``gateway.ErrorDetail`` per failing endpoint into the rich status
(``grpc-status-details-bin`` trailer, a ``google.rpc.Status``). ``google.rpc`` protos are not
a dependency, so a wire-compatible copy of ``google.rpc.Status`` is declared here in a private
descriptor pool.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, TypeVar

import grpc
from fabric_protos.gateway import gateway_pb2
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from .errors import ErrorDetail, GatewayError, TransactionError

__all__ = [
    "DEFAULT_KEEPALIVE_OPTIONS",
    "create_aio_channel",
    "create_channel",
    "decode_error_details",
    "to_gateway_error",
]

logger = logging.getLogger("envalue.client")

_STATUS_DETAILS_KEY = "grpc-status-details-bin"
_ERROR_DETAIL_TYPE = "type.googleapis.com/gateway.ErrorDetail"

#: Client keepalive that a Fabric peer/orderer accepts: their servers enforce a minimum
#: ping interval of 60 s by default (``peer.keepalive.minInterval``), and clients pinging
#: more often get GOAWAY ``too_many_pings``. 120 s with a 20 s ack timeout stays well clear.
DEFAULT_KEEPALIVE_OPTIONS: tuple[tuple[str, int], ...] = (
    ("grpc.keepalive_time_ms", 120_000),
    ("grpc.keepalive_timeout_ms", 20_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
)
#: Fabric's default gRPC message limit (100 MiB) on both directions.
DEFAULT_MESSAGE_SIZE_OPTIONS: tuple[tuple[str, int], ...] = (
    ("grpc.max_send_message_length", 100 * 1024 * 1024),
    ("grpc.max_receive_message_length", 100 * 1024 * 1024),
)


def _build_status_class() -> Any:
    fdp = descriptor_pb2.FileDescriptorProto(
        name="envalue_private/rpc_status.proto", package="envalue_private", syntax="proto3"
    )
    any_msg = fdp.message_type.add(name="AnyLite")
    any_msg.field.add(name="type_url", number=1, type=9, label=1)
    any_msg.field.add(name="value", number=2, type=12, label=1)
    status = fdp.message_type.add(name="RpcStatus")
    status.field.add(name="code", number=1, type=5, label=1)
    status.field.add(name="message", number=2, type=9, label=1)
    status.field.add(name="details", number=3, type=11, label=3,
                     type_name=".envalue_private.AnyLite")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("envalue_private.RpcStatus"))


_RpcStatus = _build_status_class()


def decode_error_details(status_details_bin: bytes) -> tuple[ErrorDetail, ...]:
    """ErrorDetail entries from a serialized google.rpc.Status; unknown entries are skipped."""
    status = _RpcStatus.FromString(status_details_bin)
    out: list[ErrorDetail] = []
    for item in status.details:
        if item.type_url.rsplit("/", 1)[-1] != "gateway.ErrorDetail":
            continue
        d = gateway_pb2.ErrorDetail.FromString(item.value)
        out.append(ErrorDetail(address=d.address, msp_id=d.msp_id, message=d.message))
    return tuple(out)


def _details_from_call(err: grpc.RpcError) -> tuple[ErrorDetail, ...]:
    trailing = None
    try:
        trailing = err.trailing_metadata()  # type: ignore[attr-defined]
    except Exception:  # pragma: no cover - defensive: some errors carry no call
        return ()
    for key, value in trailing or ():
        if key == _STATUS_DETAILS_KEY and isinstance(value, bytes):
            try:
                return decode_error_details(value)
            except Exception:  # malformed details must not hide the original error
                logger.warning("undecodable grpc status details", extra={"grpc_key": key})
                return ()
    return ()


E = TypeVar("E", bound=GatewayError)


def to_gateway_error(
    err: grpc.RpcError,
    error_type: type[E] = GatewayError,  # type: ignore[assignment]
    *,
    transaction_id: str | None = None,
) -> E:
    """Convert a gRPC error (sync or aio) into ``error_type`` with decoded ErrorDetails."""
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN  # type: ignore[attr-defined]
    message = err.details() if hasattr(err, "details") else str(err)  # type: ignore[attr-defined]
    details = _details_from_call(err)
    if issubclass(error_type, TransactionError):
        result = error_type(message or "", code=code, details=details,
                            transaction_id=transaction_id or "")
    else:
        result = error_type(message or "", code=code, details=details)
    result.__cause__ = err
    return result


def _channel_options(
    ssl_target_name_override: str | None,
    keepalive: bool,
    options: Sequence[tuple[str, Any]] | None,
) -> list[tuple[str, Any]]:
    opts: list[tuple[str, Any]] = list(DEFAULT_MESSAGE_SIZE_OPTIONS)
    if keepalive:
        opts.extend(DEFAULT_KEEPALIVE_OPTIONS)
    if ssl_target_name_override:
        opts.append(("grpc.ssl_target_name_override", ssl_target_name_override))
        opts.append(("grpc.default_authority", ssl_target_name_override))
    if options:
        overridden = {k for k, _ in options}
        opts = [o for o in opts if o[0] not in overridden] + list(options)
    return opts


def _credentials(
    root_certificates: bytes | None,
    private_key: bytes | None,
    certificate_chain: bytes | None,
) -> grpc.ChannelCredentials:
    if (private_key is None) != (certificate_chain is None):
        raise ValueError("mTLS needs both client_key and client_cert")
    return grpc.ssl_channel_credentials(
        root_certificates=root_certificates,
        private_key=private_key,
        certificate_chain=certificate_chain,
    )


def create_channel(
    target: str,
    *,
    tls_root_cert: bytes | None = None,
    client_cert: bytes | None = None,
    client_key: bytes | None = None,
    ssl_target_name_override: str | None = None,
    insecure: bool = False,
    keepalive: bool = True,
    options: Sequence[tuple[str, Any]] | None = None,
) -> grpc.Channel:
    """A blocking gRPC channel to a peer's Gateway: TLS by default, mTLS with client cert/key.

    ``insecure=True`` (plaintext) must be asked for explicitly.
    """
    opts = _channel_options(ssl_target_name_override, keepalive, options)
    if insecure:
        return grpc.insecure_channel(target, options=opts)
    creds = _credentials(tls_root_cert, client_key, client_cert)
    return grpc.secure_channel(target, creds, options=opts)


def create_aio_channel(
    target: str,
    *,
    tls_root_cert: bytes | None = None,
    client_cert: bytes | None = None,
    client_key: bytes | None = None,
    ssl_target_name_override: str | None = None,
    insecure: bool = False,
    keepalive: bool = True,
    options: Sequence[tuple[str, Any]] | None = None,
) -> grpc.aio.Channel:
    """Same as :func:`create_channel` for asyncio (``grpc.aio``)."""
    opts = _channel_options(ssl_target_name_override, keepalive, options)
    if insecure:
        return grpc.aio.insecure_channel(target, options=opts)
    creds = _credentials(tls_root_cert, client_key, client_cert)
    return grpc.aio.secure_channel(target, creds, options=opts)
