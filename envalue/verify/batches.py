"""Checks of one anchored batch against its edge device's key and the off-chain store.

- ``batch.signature``: the canonical header rebuilt from the ledger's batch record is
  byte-identical to what was anchored (its SHA-256 is on the record), the batch id is
  its content id, and the edge device's registered key verifies the signature over it;
- ``batch.off_chain_record``: the store holds the batch with the anchored root and count;
- ``batch.merkle_root``: the stored readings reproduce the anchored root; when they do
  not, the altered readings are named (`locate_tampering`);
- ``batch.totals``: the per-quantity totals recomputed from the stored readings equal
  the anchored (signed) totals.

Naming a tampered reading (threat model in `envalue.verify`): the store records each
reading's leaf hash at ingest. Those recorded hashes are *authenticated* when, in leaf
order, they reproduce the anchored root — then each recorded hash is provably the leaf
the device committed, and a row hashing to none of them was altered. When the recorded
hashes do not reproduce the root (they were edited too, or the batch predates them),
tampering is still detected by the root, but the reading cannot be proven: suspects are
reported, nothing is named.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.measurement.header import (
    BatchHeader,
    HeaderError,
    batch_content_id,
    encode_header,
)
from envalue.chaincode.domain.measurement.signature import (
    public_key_fingerprint,
    verify_header_signature,
)
from envalue.chaincode.domain.merkle import decimal_text, merkle_root
from envalue.ingest.counters import counter_deltas
from envalue.ingest.decimals import exact_sum

from .leaves import OffChainBatch, StoredReading, root_of_leaf_hashes
from .report import Check, TamperedReading, failed, passed, skipped

__all__ = [
    "check_merkle",
    "check_off_chain_record",
    "check_signature",
    "check_totals",
    "locate_tampering",
    "recompute_totals",
]


def subject(batch: Mapping[str, Any]) -> str:
    return f"batch:{batch.get('batch_id', '?')}"


def _anchored_totals(batch: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    return {str(t["quantity"]): (str(t["value"]), str(t["unit"]))
            for t in batch.get("totals", [])}


def header_of(batch: Mapping[str, Any]) -> BatchHeader:
    """The canonical header the record claims was signed (HeaderError if impossible)."""
    return BatchHeader(
        batch_id=batch["batch_id"], device_id=batch["device_id"], meter_id=batch["meter_id"],
        period_start=batch["period_start"], period_end=batch["period_end"],
        reading_count=batch["reading_count"], merkle_root=batch["merkle_root"],
        upload_hash=batch["upload_hash"], quality=dict(batch["quality"]),
        totals=_anchored_totals(batch),
    )


def check_signature(batch: Mapping[str, Any], devices: Mapping[str, Mapping[str, Any]]
                    ) -> Check:
    """``batch.signature`` (module docstring)."""
    name, subj = "batch.signature", subject(batch)
    try:
        header = header_of(batch)
        data = encode_header(header)
    except (HeaderError, KeyError, TypeError) as exc:
        return failed(name, subj, f"the batch record does not form a canonical header: {exc}")
    content_id = batch_content_id(header.device_id, header.period_start, header.period_end,
                                  header.merkle_root, header.totals)
    if content_id != header.batch_id:
        return failed(name, subj, f"batch id is not the content id of the recorded root, "
                      f"period and totals (recomputed {content_id}): the record's fields are "
                      "not what was anchored")
    digest = hashlib.sha256(data).hexdigest()
    if digest != batch.get("header_sha256"):
        return failed(name, subj, f"the header rebuilt from the record hashes to {digest}, "
                      f"the ledger recorded {batch.get('header_sha256')}: the record's fields "
                      "are not what was anchored")
    device = devices.get(header.device_id)
    if device is None:
        return failed(name, subj, f"edge device {header.device_id!r} is not in the trace")
    pem = str(device.get("public_key_pem", ""))
    try:
        fingerprint = public_key_fingerprint(pem)
    except ValidationError as exc:
        return failed(name, subj, f"edge device {header.device_id!r}: {exc}")
    if fingerprint != batch.get("key_fingerprint") or fingerprint != device.get(
            "key_fingerprint"):
        return failed(name, subj, f"key of edge device {header.device_id!r} (fingerprint "
                      f"{fingerprint}) is not the key the batch was anchored with "
                      f"({batch.get('key_fingerprint')})")
    if not verify_header_signature(pem, data, str(batch.get("signature", ""))):
        return failed(name, subj, f"the signature does not verify against the registered key "
                      f"of edge device {header.device_id!r} (fingerprint {fingerprint}): "
                      "the header was not signed by this device or was altered")
    return passed(name, subj, f"header signed by edge device {header.device_id} "
                  f"(key {fingerprint[:16]}…)", header_sha256=digest)


def check_off_chain_record(batch: Mapping[str, Any], off: OffChainBatch) -> Check:
    """``batch.off_chain_record``: the store's batch row agrees with the anchored one."""
    name, subj = "batch.off_chain_record", subject(batch)
    if off.record is None:
        return failed(name, subj, "the off-chain store has no batch with this id "
                      "(wrong --db, or the batch row was deleted)")
    diffs = [f"{k} {off.record.get(s)} (anchored {batch.get(k)})"
             for k, s in (("merkle_root", "merkle_root"), ("reading_count", "count"),
                          ("period_start", "period_start"), ("period_end", "period_end"),
                          ("device_id", "device_id"), ("upload_hash", "upload_hash"))
             if off.record.get(s) != batch.get(k)]
    if diffs:
        return failed(name, subj, "the stored batch row differs from the anchored record: "
                      + "; ".join(diffs))
    return passed(name, subj, "the stored batch row matches the anchored record")


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except ArithmeticError:
        return None


