"""Checks of the calculation, its methodology and factors, and the lot minted from it.

The calculation record keeps every input it used; these checks recompute each figure from
the records the trace returns (the same domain code the chaincode runs):

- ``calculation.batches``: the batches are the calculation's, of its equipment's meters,
  with valid meter verification, covering the period per meter without gap or overlap;
- ``calculation.methodology``: the formula hash of this release's methodology code, the
  hash recorded with the calculation and the ledger's methodology version (and the hash
  of its formula text) agree;
- ``calculation.factors``: each factor used is the ledger's factor version, with the same
  values, valid for the whole period, and bound to the equipment;
- ``calculation.inputs``: the methodology inputs rebuilt from the anchored batch totals,
  the factor records and the equipment (`measurement.mapping.build_inputs`) equal the
  recorded inputs;
- ``calculation.recompute``: `calculate` on the recorded inputs gives the recorded
  baseline, project and reduction kg and the same trace;
- ``lot.mint``: the lot links to the calculation, was minted once for exactly the
  reduction after a verifier approved it, and was not superseded;
- ``ledger.transactions``: every step names the transaction that recorded it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal, localcontext
from typing import Any

from envalue.chaincode.domain.errors import DomainError
from envalue.chaincode.domain.measurement.mapping import build_inputs, quantity_needs
from envalue.chaincode.domain.methodologies import get_methodology
from envalue.chaincode.domain.quantity import DECIMAL_CONTEXT
from envalue.chaincode.domain.registry.fields import parse_timestamp
from envalue.chaincode.domain.registry.governance import covers
from envalue.chaincode.domain.registry.state import Equipment, FactorVersion, Meter

from .report import Check, failed, passed, skipped

__all__ = [
    "check_batches",
    "check_factors",
    "check_inputs",
    "check_methodology",
    "check_mint",
    "check_recompute",
    "check_transactions",
]

_ERRORS = (DomainError, KeyError, ValueError, TypeError, ArithmeticError)


def _subject(calc: Mapping[str, Any]) -> str:
    return f"calculation:{calc.get('calculation_id', '?')}"


def _factor_key(f: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(f.get("series")), str(f.get("factor_id")), str(f.get("version")))


def _paired(calc: Mapping[str, Any], factors: list[Mapping[str, Any]]
            ) -> list[tuple[Mapping[str, Any], Mapping[str, Any] | None]]:
    """Each factor entry of the calculation with the trace's record of it: the trace
    loads one record per entry, in entry order (a factor bound to two roles appears
    twice, and each copy must hold)."""
    entries = list(calc.get("factors", []))
    return [(e, factors[i] if i < len(factors) and _factor_key(factors[i]) == _factor_key(e)
             else None) for i, e in enumerate(entries)]


def check_batches(calc: Mapping[str, Any], batches: list[Mapping[str, Any]]) -> Check:
    """``calculation.batches`` (module docstring)."""
    name, subj = "calculation.batches", _subject(calc)
    ids = [b.get("batch_id") for b in batches]
    if ids != list(calc.get("batch_ids", [])):
        return failed(name, subj, f"the trace's batches {ids} are not the calculation's "
                      f"{calc.get('batch_ids')}")
    problems: list[str] = []
    per_meter: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    start, end = calc.get("period_start", ""), calc.get("period_end", "")
    for b in batches:
        bid = str(b.get("batch_id", ""))[:16] + "…"
        if b.get("equipment_id") != calc.get("equipment_id"):
            problems.append(f"batch {bid} is of equipment {b.get('equipment_id')!r}")
        if b.get("meter_id") not in calc.get("meter_ids", []):
            problems.append(f"batch {bid} is of meter {b.get('meter_id')!r}, not used")
        if not b.get("meter_verification_valid"):
            problems.append(f"batch {bid}: meter verification does not cover its period")
        per_meter[str(b.get("meter_id"))].append(b)
    for meter_id in calc.get("meter_ids", []):
        cursor = start
        for b in sorted(per_meter.get(meter_id, []), key=lambda b: str(b.get("period_start"))):
            if b.get("period_start") != cursor:
                problems.append(f"meter {meter_id}: batches leave a gap or overlap at {cursor}")
            cursor = b.get("period_end", "")
        if cursor != end:
            problems.append(f"meter {meter_id}: batches end at {cursor}, the period at {end}")
    if problems:
        return failed(name, subj, "; ".join(problems))
    return passed(name, subj, f"{len(batches)} batches of {len(calc.get('meter_ids', []))} "
                  f"meter(s) cover {start}..{end} with valid meter verification")


def check_methodology(calc: Mapping[str, Any], methodology: Mapping[str, Any]) -> Check:
    """``calculation.methodology`` (module docstring)."""
    name, subj = "calculation.methodology", _subject(calc)
    label = f"{calc.get('methodology')}@{calc.get('methodology_version')}"
    try:
        code = get_methodology(str(calc.get("methodology")),
                               str(calc.get("methodology_version")))
    except DomainError as exc:
        return failed(name, subj, f"{label}: {exc.message}")
    recorded = calc.get("formula_hash")
    text_hash = hashlib.sha256(str(methodology.get("formula", "")).encode("utf-8")).hexdigest()
    problems = []
    if (methodology.get("name"), methodology.get("version")) != (code.name, code.version):
        problems.append(f"the trace's methodology is {methodology.get('name')}@"
                        f"{methodology.get('version')}, the calculation used {label}")
    if code.formula_hash != recorded:
        problems.append(f"the calculation recorded formula hash {recorded}, this release's "
                        f"{label} has {code.formula_hash}")
    if methodology.get("formula_hash") != recorded:
        problems.append(f"the ledger's methodology version has formula hash "
                        f"{methodology.get('formula_hash')}, the calculation recorded {recorded}")
    if text_hash != methodology.get("formula_hash"):
        problems.append(f"the ledger's formula text hashes to {text_hash}, not to its "
                        f"recorded hash {methodology.get('formula_hash')}")
    if calc.get("methodology_tx") != methodology.get("activated_tx"):
        problems.append(f"the calculation names activation tx {calc.get('methodology_tx')}, "
                        f"the methodology was activated in {methodology.get('activated_tx')}")
    if problems:
        return failed(name, subj, "; ".join(problems))
    return passed(name, subj, f"{label} formula hash {code.formula_hash[:16]}… matches the "
                  "code, the ledger and the calculation record", formula_hash=code.formula_hash)


def check_factors(calc: Mapping[str, Any], equipment: Mapping[str, Any],
                  factors: list[Mapping[str, Any]]) -> Check:
    """``calculation.factors`` (module docstring)."""
    name, subj = "calculation.factors", _subject(calc)
    bindings = dict(equipment.get("factor_bindings", {}))
    problems: list[str] = []
    try:
        start = parse_timestamp(str(calc["period_start"]))
        end = parse_timestamp(str(calc["period_end"]))
    except _ERRORS as exc:
        return failed(name, subj, f"the calculation period is unreadable: {exc}")
    used = []
    if len(factors) != len(calc.get("factors", [])):
        problems.append(f"the trace has {len(factors)} factor records for "
                        f"{len(calc.get('factors', []))} factors used")
    for entry, record in _paired(calc, factors):
        key = _factor_key(entry)
        label = f"{key[0]}/{key[1]}@{key[2]}"
        used.append(f"{entry.get('role')} {label}")
        if record is None:
            problems.append(f"{label}: not among the trace's factor versions")
            continue
        if bindings.get(entry.get("role")) != key[0]:
            problems.append(f"{label}: role {entry.get('role')!r} is bound to series "
                            f"{bindings.get(entry.get('role'))!r} on the equipment")
        for fld in ("unit", "values", "value_units", "source", "activated_tx"):
            if entry.get(fld) != record.get(fld):
                problems.append(f"{label}: {fld} used {entry.get(fld)!r}, ledger has "
                                f"{record.get(fld)!r}")
        try:
            if not covers(str(record.get("valid_from", "")), str(record.get("valid_until", "")),
                          start, end):
                problems.append(f"{label}: valid {record.get('valid_from')}.."
                                f"{record.get('valid_until')}, not for the whole period")
        except _ERRORS as exc:
            problems.append(f"{label}: validity unreadable ({exc})")
    roles = {e.get("role") for e in calc.get("factors", [])}
    if roles != set(bindings):
        problems.append(f"factor roles used {sorted(map(str, roles))} are not the equipment's "
                        f"bindings {sorted(bindings)}")
    if problems:
        return failed(name, subj, "; ".join(problems))
    return passed(name, subj, "factor versions and values used are the ledger's: "
                  + ", ".join(used))


def rebuild_inputs(calc: Mapping[str, Any], equipment: Mapping[str, Any],
                   meters: list[Mapping[str, Any]], batches: list[Mapping[str, Any]],
                   factors: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The methodology inputs from anchored totals, factor records and the equipment,
    as `msg_calculate` builds them (raises on unusable records)."""
    eq = Equipment.from_dict(dict(equipment))
    selected: dict[str, FactorVersion] = {}
    for entry, record in _paired(calc, factors):
        if record is None:
            raise KeyError(f"no factor record for {'/'.join(_factor_key(entry))}")
        selected[str(entry["role"])] = FactorVersion.from_dict(dict(record))
    meter_records = [Meter.from_dict(dict(m)) for m in meters]
    totals: dict[str, Decimal] = {}
    for need in quantity_needs(eq, selected):
        measuring = {m.meter_id for m in meter_records if m.unit_of(need.quantity)}
        if not measuring:
            continue
        total = Decimal(0)
        for b in batches:
            if b.get("meter_id") not in measuring:
                continue
            value = next((t["value"] for t in b.get("totals", [])
                          if t.get("quantity") == need.quantity), None)
            if value is None:
                raise KeyError(f"batch {b.get('batch_id')} has no {need.quantity} total")
            with localcontext(DECIMAL_CONTEXT):
                total += Decimal(str(value))
        totals[need.quantity] = total
    inputs, _sources = build_inputs(eq, selected, totals)
    return inputs


