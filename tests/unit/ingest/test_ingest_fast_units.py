"""Building blocks of the fast long-CSV path against their reference counterparts."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ingest_fast_equivalence import assert_same

from envalue.chaincode.domain.merkle import (
    decimal_text,
    format_timestamp,
    leaf_hashes,
    merkle_root,
    merkle_root_of_leaves,
    merkle_roots_of_segments,
)
from envalue.ingest import IngestConfig, ingest
from envalue.ingest.fast import fast_ingest
from envalue.ingest.fast.fields import Buffer
from envalue.ingest.fast.lazy import LazyList
from envalue.ingest.fast.timestamps import format_utc, parse_iso, parse_iso_split
from envalue.ingest.fast.tree import hash_prefixed_leaves, segment_roots
from envalue.ingest.fast.values import decimal_texts, parse_plain

pytestmark = pytest.mark.unit
HEADER = "timestamp,device_id,quantity,value,unit,kind\n"


def _fields(texts: list[str]) -> tuple[Buffer, np.ndarray, np.ndarray]:
    body = ",".join(texts).encode("ascii")
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    return (Buffer(body), np.array(starts, dtype=np.int64),
            np.array([len(t) for t in texts], dtype=np.int64))


timestamps = st.builds(
    lambda dt, off, frac, sep: (dt.strftime("%Y-%m-%dT%H:%M:%S")
                                + (f".{dt.microsecond:06d}"[: frac + 1] if frac else "")
                                + (off if sep else off.replace(":", ""))),
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30)),
    st.sampled_from(["Z", "+09:00", "-05:00", "+05:30", "+00:00", "-12:00", "+14:00",
                     "+19:00", "z"]),
    st.integers(0, 7), st.booleans())


@settings(max_examples=400, deadline=None)
@given(st.lists(timestamps | st.text(alphabet="0123456789-T:+Z. ", max_size=32),
                min_size=1, max_size=20))
def test_timestamps_match_pandas(texts: list[str]) -> None:
    ok, ns = parse_iso(*_fields(texts))
    ok2, ns2 = parse_iso_split(*_fields(texts))
    assert ok.tolist() == ok2.tolist() and ns.tolist() == ns2.tolist()
    ref = pd.to_datetime(pd.Series(texts, dtype=object), format="ISO8601", utc=True,
                         errors="coerce")
    for text, good, value, want in zip(texts, ok, ns, ref, strict=True):
        if good:  # whatever the fast parser accepts, pandas parses to the same instant
            assert not pd.isna(want), text
            assert int(value) == pd.Timestamp(want).value, text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                             timezones=st.just(UTC)), min_size=1, max_size=30))
def test_canonical_timestamp_text(values: list[datetime]) -> None:
    ns = np.array([pd.Timestamp(v).value for v in values], dtype=np.int64)
    assert format_utc(ns).tolist() == [format_timestamp(v).encode() for v in values]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet="0123456789.", min_size=1, max_size=18), min_size=1,
                max_size=20))
def test_plain_decimals(texts: list[str]) -> None:
    ok, mantissa, fd = parse_plain(*_fields(texts))
    for text, good, m, f in zip(texts, ok, mantissa, fd, strict=True):
        if good:
            assert Decimal(text) == Decimal(int(m)).scaleb(-int(f)), text
            assert -Decimal(text).as_tuple().exponent == int(f) or int(m) == 0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10**17), min_size=1, max_size=30), st.integers(0, 12))
def test_decimal_texts(values: list[int], scale: int) -> None:
    got = decimal_texts(np.array(values, dtype=np.int64), scale)
    assert got == [decimal_text(Decimal(v).scaleb(-scale)).encode() for v in values]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.binary(max_size=40), min_size=1, max_size=20), min_size=1,
                max_size=12))
def test_batch_merkle_apis(trees: list[list[bytes]]) -> None:
    flat = [leaf for t in trees for leaf in t]
    lengths = [len(t) for t in trees]
    want = [merkle_root(t) for t in trees]
    assert [merkle_root_of_leaves(t) for t in trees] == want
    assert merkle_roots_of_segments(leaf_hashes(flat), lengths) == want
    prefixed = [b"\x00" + leaf for leaf in flat]
    assert segment_roots(hash_prefixed_leaves(prefixed), np.array(lengths)) == want
    assert merkle_root_of_leaves([]) == merkle_root([])


def test_lazy_list_is_a_list_to_its_readers() -> None:
    calls = []

    def build() -> list[int]:
        calls.append(1)
        return [1, 2, 3]

    lazy = LazyList(build, 3)
    assert len(lazy) == 3 and not calls
    assert lazy == [1, 2, 3] and [1, 2, 3] == lazy and lazy != [1, 2]  # noqa: SIM300
    assert lazy[1:] == [2, 3] and list(lazy) == [1, 2, 3] and calls == [1]
    assert pickle.loads(pickle.dumps(lazy)) == [1, 2, 3]
    assert type(pickle.loads(pickle.dumps(lazy))) is list


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


CASES = {
    "wrap and reset": (_csv(
        "2024-04-01T00:30:00+09:00,d,electricity,990,kWh,cumulative",
        "2024-04-01T01:00:00+09:00,d,electricity,5,kWh,cumulative",
        "2024-04-01T01:30:00+09:00,d,electricity,1.50,kWh,cumulative",
        "2024-04-01T02:00:00+09:00,d,electricity,600,kWh,cumulative",
        "2024-04-01T02:30:00+09:00,d,electricity,2000,kWh,cumulative"),
        {"counter_capacity": Decimal(999)}),
    "jump over the max rate": (_csv(
        "2024-04-01T00:30:00+09:00,d,heat,1,GJ,cumulative",
        "2024-04-01T01:00:00+09:00,d,heat,2,GJ,cumulative",
        "2024-04-01T02:00:00+09:00,d,heat,90,GJ,cumulative",
        "2024-04-01T02:30:00+09:00,d,heat,1000.0001,MJ,interval"),
        {"max_rate": {"heat": Decimal("12.5")}}),
    "units, duplicates and conflicts": (_csv(
        "2024-04-01T00:30:00Z,d,electricity,1500,Wh,",
        "2024-04-01T00:30:00Z,d,electricity,1.5,kWh,interval",
        "2024-04-01T01:00:00Z,d,electricity,2,MWh,interval",
        "2024-04-01T01:00:00Z,d,electricity,3,MWh,interval",
        "2024-04-01T01:30:00Z,d,electricity,-1,kWh,interval",
        "2024-04-01T02:00:00Z,d,electricity,1e3,kWh,interval"), {}),
    "values beyond the int64 scale": (_csv(
        "2024-04-01T00:30:00Z,d,electricity,123456789012345678,kWh,interval",
        "2024-04-01T01:00:00Z,d,electricity,0.000000000000001,kWh,interval"), {}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hand_picked_cases(name: str) -> None:
    data, extra = CASES[name]
    assert_same(data, IngestConfig(device_id="d", **extra))  # type: ignore[arg-type]


@pytest.mark.parametrize("data", [
    _csv("2024-04-01T00:30:00Z,d,electricity,1,kWh,").replace(b",d,", ",dé,".encode()),
    _csv('2024-04-01T00:30:00Z,"d",electricity,1,kWh,'),
    _csv("2024-04-01T00:30:00Z,d,electricity,1,kWh,").replace(b"\n", b"\r"),
    HEADER.encode(),
    b"timestamp,value\n2024-04-01T00:30:00Z,1\n",
])
def test_files_it_declines_go_to_the_reference(data: bytes) -> None:
    config = IngestConfig(device_id="d")
    assert fast_ingest(data, config, source="s", upload_hash="h") is None
    assert_same(data, config)


def test_engine_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    import envalue.ingest.fast as fast

    data = _csv("2024-04-01T00:30:00Z,d,electricity,1,kWh,")
    config = IngestConfig(device_id="d")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("fast path used")

    monkeypatch.setattr(fast, "fast_ingest", refuse)
    ingest(data, config, fast=False)
    monkeypatch.setenv("ENVALUE_INGEST_ENGINE", "reference")
    ingest(data, config)
    monkeypatch.delenv("ENVALUE_INGEST_ENGINE")
    with pytest.raises(AssertionError, match="fast path used"):
        ingest(data, config)


def test_stage_timings_are_reported() -> None:
    t0 = datetime(2024, 4, 1, tzinfo=timezone(timedelta(hours=9)))
    rows = [f"{(t0 + timedelta(minutes=30 * i)).isoformat()},d,electricity,{i},kWh,"
            for i in range(100)]
    timings: dict[str, float] = {}
    result = fast_ingest(_csv(*rows), IngestConfig(device_id="d"), source="s",
                         upload_hash="h", timings=timings)
    assert result is not None and result.quality.accepted == 100
    assert set(timings) == {"parse", "validate", "merkle", "batches"}