def _tampered(batch_id: str, r: StoredReading, change: str) -> TamperedReading:
    return TamperedReading(batch_id, r.leaf_index, change, r.device_id, r.timestamp,
                           r.quantity, r.value, r.unit, r.row_id)


def _interval_sum(rows: list[StoredReading]) -> Decimal | None:
    values = [r.decimal for r in rows]
    if any(v is None for v in values):
        return None
    try:
        return exact_sum([v for v in values if v is not None])
    except ArithmeticError:
        return None


def _prove_original(batch: Mapping[str, Any], off: OffChainBatch,
                    found: list[TamperedReading], by_row: dict[int, StoredReading]
                    ) -> list[TamperedReading]:
    """For a quantity with exactly one altered interval reading, the anchored total fixes
    its original value; it is reported only when it hashes to the committed leaf."""
    totals = _anchored_totals(batch)
    altered = defaultdict(list)
    for t in found:
        if t.change == "altered":
            altered[t.quantity].append(t)
    out: list[TamperedReading] = []
    for t in found:
        group = altered.get(t.quantity, [])
        row = by_row.get(t.row_id) if t.row_id is not None else None
        if (len(group) != 1 or row is None or row.kind != "interval"
                or t.quantity not in totals or row.decimal is None):
            out.append(t)
            continue
        stored = _interval_sum([r for r in off.readings if r.quantity == t.quantity])
        try:
            anchored_total = _decimal(totals[t.quantity][0])
            candidate = (row.decimal - (stored - anchored_total)
                         if stored is not None and anchored_total is not None else None)
        except ArithmeticError:
            candidate = None
        leaf = row.leaf_with_value(candidate) if candidate is not None else None
        committed = off.recorded.get(t.leaf_index)
        if leaf is not None and committed is not None and \
                hashlib.sha256(b"\x00" + leaf).hexdigest() == committed:
            assert candidate is not None
            t = TamperedReading(**{**t.__dict__, "anchored_value": decimal_text(candidate)})
        out.append(t)
    return out