def check_inputs(calc: Mapping[str, Any], equipment: Mapping[str, Any],
                 meters: list[Mapping[str, Any]], batches: list[Mapping[str, Any]],
                 factors: list[Mapping[str, Any]]) -> Check:
    """``calculation.inputs`` (module docstring)."""
    name, subj = "calculation.inputs", _subject(calc)
    try:
        rebuilt = rebuild_inputs(calc, equipment, meters, batches, factors)
    except _ERRORS as exc:
        return failed(name, subj, f"the inputs cannot be rebuilt from the anchored totals "
                      f"and factor records: {exc}")
    recorded = dict(calc.get("inputs", {}))
    diffs = [f"{k}: recorded {recorded.get(k)!r}, rebuilt {rebuilt.get(k)!r}"
             for k in sorted(set(recorded) | set(rebuilt)) if recorded.get(k) != rebuilt.get(k)]
    if diffs:
        return failed(name, subj, "the recorded inputs are not those the anchored totals, "
                      "factors and equipment give: " + "; ".join(diffs), rebuilt=rebuilt)
    return passed(name, subj, "inputs rebuilt from the anchored totals, factors and "
                  "equipment equal the recorded inputs", inputs=rebuilt)


def check_recompute(calc: Mapping[str, Any]) -> Check:
    """``calculation.recompute`` (module docstring)."""
    name, subj = "calculation.recompute", _subject(calc)
    try:
        result = get_methodology(str(calc.get("methodology")),
                                 str(calc.get("methodology_version"))).calculate(
            calc.get("inputs", {}))
    except _ERRORS as exc:
        return failed(name, subj, f"the recorded inputs do not calculate: {exc}")
    outputs, recorded = result.outputs(), dict(calc.get("outputs", {}))
    diffs = [f"{k}: recorded {recorded.get(k)}, recomputed {outputs.get(k)}"
             for k in sorted(set(outputs) | set(recorded)) if outputs.get(k) != recorded.get(k)]
    trace_diffs = [k for k in sorted(set(result.trace) | set(calc.get("trace", {})))
                   if result.trace.get(k) != calc.get("trace", {}).get(k)]
    if trace_diffs:
        diffs.append("trace values differ: " + ", ".join(trace_diffs))
    if diffs:
        return failed(name, subj, "recalculation differs from the record: " + "; ".join(diffs),
                      recomputed=outputs)
    shown = ", ".join(f"{k} {v}" for k, v in outputs.items())
    return passed(name, subj, f"recalculated {shown}", recomputed=outputs)


