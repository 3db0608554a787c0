"""Field defects injected into a device's clean series, and the record of what was done.

Why: ingestion must find exactly what went wrong in the field (domain.md "Operation data
in the field"); tests can only check that if the simulator says precisely what it
injected. Each defect is placed on whole transmissions (lines), away from the ends of the
series and at least two lines from any other defect, so their effects never merge:

- duplicate: a line sent twice, identical (every cell a duplicate row);
- conflict: a line followed by a second version with other values (both rejected);
- gap: 1..`max_gap` consecutive lines never sent;
- out of order: two consecutive lines sent swapped (the later one first);
- reset: a counter replaced, reading 0 from then on (that interval is not counted);
- rollover: a counter started so that it wraps past its capacity once (it is counted);
- malformed: an extra unreadable row; negative: an extra row with a negative value.

`InjectionReport.expected_quality()` is the quality object ingestion should return and
`expected_totals` the sum per quantity over the whole upload it should count.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from envalue.edge.model import DeviceSeries, Kind, Line, floor_int

__all__ = ["DefectRates", "EmittedLine", "InjectionReport", "Upload", "inject",
           "DEFAULT_CAPACITY"]

Tag = Literal["ok", "duplicate", "conflict", "malformed", "negative"]
DEFAULT_CAPACITY = Decimal(999999)  # a six-digit counter


@dataclass(frozen=True)
class DefectRates:
    """Per-line probabilities of each defect (the count is rate × lines, rounded by a
    seeded draw); `seed` makes the placement reproducible."""

    duplicate: float = 0.0
    conflict: float = 0.0
    gap: float = 0.0
    out_of_order: float = 0.0
    reset: float = 0.0
    rollover: float = 0.0
    malformed: float = 0.0
    negative: float = 0.0
    max_gap: int = 3
    seed: int = 0

    @classmethod
    def field_like(cls, seed: int = 0) -> DefectRates:
        """A few of everything, as a month of field data shows them (per line)."""
        return cls(duplicate=0.02, conflict=0.01, gap=0.01, out_of_order=0.01, reset=0.01,
                   rollover=0.01, malformed=0.01, negative=0.005, seed=seed)


@dataclass(frozen=True, slots=True)
class EmittedLine:
    """A line as sent: its cells and why it is there."""

    ts: datetime
    cells: dict[str, Decimal]
    tag: Tag = "ok"


@dataclass(frozen=True, slots=True)
class InjectedGap:
    after: datetime
    before: datetime
    missing: int


@dataclass(frozen=True, slots=True)
class InjectedCounterEvent:
    """A reset or rollover of one counter: the readings either side, and for a reset the
    amount of the interval that cannot be counted."""

    quantity: str
    ts: datetime
    previous: Decimal
    value: Decimal
    lost: Decimal = Decimal(0)


@dataclass(slots=True)
class InjectionReport:
    """What was injected into one upload, and what ingestion should therefore report."""

    device_id: str
    format: str
    cells: int  # quantity rows per line
    lines: int  # clean lines before injection
    counter_capacity: Decimal | None
    duplicates: list[datetime] = field(default_factory=list)
    conflicts: list[datetime] = field(default_factory=list)
    gaps: list[InjectedGap] = field(default_factory=list)
    swaps: list[datetime] = field(default_factory=list)
    resets: list[InjectedCounterEvent] = field(default_factory=list)
    rollovers: list[InjectedCounterEvent] = field(default_factory=list)
    malformed: int = 0
    negative: int = 0
    expected_totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def _per_extra(self) -> int:
        # an extra bad line is one row in long/json, one row per column in a wide CSV
        return self.cells if self.format == "wide" else 1

    def expected_quality(self) -> dict[str, int]:
        """The dry-run `quality` object (methodologies.md) ingestion should return, plus
        `out_of_order`."""
        c = self.cells
        removed = sum(g.missing for g in self.gaps)
        conflict = 2 * len(self.conflicts) * c
        return {
            "accepted": (self.lines - removed - len(self.conflicts)) * c,
            "duplicate": len(self.duplicates) * c,
            "conflict": conflict,
            "reset": len(self.resets),
            "gap": (removed + len(self.conflicts)) * c,
            "rejected": conflict + (self.malformed + self.negative) * self._per_extra,
            "out_of_order": len(self.swaps) * c,
        }

    def expected_rejections(self) -> dict[str, int]:
        """Rejected rows per rule."""
        out = {"conflict": 2 * len(self.conflicts) * self.cells,
               "malformed_row": self.malformed * self._per_extra,
               "negative_value": self.negative * self._per_extra}
        return {k: v for k, v in out.items() if v}

    def to_dict(self) -> dict[str, object]:
        """JSON-ready (timestamps ISO 8601, decimals as strings)."""
        def ev(e: InjectedCounterEvent) -> dict[str, str]:
            return {"quantity": e.quantity, "timestamp": e.ts.isoformat(),
                    "previous": str(e.previous), "value": str(e.value), "lost": str(e.lost)}
        return {
            "device": self.device_id,
            "format": self.format,
            "lines": self.lines,
            "cells_per_line": self.cells,
            "counter_capacity": None if self.counter_capacity is None
            else str(self.counter_capacity),
            "duplicates": [t.isoformat() for t in self.duplicates],
            "conflicts": [t.isoformat() for t in self.conflicts],
            "gaps": [{"after": g.after.isoformat(), "before": g.before.isoformat(),
                      "missing": g.missing} for g in self.gaps],
            "out_of_order": [t.isoformat() for t in self.swaps],
            "resets": [ev(e) for e in self.resets],
            "rollovers": [ev(e) for e in self.rollovers],
            "malformed": self.malformed,
            "negative": self.negative,
            "expected_quality": self.expected_quality(),
            "expected_totals": {q: str(v) for q, v in sorted(self.expected_totals.items())},
        }


@dataclass(slots=True)
class Upload:
    """One device's transmission: lines in the order sent, with their kinds and units."""

    device_id: str
    kinds: dict[str, Kind]
    units: dict[str, str]
    lines: list[EmittedLine]
    report: InjectionReport


