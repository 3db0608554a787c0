"""The fast long-CSV path gives exactly the reference path's `IngestResult`.

Random long CSVs (interval and cumulative series, several devices and units, duplicates,
conflicts, gaps, out-of-order rows, counter resets and rollovers, malformed and invalid
rows, odd spellings) are ingested with ``fast=False`` and ``fast=True`` and compared
field by field, `repr`s included (`snapshot`; `assert_same` is also used by
``test_ingest_fast_units.py``).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envalue.ingest import IngestConfig, IngestError, IngestResult, ingest
from envalue.ingest.fast import fast_ingest

pytestmark = pytest.mark.unit


# -- strict comparison: `==` compares Decimals by value; the snapshot also keeps every
# `repr` (Decimal exponents, datetime tzinfo) and the leaf bytes: byte-identical results.

def snapshot(r: IngestResult) -> dict[str, Any]:
    return {
        "head": (r.source, r.format, r.device_id, r.upload_hash, r.input_rows,
                 list(r.ignored_columns)),
        "readings": [repr(x) for x in r.readings],
        "rejected": [repr(x) for x in r.rejected],
        "duplicates": [repr(x) for x in r.duplicates],
        "resets": [repr(x) for x in r.resets],
        "gaps": [repr(x) for x in r.gaps],
        "quality": repr(r.quality),
        "totals": [repr(t) for t in r.totals],
        "dry_run": r.dry_run(),
        "batches": [(b.batch_id, b.merkle_root, b.device_id, repr(b.period),
                     repr(sorted(b.totals.items())), repr(b.quality), b.upload_hash,
                     b.count, list(b.leaves), [repr(x) for x in b.readings],
                     b.summary()) for b in r.batches],
    }


def both(data: bytes, config: IngestConfig) -> tuple[Any, Any]:
    """(reference, fast) outcome: a snapshot, or the IngestError's text."""
    out = []
    for fast in (False, True):
        try:
            result = ingest(data, config, source="upload.csv", fast=fast)
        except IngestError as exc:
            out.append(("error", str(exc)))
            continue
        out.append(result)
    return out[0], out[1]


def assert_same(data: bytes, config: IngestConfig) -> None:
    ref, fast = both(data, config)
    if isinstance(ref, tuple) or isinstance(fast, tuple):
        assert ref == fast
        return
    assert ref == fast  # dataclass equality (values)
    a, b = snapshot(ref), snapshot(fast)
    for key in a:
        assert a[key] == b[key], key


SETTINGS = settings(max_examples=250, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

QUANTITIES = {  # quantity -> units that may appear (some convert, some do not)
    "electricity": ["kWh", "Wh", "MWh", "kwh", "GJ"],
    "pv_generation": ["kWh", "Wh"],
    "heat": ["GJ", "MJ", "kWh"],
    "fuel": ["L", "kL", "m3", "l"],
    "fuel_gas": ["Nm3", "m3"],
}
OFFSETS = ["+09:00", "Z", "-05:00", "+05:30", "+00:00"]
ODD_VALUES = ["1e3", "-5", " 12 ", "abc", "", ".5", "5.", "+3", "1E-2", "NaN", "1,5", "00",
              "-0", "0.000001"]
# values the reference accepts but that do not fit the fast path's int64 scale (the whole
# upload then goes to the reference path), and a non-ASCII unit spelling (same)
HUGE_VALUES = ["1234567890123456789", "0.0000000000001", "12345678901234567", "1E+15"]
ODD_TIMESTAMPS = ["2024-13-01T00:00:00Z", "2024-02-30T00:00:00+09:00", "2024-04-01T00:30:00",
                  "2024-04-01 00:30:00+09:00", "yesterday", "", "2024-04-01T24:00:00Z",
                  "2024-04-01T00:30:00.1234567Z", "2024-04-01T00:30:00+0900",
                  "2024-04-01T00:30:00z", "2024-04-31T00:00:00Z"]


def _value_text(rng: random.Random, value: Decimal) -> str:
    text = f"{value:f}"
    r = rng.random()
    if r < 0.1 and "." in text:
        text += "0" * rng.randint(1, 3)  # trailing zeros
    elif r < 0.15:
        text = "0" + text  # leading zero
    return text


def _ts_text(rng: random.Random, ts: datetime, offset: str) -> str:
    if offset == "Z":
        local, tail = ts.astimezone(UTC), "Z"
    else:
        sign = 1 if offset[0] == "+" else -1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])) * sign
        local, tail = ts.astimezone(timezone(delta)), offset
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if ts.microsecond or rng.random() < 0.1:
        digits = rng.choice([1, 3, 6])
        text += "." + f"{local.microsecond:06d}"[:digits]
    return text + tail


