"""The canonical batch header: round trip, exact-bytes signatures, agreement with ingest."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from envalue.chaincode.domain.measurement.header import (
    QUALITY_KEYS,
    BatchHeader,
    HeaderError,
    batch_content_id,
    decode_header,
    encode_header,
)
from envalue.chaincode.domain.measurement.quantities import CANONICAL_UNITS
from envalue.chaincode.domain.measurement.signature import (
    public_key_pem,
    sign_header,
    verify_header_signature,
)
from envalue.ingest.batch import MeasurementBatch
from envalue.ingest.model import QualityCounts, Reading
from envalue.ingest.periods import Period
from envalue.ingest.quantities import DEFAULT_QUANTITIES

pytestmark = pytest.mark.unit

KEY = ec.generate_private_key(ec.SECP256R1())
PEM = public_key_pem(KEY)

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,30}", fullmatch=True)
hex64 = st.binary(min_size=32, max_size=32).map(bytes.hex)
counts = st.integers(min_value=0, max_value=10**12)
decimals = st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False,
                       allow_infinity=False)
starts = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                      timezones=st.just(UTC))


@st.composite
def headers(draw: st.DrawFn) -> BatchHeader:
    start = draw(starts)
    end = start + draw(st.timedeltas(min_value=timedelta(microseconds=1),
                                     max_value=timedelta(days=400)))
    quantities = draw(st.lists(st.sampled_from(sorted(CANONICAL_UNITS)), unique=True,
                               max_size=5))
    return BatchHeader.build(
        device_id=draw(ids), meter_id=draw(ids), period_start=start, period_end=end,
        reading_count=draw(counts), merkle_root=draw(hex64), upload_hash=draw(hex64),
        quality={k: draw(counts) for k in QUALITY_KEYS},
        totals={q: (draw(decimals), CANONICAL_UNITS[q]) for q in quantities},
    )


@given(headers())
def test_header_round_trips(header: BatchHeader) -> None:
    data = encode_header(header)
    decoded = decode_header(data)
    assert decoded == header
    assert encode_header(decoded) == data
    assert data.endswith(b"\n") and not data.endswith(b"\n\n")


@settings(max_examples=40, deadline=None)
@given(headers(), st.data())
def test_signature_verifies_only_for_the_exact_bytes(header: BatchHeader,
                                                      data: st.DataObject) -> None:
    raw = encode_header(header)
    signature = sign_header(KEY, raw)
    assert verify_header_signature(PEM, raw, signature)
    index = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    flipped = bytearray(raw)
    flipped[index] ^= data.draw(st.integers(min_value=1, max_value=255))
    assert not verify_header_signature(PEM, bytes(flipped), signature)
    assert not verify_header_signature(PEM, raw + b"\n", signature)
    other = public_key_pem(ec.generate_private_key(ec.SECP256R1()))
    assert not verify_header_signature(other, raw, signature)


@given(headers(), st.data())
def test_non_canonical_bytes_are_not_headers(header: BatchHeader, data: st.DataObject) -> None:
    raw = encode_header(header)
    lines = raw.decode().split("\n")
    mutation = data.draw(st.sampled_from(["swap", "space", "crlf", "upper"]))
    if mutation == "swap":
        lines[2], lines[3] = lines[3], lines[2]
        if lines[2] == lines[3]:
            return
    elif mutation == "space":
        lines[1] += " "
    elif mutation == "crlf":
        lines = [line + "\r" if line else line for line in lines]
    else:
        lines[1] = lines[1].upper()
    with pytest.raises(HeaderError):
        decode_header("\n".join(lines).encode())


def test_header_bytes_are_exactly_specified() -> None:
    header = BatchHeader.build(
        device_id="gw-1", meter_id="m-1",
        period_start=datetime(2024, 5, 1, tzinfo=UTC),
        period_end=datetime(2024, 5, 2, tzinfo=UTC), reading_count=48,
        merkle_root="ab" * 32, upload_hash="cd" * 32,
        quality={"accepted": 48, "gap": 1},
        totals={"pv_generation": (Decimal("1200.50"), "kWh"), "aux_grid": (Decimal("3E+1"),
                                                                              "kWh")},
    )
    expected_id = hashlib.sha256(
        ("envalue-batch-v1|gw-1|2024-05-01T00:00:00.000000Z|2024-05-02T00:00:00.000000Z|"
         + "ab" * 32 + "|aux_grid=30 kWh;pv_generation=1200.5 kWh").encode()
    ).hexdigest()
    assert encode_header(header).decode() == (
        "envalue-batch-header-v1\n"
        f"batch_id={expected_id}\n"
        "device_id=gw-1\n"
        "meter_id=m-1\n"
        "period_start=2024-05-01T00:00:00.000000Z\n"
        "period_end=2024-05-02T00:00:00.000000Z\n"
        "reading_count=48\n"
        f"merkle_root={'ab' * 32}\n"
        f"upload_hash={'cd' * 32}\n"
        "quality=accepted:48,conflict:0,duplicate:0,gap:1,rejected:0,reset:0\n"
        "total=aux_grid:30:kWh\n"
        "total=pv_generation:1200.5:kWh\n"
    )


def test_batch_id_agrees_with_the_ingestion() -> None:
    end = datetime(2024, 5, 2, tzinfo=UTC)
    readings = [
        Reading(end - timedelta(minutes=30 * i), "gw-1", "pv_generation", Decimal("12.5"),
                "kWh", "interval", i + 2)
        for i in range(4)
    ]
    batch = MeasurementBatch("gw-1", Period(datetime(2024, 5, 1, tzinfo=UTC), end), readings,
                             {"pv_generation": (Decimal("50.0"), "kWh")}, QualityCounts(4),
                             "ef" * 32)
    header = BatchHeader.build(
        device_id="gw-1", meter_id="m-1", period_start=batch.period.start,
        period_end=batch.period.end, reading_count=batch.count,
        merkle_root=batch.merkle_root, upload_hash=batch.upload_hash,
        quality=batch.quality.contract(), totals=batch.totals,
    )
    assert header.batch_id == batch.batch_id
    assert batch_content_id("gw-1", header.period_start, header.period_end,
                            batch.merkle_root, header.totals) == batch.batch_id


def test_quantities_match_the_ingestion() -> None:
    assert {q.name: q.unit for q in DEFAULT_QUANTITIES} == CANONICAL_UNITS