def _count(rng: random.Random, rate: float, n: int) -> int:
    exact = max(0.0, rate) * n
    whole = int(exact)
    return whole + (1 if rng.random() < exact - whole else 0)


class _Slots:
    """Interior line positions still free, each defect blocking its neighbourhood."""

    def __init__(self, n: int, rng: random.Random) -> None:
        self.n, self.rng = n, rng
        self.blocked: set[int] = set()

    def take(self, span: int = 1, ok: object = None) -> int | None:
        cands = [i for i in range(2, self.n - 2 - span)
                 if not any(j in self.blocked for j in range(i - 2, i + span + 2))
                 and (ok is None or ok(i))]  # type: ignore[operator]
        if not cands:
            return None
        i = self.rng.choice(cands)
        self.blocked.update(range(i, i + span))
        return i


def _counters(series: DeviceSeries, q: str, base: int, capacity: Decimal | None
              ) -> tuple[list[Decimal], list[Decimal]]:
    """(display readings, floor of the cumulative amount) of a counter starting at `base`."""
    cum, floors, total = [], [], Decimal(0)
    for a in series.amounts[q]:
        total += a
        floors.append(floor_int(total))
    wrap = None if capacity is None else capacity + 1
    for f in floors:
        v = base + f
        cum.append(v % wrap if wrap is not None else v)
    return cum, floors