@st.composite
def uploads(draw: st.DrawFn) -> tuple[bytes, IngestConfig]:
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    devices = rng.sample(["dev-1", "dev-2", "m3"], rng.randint(1, 3))
    give_device = len(devices) == 1 and rng.random() < 0.6
    step = timedelta(minutes=rng.choice([15, 30, 60, 90]))
    start = datetime(2024, rng.choice([1, 3, 11]), rng.randint(1, 28), rng.randint(0, 23),
                     tzinfo=UTC)
    cap = rng.choice([None, Decimal(999), Decimal("99999.9"), Decimal(10**6 - 1)])
    rows: list[list[str]] = []
    for dev in devices:
        for qty in rng.sample(sorted(QUANTITIES), rng.randint(1, 3)):
            kind = rng.choice(["interval", "cumulative"])
            unit = rng.choice(QUANTITIES[qty])
            counter = Decimal(rng.randint(0, 900))
            offset = rng.choice(OFFSETS)
            for i in range(rng.randint(1, 40)):
                if rng.random() < 0.1:
                    continue  # a gap
                ts = start + step * i
                if rng.random() < 0.05:
                    ts += timedelta(microseconds=rng.choice([1, 500_000]))
                if kind == "interval":
                    value = Decimal(rng.randint(0, 5000)).scaleb(-rng.randint(0, 4))
                else:
                    r = rng.random()
                    if r < 0.05:
                        counter = Decimal(rng.randint(0, 5))  # reset
                    elif r < 0.1 and cap is not None:
                        counter = (counter + Decimal(rng.randint(0, 300))) % (cap + 1)
                    else:
                        counter += Decimal(rng.randint(0, 300)).scaleb(-rng.randint(0, 2))
                    value = counter
                text = _value_text(rng, value)
                kind_text = kind if rng.random() < 0.9 else rng.choice(
                    ["", "Interval", " cumulative", "weird"])
                row = [_ts_text(rng, ts, offset), dev, qty, text, unit, kind_text]
                rows.append(row)
                r = rng.random()
                if r < 0.06:
                    rows.append(list(row))  # duplicate
                elif r < 0.09:
                    rows.append(row[:3] + [_value_text(rng, value + 1)] + row[4:])  # conflict
    rng.shuffle(rows) if rng.random() < 0.2 else None
    # damage: odd values, timestamps, names, field counts, blank lines
    lines: list[str] = []
    exotic = rng.random() < 0.2
    for row in rows:
        r = rng.random()
        if r < 0.03:
            row[3] = rng.choice(ODD_VALUES + (HUGE_VALUES if exotic else []))
        elif r < 0.05:
            row[0] = rng.choice(ODD_TIMESTAMPS)
        elif r < 0.06:
            row[2] = rng.choice(["gas", "", " heat", "Heat"])
        elif r < 0.07:
            row[4] = rng.choice(["kVA", "", " kWh"] + (["m³"] if exotic else []))
        elif r < 0.08:
            row[1] = rng.choice(["", " dev-1", "dev|x", "other"])
        elif r < 0.09:
            row = row[:rng.randint(1, 5)]
        elif r < 0.095:
            lines.append(rng.choice(["", ",,,,,", "   "]))
        elif r < 0.1:
            row = [*row, "extra"]
        lines.append(",".join(row))
    header = ["timestamp", "device_id", "quantity", "value", "unit", "kind"]
    if rng.random() < 0.2:
        header = [h.upper() if rng.random() < 0.5 else h for h in header]
    text = ",".join(header) + "\n" + "\n".join(lines) + ("\n" if rng.random() < 0.9 else "")
    if rng.random() < 0.1:
        text = text.replace("\n", "\r\n")
    data = text.encode()
    if rng.random() < 0.05:
        data = b"\xef\xbb\xbf" + data
    caps: Decimal | dict[str, Decimal] | None = cap
    if cap is not None and rng.random() < 0.3:
        caps = {q: cap for q in QUANTITIES if rng.random() < 0.5}
    max_rate = {q: Decimal(rng.choice([50, 500, 5000, "12.5"])) for q in QUANTITIES
                if rng.random() < 0.3}
    config = IngestConfig(
        device_id=devices[0] if give_device else None,
        period=rng.choice(["hour", "day", "month"]),
        tz=rng.choice(["Asia/Tokyo", "UTC", "America/New_York"]),
        interval=rng.choice([None, None, step]),
        counter_capacity=caps, max_rate=max_rate)
    return data, config


