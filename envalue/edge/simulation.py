"""One call from a case study to signed uploads: model → counters and defects → bytes.

`simulate("ena" | "boiler", ...)` returns a `Simulation` with one `SimulatedUpload` per
device (the whole simulated span in one upload: counters need consecutive readings in
one upload, and ingestion stores one batch per device and period), each with its
injection report and, when a key directory is given, its signature.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

from envalue.edge.batch_signing import (
    BATCH_SIGNATURES_HEADER,
    encode_batch_signatures,
    sign_batches,
)
from envalue.edge.boiler import BoilerConfig, simulate_boiler
from envalue.edge.defects import DEFAULT_CAPACITY, DefectRates, InjectionReport, inject
from envalue.edge.ena import EnaConfig, EnaSimulation, simulate_ena
from envalue.edge.model import DeviceSeries, Kind
from envalue.edge.render import CONTENT_TYPES, render
from envalue.edge.signing import (
    DEVICE_HEADER,
    SIGNATURE_HEADER,
    load_or_create_key,
    sign_body,
)

__all__ = ["SCENARIOS", "SimulatedUpload", "Simulation", "simulate", "kinds_for"]

SCENARIOS = ("ena", "boiler")
WIDE_TZ = "Asia/Tokyo"


def kinds_for(series: DeviceSeries, kind: Literal["interval", "cumulative"]
              ) -> dict[str, Kind]:
    """Which quantities are sent as counters: all but heat (GJ has no whole-unit meter
    display), when `kind` is cumulative."""
    return {q: ("cumulative" if kind == "cumulative" and series.units[q] != "GJ"
                else "interval") for q in series.quantities}


@dataclass(slots=True)
class SimulatedUpload:
    """One device's upload: body, content type, signature and injection report."""

    device_id: str
    format: str
    body: bytes
    report: InjectionReport
    interval: timedelta
    signature: str | None = None
    batch_signatures: list[dict[str, str]] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    def headers(self) -> dict[str, str]:
        """HTTP headers of the upload (signature only when signed)."""
        h = {"Content-Type": self.content_type, DEVICE_HEADER: self.device_id}
        if self.signature:
            h[SIGNATURE_HEADER] = self.signature
        if self.batch_signatures:
            h[BATCH_SIGNATURES_HEADER] = encode_batch_signatures(self.batch_signatures)
        return h

    def query(self) -> dict[str, str]:
        """The ingest options as request parameters (so the platform totals and checks
        the upload exactly as the device did when it signed the batch headers)."""
        o = self.ingest_options()
        q = {"device": self.device_id,
             "interval": f"{int(self.interval.total_seconds() // 60)}min"}
        if o["counter_capacity"] is not None:
            q["counter_capacity"] = str(o["counter_capacity"])
        if o["naive_tz"]:
            q["assume_tz"] = str(o["naive_tz"])
        return q

    def ingest_options(self) -> dict[str, object]:
        """Keyword arguments of `envalue.ingest.IngestConfig` that read this upload as
        the device meant it (device, counter capacity, interval, zone of wide CSVs)."""
        return {
            "device_id": self.device_id,
            "counter_capacity": self.report.counter_capacity,
            "interval": self.interval,
            "naive_tz": WIDE_TZ if self.format == "wide" else None,
        }


@dataclass(slots=True)
class Simulation:
    scenario: str
    series: list[DeviceSeries]
    uploads: list[SimulatedUpload]
    ena: EnaSimulation | None = None
    meta: dict[str, object] = field(default_factory=dict)

    def upload(self, device_id: str) -> SimulatedUpload:
        return next(u for u in self.uploads if u.device_id == device_id)


def simulate(
    scenario: str,
    *,
    days: int = 2,
    start: date | None = None,
    interval_minutes: int = 30,
    seed: int = 1,
    fmt: str = "long",
    kind: Literal["interval", "cumulative"] = "interval",
    rates: DefectRates | None = None,
    counter_capacity: Decimal | None = DEFAULT_CAPACITY,
    devices: list[str] | None = None,
    key_dir: Path | None = None,
    fuel_switch: bool = False,
    sign_headers: bool = True,
) -> Simulation:
    """Simulate a case study and render one upload per device; with `key_dir`, sign
    the body and (`sign_headers`) each batch header."""
    rates = rates or DefectRates(seed=seed)
    ena: EnaSimulation | None = None
    if scenario == "ena":
        cfg = EnaConfig(days=days, interval_minutes=interval_minutes, seed=seed)
        if start is not None:
            cfg = replace(cfg, start=start)
        ena = simulate_ena(cfg)
        series = ena.devices
    elif scenario == "boiler":
        bcfg = BoilerConfig(days=days, interval_minutes=interval_minutes, seed=seed,
                            new_fuel="city-gas" if fuel_switch else "a-heavy-oil")
        if start is not None:
            bcfg = replace(bcfg, start=start)
        series = simulate_boiler(bcfg)
    else:
        raise ValueError(f"unknown scenario {scenario!r}; expected one of "
                         f"{', '.join(SCENARIOS)}")
    if devices:
        unknown = sorted(set(devices) - {s.device_id for s in series})
        if unknown:
            raise ValueError(f"unknown device(s) {', '.join(unknown)} in scenario {scenario}")
        series = [s for s in series if s.device_id in devices]
    uploads: list[SimulatedUpload] = []
    for s in series:
        up = inject(s, kinds=kinds_for(s, kind), rates=rates, fmt=fmt,
                    counter_capacity=counter_capacity)
        body = render(up, fmt)
        sim_up = SimulatedUpload(s.device_id, fmt, body, up.report,
                                 timedelta(minutes=interval_minutes))
        if key_dir is not None:
            key = load_or_create_key(key_dir, s.device_id)
            sim_up.signature = sign_body(key, body)
            if sign_headers:
                from envalue.ingest.config import IngestConfig

                sim_up.batch_signatures = sign_batches(
                    key, body, IngestConfig(**sim_up.ingest_options()))  # type: ignore[arg-type]
        uploads.append(sim_up)
    return Simulation(scenario, series, uploads, ena)