def inject(
    series: DeviceSeries,
    *,
    kinds: dict[str, Kind],
    rates: DefectRates,
    fmt: str = "long",
    counter_capacity: Decimal | None = DEFAULT_CAPACITY,
) -> Upload:
    """Turn a clean series into the lines a device sends, with defects and their report."""
    rng = random.Random(f"{rates.seed}|{series.device_id}")
    n = len(series.timestamps)
    qs = series.quantities
    counters = [q for q in qs if kinds.get(q) == "cumulative"]
    report = InjectionReport(series.device_id, fmt, len(qs), n,
                             counter_capacity if counters else None)
    slots = _Slots(n, rng)

    # counters: values, then rollovers (start near the capacity) and resets (fall to 0)
    values: dict[str, list[Decimal]] = {q: list(series.amounts[q]) for q in qs}
    floors: dict[str, list[Decimal]] = {}
    rolled: set[str] = set()
    n_roll = _count(rng, rates.rollover, n) if counter_capacity is not None else 0
    for q in counters:
        base = rng.randint(1000, 200000)
        cum, fl = _counters(series, q, base, counter_capacity)
        floors[q] = fl
        if n_roll and counter_capacity is not None:
            k = slots.take(ok=lambda i, fl=fl: fl[i] - fl[i - 1] >= 2)
            if k is not None:
                n_roll -= 1
                step = fl[k] - fl[k - 1]
                base = int(counter_capacity + 1 - fl[k] + step // 2)
                cum, _ = _counters(series, q, base, counter_capacity)
                rolled.add(q)
                report.rollovers.append(InjectedCounterEvent(q, series.timestamps[k],
                                                             cum[k - 1], cum[k]))
        values[q] = cum
    resettable = [q for q in counters if q not in rolled]
    chosen: list[tuple[int, str]] = []
    for r in range(_count(rng, rates.reset, n) if resettable else 0):
        q = resettable[r % len(resettable)]
        i = slots.take()
        if i is None:
            break
        chosen.append((i, q))
    for i, q in sorted(chosen):  # in time order, each restarting its counter at 0
        cum, fl = values[q], floors[q]
        if cum[i - 1] <= 0:  # a counter already at 0 cannot visibly fall: no reset here
            continue
        report.resets.append(InjectedCounterEvent(q, series.timestamps[i], cum[i - 1],
                                                  Decimal(0), fl[i] - fl[i - 1]))
        values[q] = cum[:i] + [fl[j] - fl[i] for j in range(i, n)]
    report.resets.sort(key=lambda e: e.ts)

    removed: set[int] = set()
    for _ in range(_count(rng, rates.gap, n)):
        span = rng.randint(1, max(1, rates.max_gap))
        i = slots.take(span)
        if i is None:
            break
        removed.update(range(i, i + span))
        report.gaps.append(InjectedGap(series.timestamps[i - 1], series.timestamps[i + span],
                                       span))
    conflicts = _place(slots, rng, rates.conflict, n)
    duplicates = _place(slots, rng, rates.duplicate, n)
    swaps: set[int] = set()
    for _ in range(_count(rng, rates.out_of_order, n)):
        i = slots.take(2)
        if i is None:
            break
        swaps.add(i)

    def line(i: int) -> Line:
        return Line(series.timestamps[i], {q: values[q][i] for q in qs})

    def altered(i: int) -> dict[str, Decimal]:
        out = {}
        for q in qs:
            v = values[q][i]
            if kinds.get(q) == "cumulative":
                out[q] = v + 1 if counter_capacity is None or v < counter_capacity else v - 1
            else:
                out[q] = v + Decimal("0.5") + Decimal(rng.randint(1, 999)) / 1000
        return out

    emitted: list[EmittedLine] = []
    order = list(range(n))
    for i in sorted(swaps):
        order[i], order[i + 1] = order[i + 1], order[i]
        report.swaps.append(series.timestamps[i])
    for i in order:
        if i in removed:
            continue
        ln = line(i)
        emitted.append(EmittedLine(ln.ts, ln.cells))
        if i in duplicates:
            emitted.append(EmittedLine(ln.ts, dict(ln.cells), "duplicate"))
            report.duplicates.append(ln.ts)
        if i in conflicts:
            emitted.append(EmittedLine(ln.ts, altered(i), "conflict"))
            report.conflicts.append(ln.ts)
    report.duplicates.sort()
    report.conflicts.sort()

    # extra bad rows anywhere (they never reach validation, so no neighbourhood needed)
    for tag, rate in (("malformed", rates.malformed), ("negative", rates.negative)):
        for _ in range(_count(rng, rate, n)):
            if not emitted:
                break
            at = rng.randrange(len(emitted) + 1)
            ts = emitted[min(at, len(emitted) - 1)].ts
            cells = ({q: -values[q][0] - 1 for q in qs} if fmt == "wide"
                     else {(q := rng.choice(qs)): -abs(values[q][0]) - 1})
            emitted.insert(at, EmittedLine(ts, cells, tag))  # type: ignore[arg-type]
            setattr(report, tag, getattr(report, tag) + 1)

    lost = {q: Decimal(0) for q in qs}
    for e in report.resets:
        lost[e.quantity] += e.lost
    for q in qs:
        if kinds.get(q) == "cumulative":
            report.expected_totals[q] = floors[q][-1] - floors[q][0] - lost[q] if n else Decimal(0)
        else:
            skip = removed | conflicts
            report.expected_totals[q] = sum(
                (a for i, a in enumerate(series.amounts[q]) if i not in skip), Decimal(0))
    units = {q: series.units[q] for q in qs}
    return Upload(series.device_id, {q: kinds.get(q, "interval") for q in qs}, units,
                  emitted, report)


def _place(slots: _Slots, rng: random.Random, rate: float, n: int) -> set[int]:
    out: set[int] = set()
    for _ in range(_count(rng, rate, n)):
        i = slots.take()
        if i is None:
            break
        out.add(i)
    return out
