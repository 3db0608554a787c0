"""`envalue simulate ena|boiler`: realistic operation data for the case studies, written
to files and/or sent to the ingestion front ends over HTTP or MQTT.

Each device's upload is signed when --keys names a key directory (keys are created
there on first use; register the ``*.pub.pem`` files with the ingestion service). The
injection report of each upload says exactly which defects were put in and which quality
counts ingestion should therefore report.
"""

from __future__ import annotations

import json
import threading
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from envalue.edge.defects import DEFAULT_CAPACITY, DefectRates
from envalue.edge.render import FORMATS
from envalue.edge.simulation import SCENARIOS, SimulatedUpload, Simulation, simulate
from envalue.ingest_service.local import store_simulation, upload_summary
from envalue.ingest_service.problems import Problem

__all__ = ["command"]

_RATE_NAMES = [f.name for f in fields(DefectRates) if f.name not in ("max_gap", "seed")]


def _rates(preset: str, overrides: tuple[str, ...], seed: int) -> DefectRates:
    base = DefectRates.field_like(seed) if preset == "field" else DefectRates(seed=seed)
    values: dict[str, float] = {}
    for item in overrides:
        name, _, text = item.partition("=")
        name = name.strip().replace("-", "_")
        if name not in _RATE_NAMES or not text:
            raise click.BadParameter(f"{item!r}: expected NAME=RATE with NAME one of "
                                     f"{', '.join(_RATE_NAMES)}", param_hint="--rate")
        try:
            values[name] = float(text)
        except ValueError:
            raise click.BadParameter(f"{item!r}: {text!r} is not a number",
                                     param_hint="--rate") from None
        if not 0 <= values[name] <= 1:
            raise click.BadParameter(f"{item!r}: a rate is between 0 and 1",
                                     param_hint="--rate")
    return DefectRates(**{**{f: getattr(base, f) for f in _RATE_NAMES}, **values},
                       max_gap=base.max_gap, seed=seed)


def _write(sim: Simulation, out: Path) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for up in sim.uploads:
        ext = "json" if up.format == "json" else "csv"
        path = out / f"{up.device_id}.{ext}"
        path.write_bytes(up.body)
        (out / f"{up.device_id}.report.json").write_text(
            json.dumps(up.report.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        if up.signature:
            (out / f"{up.device_id}.{ext}.sig").write_text(up.signature + "\n")
        written[up.device_id] = str(path)
    return written


def _send_http(sim: Simulation, url: str) -> dict[str, dict[str, Any]]:
    import requests

    from envalue.edge.send import post_http

    results = {}
    with requests.Session() as session:
        for up in sim.uploads:
            try:
                status, body = post_http(url, up, session=session)
            except requests.RequestException as exc:
                raise click.ClickException(f"POST to {url} failed: {exc}") from None
            results[up.device_id] = {"status": status} | upload_summary(body)
    return results


def _send_mqtt(sim: Simulation, target: str, timeout: float) -> dict[str, dict[str, Any]]:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from envalue.edge.send import RESULT_TOPIC, publish_mqtt

    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter("expected HOST:PORT", param_hint="--send-mqtt")
    answers: dict[str, dict[str, Any]] = {}
    done = threading.Event()
    subscribed = threading.Event()
    wanted = {up.device_id for up in sim.uploads}

    def on_message(client: Any, userdata: Any, msg: Any) -> None:
        device = msg.topic.split("/")[1]
        answers[device] = json.loads(msg.payload)
        if wanted <= set(answers):
            done.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="envalue-simulator",
                         protocol=mqtt.MQTTv5)
    client.on_message = on_message
    client.on_subscribe = lambda *a: subscribed.set()
    try:
        client.connect(host, int(port))
    except OSError as exc:
        raise click.ClickException(f"MQTT broker {target}: {exc}") from None
    client.loop_start()
    try:
        client.subscribe(RESULT_TOPIC.format(device="+"), qos=1)
        subscribed.wait(timeout)
        for up in sim.uploads:
            publish_mqtt(client, up)
        if not done.wait(timeout):
            missing = sorted(wanted - set(answers))
            raise click.ClickException(f"no ingest result within {timeout:g}s for "
                                       f"{', '.join(missing[:5])} (is `envalue serve-ingest "
                                       f"--mqtt {target}` running?)")
    finally:
        client.disconnect()
        client.loop_stop()
    return {d: {"status": a.get("status")} | upload_summary(a) for d, a in answers.items()}


def _entry(up: SimulatedUpload) -> dict[str, Any]:
    return {"device": up.device_id, "format": up.format, "bytes": len(up.body),
            "signed": up.signature is not None,
            "expected_quality": up.report.expected_quality(),
            "injected": {k: v for k, v in up.report.to_dict().items()
                         if k in ("duplicates", "conflicts", "gaps", "out_of_order",
                                  "resets", "rollovers", "malformed", "negative")}}


@click.command("simulate")
@click.argument("scenario", type=click.Choice(SCENARIOS))
@click.option("--days", type=click.IntRange(1, 366), default=2, show_default=True)
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), help="First day (JST).")
@click.option("--interval", "interval_minutes", type=click.IntRange(1, 60), default=30,
              show_default=True, help="Minutes between readings (must divide a day).")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="long",
              show_default=True)
