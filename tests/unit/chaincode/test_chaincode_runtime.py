"""Runtime pieces on their own: configuration, stub extras, stream writer, TLS, entry point."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from chaincode_peer_harness import FakePeer, signed_proposal
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fabric_protos.peer import chaincode_pb2
from fabric_protos.peer import chaincode_shim_pb2 as shim_pb2

from envalue.chaincode.contracts import all_contracts
from envalue.chaincode.runtime import (
    ChaincodeServer,
    ConfigError,
    EnvalueStub,
    SerialStreamWriter,
    ServerConfig,
    StreamClosedError,
    build_chaincode,
)

pytestmark = pytest.mark.unit
Msg = shim_pb2.ChaincodeMessage


# -- configuration --------------------------------------------------------
def test_config_from_env_minimal() -> None:
    env = {"CHAINCODE_SERVER_ADDRESS": "0.0.0.0:9999", "CHAINCODE_ID": "x"}
    config = ServerConfig.from_env(env)
    assert (config.address, config.chaincode_id, config.tls, config.mutual_tls) == (
        "0.0.0.0:9999", "x", False, False
    )


def test_config_reports_all_missing_variables() -> None:
    with pytest.raises(ConfigError, match="CHAINCODE_SERVER_ADDRESS, CHAINCODE_ID"):
        ServerConfig.from_env({})


def test_config_tls_files(tmp_path: Path) -> None:
    for name in ("cert", "key", "ca"):
        (tmp_path / name).write_bytes(name.encode())
    base = {"CHAINCODE_SERVER_ADDRESS": "h:1", "CHAINCODE_ID": "x"}
    env = base | {
        "CHAINCODE_TLS_CERT": str(tmp_path / "cert"),
        "CHAINCODE_TLS_KEY": str(tmp_path / "key"),
        "CHAINCODE_CLIENT_CA_CERT": str(tmp_path / "ca"),
    }
    config = ServerConfig.from_env(env)
    assert (config.tls_cert, config.tls_key, config.client_ca_cert) == (b"cert", b"key", b"ca")
    assert config.mutual_tls
    with pytest.raises(ConfigError, match="must be set together"):
        ServerConfig.from_env(base | {"CHAINCODE_TLS_CERT": str(tmp_path / "cert")})
    with pytest.raises(ConfigError, match="cannot read"):
        ServerConfig.from_env(env | {"CHAINCODE_TLS_KEY": str(tmp_path / "absent")})


# -- stub extras ----------------------------------------------------------
def test_stub_exposes_raw_args_transient_map_and_timestamp() -> None:
    args = [b"probe:put", b"\xff\x00binary"]
    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    proposal = signed_proposal(
        tx_id="t1", args=args, msp_id="PlatformMSP", cert_pem=b"-", timestamp=at,
        transient={"secret": b"\x01\x02"},
    )
    stub = EnvalueStub(None, "ch", "t1", chaincode_pb2.ChaincodeInput(args=args), proposal)
    assert stub.get_args() == args
    assert stub.get_function_name() == "probe:put"
    assert dict(stub.get_transient()) == {"secret": b"\x01\x02"}
    assert stub.get_tx_datetime() == at
    stub.set_event("First", b"1")
    stub.set_event("Second", "2")
    assert stub.get_events() == [stub.chaincode_event]
    assert (stub.chaincode_event.event_name, stub.chaincode_event.payload) == ("Second", b"2")


def test_stub_without_proposal_has_empty_transient() -> None:
    stub = EnvalueStub(None, "ch", "t", chaincode_pb2.ChaincodeInput(args=[b"f"]), None)
    assert dict(stub.get_transient()) == {}
    assert stub.chaincode_event is None


# -- stream writer ----------------------------------------------------------
def test_stream_writer_never_overlaps_writes_and_keeps_order() -> None:
    written: list[str] = []
    active = 0

    async def write(message: shim_pb2.ChaincodeMessage) -> None:
        nonlocal active
        active += 1
        assert active == 1, "two writes in flight"
        await asyncio.sleep(0)
        written.append(message.txid)
        active -= 1

    async def scenario() -> None:
        writer = SerialStreamWriter(write)
        writer.start()
        await asyncio.gather(*(writer.send(Msg(txid=str(i))) for i in range(200)))
        await writer.close()

    asyncio.run(scenario())
    assert written == [str(i) for i in range(200)]


def test_stream_writer_fails_senders_once_the_stream_breaks() -> None:
    async def write(message: shim_pb2.ChaincodeMessage) -> None:
        raise RuntimeError("stream reset")

    async def scenario() -> list[BaseException | None]:
        writer = SerialStreamWriter(write)
        writer.start()
        results = await asyncio.gather(
            *(writer.send(Msg(txid=str(i))) for i in range(3)), return_exceptions=True
        )
        late = await asyncio.gather(writer.send(Msg(txid="late")), return_exceptions=True)
        await writer.close()
        return [*results, *late]

    assert all(isinstance(r, StreamClosedError) for r in asyncio.run(scenario()))


# -- TLS ----------------------------------------------------------------------
def _issue(subject_cn: str, issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
           *, ca: bool = False, san: str | None = None) -> tuple[bytes, bytes, x509.Name,
                                                                  ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)])
    issuer_name, issuer_key = issuer if issuer else (name, key)
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder().subject_name(name).issuer_name(issuer_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem, name, key


def test_mutual_tls_server_accepts_a_peer_with_a_client_certificate() -> None:
    ca_pem, _, ca_name, ca_key = _issue("test-ca", None, ca=True)
    server_pem, server_key, _, _ = _issue("chaincode", (ca_name, ca_key), san="localhost")
    client_pem, client_key, _, _ = _issue("peer0", (ca_name, ca_key))
    config = ServerConfig("localhost:0", "cc:tls", server_pem, server_key, ca_pem)

    async def scenario(client_cert: bool) -> int:
        server = ChaincodeServer(build_chaincode(all_contracts()), config)
        await server.start()
        credentials = grpc.ssl_channel_credentials(
            ca_pem, client_key if client_cert else None, client_pem if client_cert else None
        )
        try:
            async with FakePeer(
                f"localhost:{server.port}", credentials=credentials, ready_timeout=3
            ) as peer:
                return (await peer.invoke("tx-tls", "probe:put", "k", "v")).type
        finally:
            await server.stop(0)

    assert asyncio.run(scenario(client_cert=True)) == Msg.COMPLETED
    with pytest.raises((TimeoutError, asyncio.TimeoutError)):
        asyncio.run(scenario(client_cert=False))  # handshake refused: never registers


# -- entry point ----------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_python_dash_m_serves_and_stops_cleanly_on_sigterm() -> None:
    port = _free_port()
    env = os.environ | {
        "CHAINCODE_SERVER_ADDRESS": f"127.0.0.1:{port}",
        "CHAINCODE_ID": "envalue_1.0:feedface",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "envalue.chaincode"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        first_line = process.stdout.readline() if process.stdout else ""
        assert f"chaincode server listening address=127.0.0.1:{port}" in first_line
        assert "chaincode_id=envalue_1.0:feedface" in first_line

        async def one_transaction() -> int:
            async with FakePeer(f"127.0.0.1:{port}") as peer:
                assert peer.registered_as == "envalue_1.0:feedface"
                return (await peer.invoke("tx-main", "probe:put", "k", "v")).type

        assert asyncio.run(one_transaction()) == Msg.COMPLETED
        process.send_signal(signal.SIGTERM)
        remaining = max(1.0, deadline - time.monotonic())
        output, _ = process.communicate(timeout=remaining)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "chaincode server stopped" in output
    assert "fn=probe:put status=200" in output
    assert "Look out" not in output
