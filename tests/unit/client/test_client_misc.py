"""connect() input checks, identities from MSP folders, error decoding, retry, exports."""

from __future__ import annotations

import grpc
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fabric_protos.gateway import gateway_pb2
from fabric_protos.msp import identities_pb2

import envalue.client as client
from envalue.client import (
    CallTimeouts,
    CommitError,
    RetryPolicy,
    X509Identity,
    connect,
    connect_async,
    create_aio_channel,
    create_channel,
    load_msp_identity,
    load_msp_signer,
)
from envalue.client._grpc import DEFAULT_KEEPALIVE_OPTIONS, _channel_options, decode_error_details
from envalue.client.signers import sha256_digest

pytestmark = pytest.mark.unit


def test_exported_members_are_real() -> None:
    assert sorted(client.__all__) == sorted(set(client.__all__))
    for name in client.__all__:
        assert hasattr(client, name), name
    public = {n for n in dir(client) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(client.__all__)


def test_x509_identity_serializes(test_identity) -> None:
    ident = test_identity.identity
    sid = identities_pb2.SerializedIdentity.FromString(ident.serialize())
    assert sid.mspid == "Org1MSP" and sid.id_bytes == ident.cert_pem
    assert X509Identity("Org1MSP", ident.cert_pem.decode()) == ident  # str accepted
    with pytest.raises(ValueError):
        X509Identity("", ident.cert_pem)


def test_msp_folder_cryptogen_layout(test_identity, tmp_path) -> None:
    (tmp_path / "signcerts").mkdir()
    (tmp_path / "keystore").mkdir()
    (tmp_path / "signcerts" / "User1@org1-cert.pem").write_bytes(test_identity.identity.cert_pem)
    (tmp_path / "keystore" / "0a1b2c_sk").write_bytes(test_identity.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    assert load_msp_identity(tmp_path, "Org1MSP") == test_identity.identity
    sig = load_msp_signer(tmp_path).sign(sha256_digest(b"m"))
    test_identity.key.public_key().verify(sig, b"m", ec.ECDSA(hashes.SHA256()))
    with pytest.raises(FileNotFoundError):
        load_msp_identity(tmp_path / "nope", "Org1MSP")


def test_connect_checks_inputs(test_identity) -> None:
    channel = grpc.insecure_channel("127.0.0.1:1")
    try:
        with pytest.raises(TypeError):
            connect(test_identity.identity, client=object())  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            connect_async(test_identity.identity, client=channel)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            connect(None, client=channel)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            connect(test_identity.identity, client=channel, signer=object())  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            connect(test_identity.identity, client=channel, submit_timeout=0)
        gw = connect(test_identity.identity, client=channel, timeouts=CallTimeouts(evaluate=1),
                     commit_status_timeout=None)
        assert gw.timeouts == CallTimeouts(evaluate=1, commit_status=None)
        with pytest.raises(ValueError):
            gw.get_network("")
        with pytest.raises(ValueError):
            gw.get_network("ch").get_contract("")
        gw.close()
        with pytest.raises(RuntimeError):
            gw.get_network("ch")
    finally:
        channel.close()


def test_connect_async_rejects_sync_channel_and_accepts_aio(test_identity) -> None:
    import asyncio

    async def main() -> None:
        aio = create_aio_channel("127.0.0.1:1", insecure=True)
        with pytest.raises(TypeError):
            connect(test_identity.identity, client=aio)  # type: ignore[arg-type]
        assert connect_async(test_identity.identity, client=aio).get_network("c").name == "c"
        await aio.close()

    asyncio.run(main())


def test_channel_options_keepalive_and_override() -> None:
    opts = dict(_channel_options("peer0.org1.example.com", True, None))
    assert opts["grpc.ssl_target_name_override"] == "peer0.org1.example.com"
    # Never ping more often than Fabric's default minimum interval (60 s).
    assert opts["grpc.keepalive_time_ms"] >= 60_000
    assert dict(DEFAULT_KEEPALIVE_OPTIONS)["grpc.keepalive_time_ms"] >= 60_000
    opts = dict(_channel_options(None, True, [("grpc.keepalive_time_ms", 300_000)]))
    assert opts["grpc.keepalive_time_ms"] == 300_000
    assert "grpc.ssl_target_name_override" not in opts
    with pytest.raises(ValueError):
        create_channel("x:1", tls_root_cert=b"x", client_cert=b"only-cert")
    create_channel("127.0.0.1:1").close()  # TLS with system roots by default


def test_decode_error_details_skips_foreign_entries() -> None:
    def ld(field: int, data: bytes) -> bytes:
        assert len(data) < 128
        return bytes([field << 3 | 2, len(data)]) + data

    detail = gateway_pb2.ErrorDetail(address="a:1", msp_id="M", message="boom")
    status = (bytes([8, 10]) + ld(2, b"msg")
              + ld(3, ld(1, b"type.googleapis.com/google.rpc.DebugInfo") + ld(2, b"x"))
              + ld(3, ld(1, b"type.googleapis.com/gateway.ErrorDetail")
                   + ld(2, detail.SerializeToString())))
    details = decode_error_details(status)
    assert [(d.address, d.msp_id, d.message) for d in details] == [("a:1", "M", "boom")]


def test_commit_error_names_code() -> None:
    err = CommitError("tx1", 11, 4)
    assert err.code_name == "MVCC_READ_CONFLICT" and "tx1" in str(err)
    assert CommitError("tx2", 9999).code_name == "UNKNOWN_9999"


def test_retry_policy_bounds() -> None:
    import random

    policy = RetryPolicy(max_attempts=3, initial_backoff=0.1, max_backoff=0.25)
    rng = random.Random(1)
    assert all(0 <= policy.backoff(1, rng) <= 0.1 for _ in range(100))
    assert all(0 <= policy.backoff(5, rng) <= 0.25 for _ in range(100))
    assert policy.should_retry("MVCC_READ_CONFLICT", 2)
    assert not policy.should_retry("MVCC_READ_CONFLICT", 3)
    assert not policy.should_retry("ENDORSEMENT_POLICY_FAILURE", 1)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