def check_mint(trace: Mapping[str, Any], token_supply: Mapping[str, Any] | None) -> Check:
    """``lot.mint`` (module docstring)."""
    calc = trace.get("calculation") or {}
    lot, mint, review = trace.get("lot"), trace.get("mint"), trace.get("review")
    name = "lot.mint"
    if lot is None:
        return skipped(name, _subject(calc), "traced from a calculation, not a token lot")
    subj = f"lot:{lot.get('lot_id')}"
    reduction = dict(calc.get("outputs", {})).get("reduction_kg")
    problems = []
    if lot.get("calculation_id") != calc.get("calculation_id"):
        problems.append(f"the lot links to {lot.get('calculation_id')}, the trace's "
                        f"calculation is {calc.get('calculation_id')}")
    if mint is None:
        problems.append("no mint record for the calculation")
    else:
        if mint.get("lot_id") != lot.get("lot_id"):
            problems.append(f"the calculation was minted as lot {mint.get('lot_id')}")
        if mint.get("quantity_kg") != reduction:
            problems.append(f"minted {mint.get('quantity_kg')} kg, the reduction is "
                            f"{reduction} kg")
    if review is None or review.get("decision") != "approved":
        problems.append("the calculation was not approved by a verifier"
                        if review is None else f"the calculation was {review.get('decision')}")
    if trace.get("superseded_by"):
        problems.append(f"the calculation was superseded by "
                        f"{trace['superseded_by'].get('superseded_by')}")
    if token_supply is not None:
        issued = next((x.get("issued") for x in token_supply.get("lots", [token_supply])
                       if x.get("lot_id") == lot.get("lot_id")), None)
        if issued != reduction:
            problems.append(f"the token ledger issued {issued} kg for the lot, the reduction "
                            f"is {reduction} kg")
    if problems:
        return failed(name, subj, "; ".join(problems))
    verifier = (review or {}).get("verifier_msp", "")
    return passed(name, subj, f"minted once for the reduction of {reduction} kg after "
                  f"approval by a verifier of {verifier}", quantity_kg=reduction)


def check_transactions(trace: Mapping[str, Any]) -> Check:
    """``ledger.transactions`` (module docstring)."""
    calc = trace.get("calculation") or {}
    name, subj = "ledger.transactions", _subject(calc)
    steps = {(s.get("step"), s.get("ref")): s.get("tx_id")
             for s in trace.get("transactions", [])}
    want = [("anchor batch", b.get("batch_id"), b.get("tx_id"))
            for b in trace.get("batches", [])]
    want.append(("calculate", calc.get("calculation_id"), calc.get("tx_id")))
    if trace.get("mint"):
        want.append(("mint", trace["mint"].get("lot_id"), trace["mint"].get("tx_id")))
    problems = [f"{step} {str(ref)[:20]}: record says tx {tx!r}, transactions list "
                f"{steps.get((step, ref))!r}" for step, ref, tx in want
                if not tx or steps.get((step, ref)) != tx]
    if problems:
        return failed(name, subj, "; ".join(problems))
    return passed(name, subj, f"{len(trace.get('transactions', []))} recorded steps, each "
                  "with its transaction id", transactions=len(trace.get("transactions", [])))
