"""Device keys, body signatures and signed batch headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from envalue.chaincode.domain.measurement.header import decode_header, encode_header
from envalue.chaincode.domain.measurement.signature import verify_header_signature
from envalue.edge import DeviceKeys, SignatureError, simulate
from envalue.edge.batch_signing import (
    decode_batch_signatures,
    encode_batch_signatures,
    header_of,
)
from envalue.edge.signing import load_or_create_key, public_pem, sign_body, verify_body
from envalue.ingest import IngestConfig, ingest

pytestmark = pytest.mark.unit


def test_key_is_created_once_and_reloaded(tmp_path: Path) -> None:
    a = load_or_create_key(tmp_path, "dev-1")
    b = load_or_create_key(tmp_path, "dev-1")
    assert public_pem(a) == public_pem(b)
    assert (tmp_path / "dev-1.pub.pem").read_bytes() == public_pem(a)
    assert (tmp_path / "dev-1.key.pem").stat().st_mode & 0o077 == 0
    assert set(DeviceKeys.from_directory(tmp_path)) == {"dev-1"}


def test_body_signature_verifies_and_tampering_does_not(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path, "dev-1")
    sig = sign_body(key, b"payload")
    verify_body(key.public_key(), b"payload", sig)
    with pytest.raises(SignatureError, match="does not verify"):
        verify_body(key.public_key(), b"payload!", sig)
    with pytest.raises(SignatureError, match="base64"):
        verify_body(key.public_key(), b"payload", "%%%")
    other = load_or_create_key(tmp_path, "dev-2")
    with pytest.raises(SignatureError):
        verify_body(other.public_key(), b"payload", sig)


def test_simulated_uploads_carry_verifiable_batch_header_signatures(tmp_path: Path) -> None:
    sim = simulate("boiler", days=2, kind="cumulative", key_dir=tmp_path)
    for up in sim.uploads:
        pem = public_pem(load_or_create_key(tmp_path, up.device_id)).decode()
        verify_body(load_or_create_key(tmp_path, up.device_id).public_key(), up.body,
                    up.signature or "")
        # the platform recomputes the same batches and headers from the same bytes
        result = ingest(up.body, IngestConfig(**up.ingest_options()))
        given = decode_batch_signatures(encode_batch_signatures(up.batch_signatures))
        assert len(given) == len(result.batches) == 2
        for batch in result.batches:
            header = header_of(batch)
            assert header.batch_id == batch.batch_id
            text = encode_header(header)
            assert decode_header(text) == header
            assert verify_header_signature(pem, text, given[batch.batch_id])
            assert not verify_header_signature(pem, text.replace(b"reading_count=",
                                                                 b"reading_count=1"),
                                               given[batch.batch_id])


def test_batch_signature_wire_form_is_checked() -> None:
    with pytest.raises(ValueError):
        decode_batch_signatures("not base64!")
    with pytest.raises(ValueError):
        decode_batch_signatures(encode_batch_signatures([{"batch_id": 1}]))  # type: ignore[list-item]