def locate_tampering(batch: Mapping[str, Any], off: OffChainBatch
                     ) -> tuple[list[TamperedReading], list[StoredReading], str]:
    """(proven tampered readings, unproven suspects, explanation) for a batch whose
    stored readings do not reproduce the anchored root (module docstring)."""
    anchored = bytes.fromhex(str(batch["merkle_root"]))
    n = int(batch["reading_count"])
    recorded = off.recorded
    authentic = (set(recorded) == set(range(n)) and root_of_leaf_hashes(
        [bytes.fromhex(recorded[i]) for i in range(n)]) == anchored)
    if not authentic:
        why = ("no leaf hashes were recorded for this batch at ingest" if not recorded else
               "the leaf hashes recorded at ingest do not reproduce the anchored root either "
               "(they were edited too)")
        suspects = [r for r in off.readings if r.leaf is None
                    or recorded.get(r.leaf_index) != (r.leaf_hash or b"").hex()]
        return [], suspects, why
    index_of = {h: i for i, h in recorded.items()}
    matched: set[int] = set()
    unmatched_rows: list[StoredReading] = []
    for r in off.readings:
        h = r.leaf_hash.hex() if r.leaf_hash is not None else ""
        if h in index_of and index_of[h] not in matched:
            matched.add(index_of[h])
        else:
            unmatched_rows.append(r)
    open_indices = set(range(n)) - matched
    found: list[TamperedReading] = []
    for r in unmatched_rows:
        if r.leaf_index in open_indices:
            open_indices.discard(r.leaf_index)
            found.append(_tampered(off.batch_id, r, "altered"))
        else:
            found.append(_tampered(off.batch_id, r, "extra"))
    found += [TamperedReading(off.batch_id, i, "missing") for i in sorted(open_indices)]
    found = _prove_original(batch, off, found, {r.row_id: r for r in off.readings})
    found.sort(key=lambda t: (t.leaf_index, t.change))
    return found, [], "the leaf hashes recorded at ingest reproduce the anchored root"


def check_merkle(batch: Mapping[str, Any], off: OffChainBatch
                 ) -> tuple[Check, list[TamperedReading]]:
    """``batch.merkle_root`` (module docstring)."""
    name, subj = "batch.merkle_root", subject(batch)
    if not off.found:
        return failed(name, subj, "the off-chain store has no readings of this batch"), []
    anchored = str(batch.get("merkle_root", ""))
    n = int(batch.get("reading_count", -1))
    leaves = off.leaves()
    root = merkle_root(leaves).hex()
    unreadable = [r for r in off.readings if r.leaf is None]
    if root == anchored and len(leaves) == n and not unreadable:
        return passed(name, subj, f"{n} stored readings reproduce the anchored root "
                      f"{anchored[:16]}…", root=root, readings=n), []
    found, suspects, why = locate_tampering(batch, off)
    head = (f"the {len(off.readings)} stored readings give root {root[:16]}…, the ledger "
            f"anchored {anchored[:16]}… over {n} readings")
    details: dict[str, Any] = {"recomputed_root": root, "anchored_root": anchored,
                               "stored_readings": len(off.readings), "anchored_readings": n}
    if found:
        details["tampered"] = [t.to_dict() for t in found]
        named = "; ".join(t.describe() for t in found)
        return failed(name, subj, f"{head}; {why}, which names: {named}", **details), found
    details["suspects"] = [r.to_dict() for r in suspects]
    hint = ("; suspects (not proven): " + "; ".join(
        f"{r.device_id} {r.timestamp} {r.quantity} = {r.value}" for r in suspects[:5])
        if suspects else "")
    return failed(name, subj, f"{head}; tampering detected but the reading cannot be "
                  f"proven: {why}{hint}", **details), []


def _last_counter(previous: OffChainBatch | None, quantity: str) -> list[Decimal]:
    """The last counter value of `quantity` in `previous` (as a 0/1-item list)."""
    rows = [(r.timestamp, r.decimal) for r in (previous.readings if previous else [])
            if r.quantity == quantity and r.decimal is not None]
    return [max(rows)[1]] if rows else []  # type: ignore[list-item]


