"""Fixtures for the client tests: a throwaway X.509 identity and a real fabric-ca-server."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from envalue.client import EcdsaSigner, X509Identity

REPO = Path(__file__).resolve().parents[3]


@dataclass
class TestIdentity:
    identity: X509Identity
    signer: EcdsaSigner
    key: ec.EllipticCurvePrivateKey


def make_identity(msp_id: str = "Org1MSP", cn: str = "user1") -> TestIdentity:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    return TestIdentity(X509Identity(msp_id, pem), EcdsaSigner(key), key)


@pytest.fixture
def test_identity() -> TestIdentity:
    return make_identity()


@pytest.fixture
def identity_factory() -> Callable[..., TestIdentity]:
    """make_identity(msp_id="Org1MSP", cn="user1") for tests that need several."""
    return make_identity


# --- fabric-ca-server ------------------------------------------------------------------

def fabric_ca_server_binary() -> Path | None:
    """ENVALUE_FABRIC_BIN (a folder or the binary), the project's .fabric/bin, /tmp/cabin."""
    candidates: list[Path] = []
    env = os.environ.get("ENVALUE_FABRIC_BIN")
    if env:
        p = Path(env)
        candidates.append(p if p.name == "fabric-ca-server" else p / "fabric-ca-server")
    candidates += [REPO / ".fabric" / "bin" / "fabric-ca-server",
                   Path("/tmp/cabin/fabric-ca-server")]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class CAServer:
    url: str
    tls_root: Path
    home: Path
    admin: tuple[str, str] = ("admin", "adminpw")


@pytest.fixture
def fabric_ca(tmp_path: Path) -> Iterator[CAServer]:
    """A TLS fabric-ca-server on free localhost ports, killed in teardown."""
    binary = fabric_ca_server_binary()
    if binary is None:
        pytest.skip("fabric-ca-server not found: set ENVALUE_FABRIC_BIN or build it into "
                    ".fabric/bin or /tmp/cabin")
    home = tmp_path / "ca"
    home.mkdir()
    port, ops_port = _free_port(), _free_port()
    env = dict(os.environ, FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS=f"127.0.0.1:{ops_port}")
    log = (tmp_path / "ca.log").open("wb")
    proc = subprocess.Popen(
        [str(binary), "start", "-b", "admin:adminpw", "--tls.enabled", "--address",
         "127.0.0.1", "--port", str(port), "--home", str(home),
         "--csr.hosts", "localhost,127.0.0.1"],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"fabric-ca-server exited: {(tmp_path / 'ca.log').read_text()}")
            ok = False
            if (home / "ca-cert.pem").exists():
                try:  # ready = the TLS API answers, verified against the CA's own root
                    ok = requests.get(f"https://localhost:{port}/api/v1/cainfo", timeout=1,
                                      verify=str(home / "ca-cert.pem")).ok
                except requests.RequestException:
                    ok = False
            if ok:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("fabric-ca-server not ready after 60 s")
            time.sleep(0.2)
        yield CAServer(url=f"https://localhost:{port}", tls_root=home / "ca-cert.pem", home=home)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        shutil.rmtree(home, ignore_errors=True)


# --- a recording Gateway/Deliver endpoint ------------------------------------------------
# Not a Fabric: it keeps no ledger and validates nothing. It records the requests the client
# puts on the wire (so tests can check signatures and fields) and answers with whatever the
# test scripted, including gRPC errors carrying gateway.ErrorDetail.

def encode_rpc_status(code: int, message: str, details: list[tuple[str, bytes]]) -> bytes:
    """google.rpc.Status wire bytes, hand-encoded (independent of the client's decoder)."""

    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            b = n & 0x7F
            n >>= 7
            out.append(b | (0x80 if n else 0))
            if not n:
                return bytes(out)

    def ld(field: int, data: bytes) -> bytes:
        return varint(field << 3 | 2) + varint(len(data)) + data

    body = varint(1 << 3) + varint(code) + ld(2, message.encode())
    for type_url, value in details:
        body += ld(3, ld(1, type_url.encode()) + ld(2, value))
    return body


@pytest.fixture
def abort_with_details() -> Callable[..., Callable]:
    """Factory of handlers that fail a call with a rich status holding gateway.ErrorDetail."""
    from fabric_protos.gateway import gateway_pb2

    def make(code: grpc.StatusCode, message: str, details: list[tuple[str, str, str]]):
        packed = [("type.googleapis.com/gateway.ErrorDetail",
                   gateway_pb2.ErrorDetail(address=a, msp_id=m, message=t).SerializeToString())
                  for a, m, t in details]
        status = encode_rpc_status(code.value[0], message, packed)

        def handler(request, context):
            context.set_trailing_metadata((("grpc-status-details-bin", status),))
            context.abort(code, message)

        return handler

    return make


@dataclass
class RecordingGateway:
    """Scripted answers: each attribute is a callable(request, context) or a response."""

    requests: dict
    handlers: dict

    def handle(self, name: str, request, context):
        self.requests.setdefault(name, []).append(request)
        handler = self.handlers.get(name)
        if handler is None:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{name} not scripted")
        return handler(request, context) if callable(handler) else handler


@pytest.fixture
def gateway_server() -> Iterator[tuple[str, RecordingGateway]]:
    from concurrent import futures

    from fabric_protos.gateway import gateway_pb2_grpc
    from fabric_protos.peer import events_pb2_grpc

    recorder = RecordingGateway(requests={}, handlers={})

    class Gateway(gateway_pb2_grpc.GatewayServicer):
        def Evaluate(self, request, context):  # noqa: N802
            return recorder.handle("Evaluate", request, context)

        def Endorse(self, request, context):  # noqa: N802
            return recorder.handle("Endorse", request, context)

        def Submit(self, request, context):  # noqa: N802
            return recorder.handle("Submit", request, context)

        def CommitStatus(self, request, context):  # noqa: N802
            return recorder.handle("CommitStatus", request, context)

        def ChaincodeEvents(self, request, context):  # noqa: N802
            yield from recorder.handle("ChaincodeEvents", request, context)

    class Deliver(events_pb2_grpc.DeliverServicer):
        def DeliverFiltered(self, request_iterator, context):  # noqa: N802
            envelope = next(request_iterator)
            yield from recorder.handle("DeliverFiltered", envelope, context)

        def Deliver(self, request_iterator, context):  # noqa: N802
            envelope = next(request_iterator)
            yield from recorder.handle("Deliver", envelope, context)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    gateway_pb2_grpc.add_GatewayServicer_to_server(Gateway(), server)
    events_pb2_grpc.add_DeliverServicer_to_server(Deliver(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}", recorder
    finally:
        server.stop(grace=None)