@click.option("--kind", type=click.Choice(["interval", "cumulative"]), default="interval",
              show_default=True, help="Send interval amounts or meter counters.")
@click.option("--defects", type=click.Choice(["none", "field"]), default="none",
              show_default=True, help="Preset of defect rates (field: a few of each).")
@click.option("--rate", "rate_overrides", multiple=True, metavar="NAME=RATE",
              help=f"Defect rate per line ({', '.join(_RATE_NAMES)}).")
@click.option("--counter-capacity", default=str(DEFAULT_CAPACITY), show_default=True,
              help="Counter capacity (largest value before it wraps).")
@click.option("--device", "devices", multiple=True, metavar="ID",
              help="Only these devices (default: all of the scenario).")
@click.option("--fuel-switch", is_flag=True, help="boiler: the new boiler burns city gas.")
@click.option("--keys", "key_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Sign each upload with the device key in this directory.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write uploads and injection reports to this directory.")
@click.option("--send-http", metavar="URL", help="POST each upload to URL/api/v1/ingest.")
@click.option("--send-mqtt", metavar="HOST:PORT", help="Publish each upload over MQTT.")
@click.option("--store-db", metavar="URL",
              help="Ingest each upload straight into the off-chain store at this URL.")
@click.option("--timeout", type=float, default=60.0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
def command(scenario: str, days: int, start: Any, interval_minutes: int, seed: int, fmt: str,
            kind: str, defects: str, rate_overrides: tuple[str, ...], counter_capacity: str,
            devices: tuple[str, ...], fuel_switch: bool, key_dir: Path | None,
            out: Path | None, send_http: str | None, send_mqtt: str | None,
            store_db: str | None, timeout: float, as_json: bool) -> None:
    """Simulate edge devices of SCENARIO (ena: PV + NAS battery; boiler: replacement)."""
    if 1440 % interval_minutes:
        raise click.BadParameter("must divide 1440", param_hint="--interval")
    try:
        capacity = Decimal(counter_capacity)
    except ArithmeticError:
        raise click.BadParameter(counter_capacity, param_hint="--counter-capacity") from None
    try:
        sim = simulate(scenario, days=days, start=start.date() if start else None,
                       interval_minutes=interval_minutes, seed=seed, fmt=fmt,
                       kind=kind,  # type: ignore[arg-type]
                       rates=_rates(defects, rate_overrides, seed), counter_capacity=capacity,
                       devices=list(devices) or None, key_dir=key_dir, fuel_switch=fuel_switch)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    written = _write(sim, out) if out else {}
    sent: dict[str, dict[str, Any]] = {}
    if send_http:
        sent |= _send_http(sim, send_http)
    if send_mqtt:
        sent |= _send_mqtt(sim, send_mqtt, timeout)
    if store_db:
        try:
            sent |= store_simulation(sim, store_db)
        except Problem as exc:
            raise click.ClickException(f"{exc.extra.get('device')}: {exc}") from None
    entries = []
    for up in sim.uploads:
        e = _entry(up)
        if up.device_id in written:
            e["file"] = written[up.device_id]
        if up.device_id in sent:
            e["sent"] = sent[up.device_id]
        entries.append(e)
    if as_json:
        out_obj: dict[str, Any] = {"scenario": scenario, "days": days, "seed": seed,
                                   "format": fmt, "kind": kind, "uploads": entries}
        if sim.ena is not None:
            out_obj["pv_battery_inputs"] = sim.ena.pv_battery_inputs()
        click.echo(json.dumps(out_obj, ensure_ascii=False))
        return
    console = Console()
    table = Table("device", "bytes", "signed", "expected quality", "sent")
    for e in entries:
        q = e["expected_quality"]
        exp = ", ".join(f"{k} {v}" for k, v in q.items() if v)
        s = e.get("sent")
        shown = "" if s is None else (f"{s.get('status', 'stored')} " + (
            f"accepted {s['quality']['accepted']}" if "quality" in s
            else f"{s['problem']['rule']}: {s['problem']['detail']}"))
        table.add_row(e["device"], str(e["bytes"]), "yes" if e["signed"] else "no", exp,
                      shown)
    console.print(table)
    if out:
        console.print(f"{len(written)} uploads and injection reports written to {out}")