@SETTINGS
@given(uploads())
def test_fast_equals_reference(upload: tuple[bytes, IngestConfig]) -> None:
    assert_same(*upload)


@SETTINGS
@given(uploads(), st.sampled_from(["timestamp,device_id,quantity,value,unit",
                                   "unit,value,extra,quantity,timestamp,device_id",
                                   "kind,unit,value,quantity,timestamp"]))
def test_other_column_layouts(upload: tuple[bytes, IngestConfig], header: str) -> None:
    """Columns in another order, an ignored column, `kind` or `device_id` left out."""
    data, config = upload
    names = header.split(",")
    canonical = ["timestamp", "device_id", "quantity", "value", "unit", "kind"]
    lines = data.decode("utf-8-sig").splitlines()
    out = [header]
    for line in lines[1:]:
        fields = line.split(",")
        if len(fields) != 6:
            out.append(line)
            continue
        got = dict(zip(canonical, fields, strict=True))
        got["extra"] = "x"
        out.append(",".join(got[n] for n in names))
    if "device_id" not in names:
        config = IngestConfig(**{**config.__dict__, "device_id": "dev-1"})
    assert_same(("\n".join(out) + "\n").encode(), config)


def test_the_property_is_not_vacuous() -> None:
    """Most generated uploads are taken by the fast path (not handed back whole)."""
    taken = 0
    for seed in range(60):
        data, config = uploads().example() if seed < 0 else _fixed(seed)
        if fast_ingest(data, config, source="s", upload_hash="h") is not None:
            taken += 1
    assert taken >= 40


def _fixed(seed: int) -> tuple[bytes, IngestConfig]:
    rng = random.Random(seed)
    step = timedelta(minutes=30)
    start = datetime(2024, 3, 30, tzinfo=UTC)
    lines = ["timestamp,device_id,quantity,value,unit,kind"]
    counter = 0
    for i in range(200):
        ts = _ts_text(rng, start + step * i, "+09:00")
        counter = counter + rng.randint(0, 50) if rng.random() > 0.05 else 0
        lines.append(f"{ts},dev-1,electricity,{rng.randint(0, 999)}.{rng.randint(0, 9)},Wh,")
        lines.append(f"{ts},dev-1,heat,{counter},MJ,cumulative")
        if rng.random() < 0.05:
            lines.append(lines[-1])
        if rng.random() < 0.05:
            lines.append(f"{ts},dev-1,heat,-1,MJ,cumulative")
    return ("\n".join(lines) + "\n").encode(), IngestConfig(
        device_id="dev-1", counter_capacity=Decimal(9999))