def recompute_totals(
    off: OffChainBatch, previous: OffChainBatch | None, capacity: int | None
) -> tuple[dict[str, tuple[Decimal, str]], int, list[str]]:
    """Per-quantity totals of the stored readings as the ingestion computes them:
    interval values summed; cumulative counters turned into deltas (chained to the last
    counter of `previous`, the contiguous batch of the same upload), with `capacity`.
    Returns (totals, resets found, problems)."""
    groups: dict[str, list[StoredReading]] = defaultdict(list)
    for r in sorted(off.readings, key=lambda r: r.timestamp):
        groups[r.quantity].append(r)
    totals: dict[str, tuple[Decimal, str]] = {}
    problems: list[str] = []
    resets = 0
    for quantity, rows in sorted(groups.items()):
        units = {r.unit for r in rows}
        kinds = {r.kind for r in rows}
        if len(units) != 1 or len(kinds) != 1:
            problems.append(f"{quantity}: mixed units {sorted(units)} or kinds {sorted(kinds)}")
            continue
        values = [r.decimal for r in rows]
        if any(v is None for v in values):
            problems.append(f"{quantity}: a stored value is not a number")
            continue
        nums = [v for v in values if v is not None]
        unit, kind = units.pop(), kinds.pop()
        try:
            if kind == "interval":
                totals[quantity] = (exact_sum(nums), unit)
                continue
            series = _last_counter(previous, quantity) + nums
            steps = counter_deltas(series, capacity=None if capacity is None
                                   else Decimal(capacity))
            resets += sum(1 for s in steps if s.delta is None)
            deltas = [s.delta for s in steps if s.delta is not None]
            if deltas:
                totals[quantity] = (exact_sum(deltas), unit)
        except ArithmeticError as exc:
            problems.append(f"{quantity}: cannot be summed exactly ({exc!r})")
    return totals, resets, problems


def check_totals(batch: Mapping[str, Any], off: OffChainBatch,
                 previous: OffChainBatch | None, capacity: int | None) -> Check:
    """``batch.totals`` (module docstring)."""
    name, subj = "batch.totals", subject(batch)
    if not off.readings:
        return failed(name, subj, "no stored readings to total")
    anchored = _anchored_totals(batch)
    totals, resets, problems = recompute_totals(off, previous, capacity)
    diffs: list[tuple[str, str]] = []
    for quantity in sorted(set(anchored) | set(totals)):
        want, got = anchored.get(quantity), totals.get(quantity)
        if want is None and got is not None:
            diffs.append((quantity, f"{quantity}: stored readings total "
                          f"{decimal_text(got[0])} {got[1]}, the ledger has no total"))
        elif want is not None and got is None:
            diffs.append((quantity, f"{quantity}: anchored {want[0]} {want[1]}, "
                          "no stored reading counts towards it"))
        elif want is not None and got is not None and (
                _decimal(want[0]) != got[0] or want[1] != got[1]):
            diffs.append((quantity, f"{quantity}: anchored {want[0]} {want[1]}, stored "
                          f"readings total {decimal_text(got[0])} {got[1]}"))
    shown = {q: f"{decimal_text(v)} {u}" for q, (v, u) in totals.items()}
    if not diffs and not problems:
        return passed(name, subj, "totals recomputed from the stored readings equal the "
                      "anchored totals: " + ", ".join(f"{q} {t}" for q, t in shown.items()),
                      recomputed=shown)
    text = "; ".join(problems + [d for _, d in diffs])
    kinds = {r.quantity: r.kind for r in off.readings}
    quality_resets = int(dict(batch.get("quality", {})).get("reset", 0))
    if not problems and (resets or quality_resets) and all(
            kinds.get(q) == "cumulative" for q, _ in diffs):
        return skipped(name, subj, "cumulative totals with counter resets depend on the "
                       "plausibility limits used at ingest, which are not recorded: " + text,
                       recomputed=shown)
    return failed(name, subj, "recomputed totals differ from the anchored (signed) totals: "
                  + text, recomputed=shown)
