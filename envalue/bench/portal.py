"""`envalue bench portal`: p50/p95/p99 latency and throughput of the portal's reads with
N concurrent users (locust), against the portal served the way `envalue portal serve`
serves it (gunicorn, gthread workers).

What it sets up, in a temporary folder removed afterwards (also on Ctrl-C or failure):
- a portal database with one bench user per role (operator, customer, municipality), each
  with an API bearer token. Their certificates are issued by a throwaway local CA with
  the role attribute Fabric CA writes: no CA is needed, and these identities are only
  good for signing in to this portal, never for the ledger;
- the off-chain store the dashboard reads, filled with `days` of the simulated case
  studies (Ena PV + NAS battery, boiler replacement; field-like defects) through
  `envalue simulate`'s own storing path (`IngestService`);
- a read model with `holdings` holdings per bench user plus transfers, retirements and
  credit batches. These rows are SYNTHETIC, inserted through `envalue.readmodel.schema`:
  there is no Fabric peer on this machine (issue #2), so nothing was projected from a
  ledger. The bench measures the portal's read path, not the ledger; the pages show the
  ledger as unavailable, as they do on this machine.

Then gunicorn serves the portal on a free loopback port, locust (headless, a subprocess)
runs `users` users (see `portal_locustfile`: sign-in through the form with CSRF, then
dashboard + its chart data, wallet, and GET /api/v1/wallet/holdings) for `duration` of
reads counted from the moment all of them have signed in, and its CSV statistics are
reported. The load generator shares the machine with the portal: its CPU seconds are
reported beside the portal's, with the load average before the run. The issue's target:
p95 under 300 ms for each of the three reads.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from envalue.bench.base import BenchParam

__all__ = ["ENDPOINTS", "HELP", "PARAMS", "TARGET_P95_MS", "parse_duration", "print_table",
           "run"]

HELP = ("Portal read latency (p50/p95/p99) and throughput with N concurrent users: "
        "dashboard, wallet, API holdings list (locust against gunicorn).")
TARGET_P95_MS = 300
#: The reads the issue names, as locust reports them, with what each one is.
ENDPOINTS: dict[str, str] = {
    "dashboard": "GET /dashboard",
    "wallet": "GET /wallet/",
    "api holdings": "GET /api/v1/wallet/holdings",
}
#: Also timed, outside the target: what the dashboard's script fetches, and sign-in.
EXTRA: dict[str, str] = {
    "dashboard chart data": "GET /api/v1/energy/daily",
    "sign-in form": "GET /login",
    "sign-in": "POST /login",
}
#: (enrollment id, role, org key): one bench user per role that holds a wallet.
BENCH_USERS: tuple[tuple[str, str, str], ...] = (
    ("bench-operator", "operator", "platform"),
    ("bench-customer", "customer", "customer"),
    ("bench-city", "municipality", "municipality"),
)
LOCUSTFILE = Path(__file__).with_name("portal_locustfile.py")
THREADS_PER_WORKER = 4  # what `envalue portal serve` runs
SIGN_IN_ALLOWANCE_S = 120  # locust's -t cap beyond the read window (the locustfile's gate)
SCENARIO_SEED = 1
NOTE = ("read-model rows are synthetic (inserted through envalue.readmodel.schema): there is "
        "no Fabric peer on this machine (issue #2), so this measures the portal's read path, "
        "not the ledger; the ledger shows as unavailable on every page")

PARAMS: tuple[BenchParam, ...] = (
    BenchParam("users", int, 50, "Concurrent users (locust -u; all spawned in the 1st s)."),
    BenchParam("duration", str, "20s",
               "Read window after every user has signed in (20s, 1m30s)."),
    BenchParam("workers", int, 0, "Gunicorn workers (0: one per CPU)."),
    BenchParam("holdings", int, 100, "Read-model holdings per bench user (synthetic rows)."),
    BenchParam("think", float, 1.0,
               "Mean think time between a user's requests, s (uniform ±50%; 0: none)."),
    BenchParam("days", int, 7, "Days of simulated case-study data in the off-chain store."),
)

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")


def parse_duration(text: str) -> int:
    """Seconds in a locust run time (``20s``, ``1m30s``, ``1h``, ``45``)."""
    match = _DURATION.match(text.strip())
    seconds = 0
    if match and any(match.groups()):
        h, m, s = (int(g or 0) for g in match.groups())
        seconds = 3600 * h + 60 * m + s
    if seconds <= 0:
        raise ValueError(f"duration: {text!r} is not a run time such as 20s or 1m30s")
    return seconds


# -- preparation -------------------------------------------------------------------------

def _local_ca() -> tuple[Any, Any]:
    """A throwaway P-256 CA (key, certificate): it stands in for no Fabric CA, it only
    lets bench users exist without one."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "envalue bench portal CA")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _issue(ca: tuple[Any, Any], enrollment_id: str, role: str) -> tuple[bytes, Any]:
    """A client certificate carrying the ``role`` attribute the way Fabric CA writes it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from envalue.client.ca import ATTRIBUTES_OID

    ca_key, ca_cert = ca
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    attrs = {"attrs": {"role": role, "hf.EnrollmentID": enrollment_id, "hf.Type": "client"}}
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, enrollment_id)]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.UnrecognizedExtension(ATTRIBUTES_OID,
                                                      json.dumps(attrs).encode()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM), key


def _make_users(portal_url: str, secret: str) -> list[dict[str, Any]]:
    """Bench users provisioned with the portal's own service, each with an API token."""
    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    from envalue.webapp.db import PortalUser, make_engine
    from envalue.webapp.services.readmodel import owner_key
    from envalue.webapp.services.users import create_api_token, provision

    engine = make_engine(portal_url)
    ca = _local_ca()
    made = []
    try:
        with sessionmaker(engine, expire_on_commit=False)() as db:
            for enrollment_id, role, org in BENCH_USERS:
                cert, key = _issue(ca, enrollment_id, role)
                password = secrets.token_urlsafe(16)
                user = provision(db, org_key=org, enrollment_id=enrollment_id, cert_pem=cert,
                                 private_key=key, password=password, secret=secret,
                                 actor="bench")
                row = db.scalar(select(PortalUser).where(PortalUser.username == user.username))
                made.append({"username": user.username, "role": user.role,
                             "msp_id": user.msp_id, "password": password,
                             "token": create_api_token(db, row, "bench portal"),
                             "owner": owner_key(row)})
    finally:
        engine.dispose()
    return made


def _fill_store(store_url: str, days: int) -> dict[str, int]:
    """`days` of both case studies through `envalue simulate --store-db`'s own path."""
    from envalue.edge.defects import DefectRates
    from envalue.edge.simulation import simulate
    from envalue.ingest_service.local import store_simulation

    uploads = batches = 0
    for scenario in ("ena", "boiler"):
        sim = simulate(scenario, days=days, seed=SCENARIO_SEED,
                       rates=DefectRates.field_like(SCENARIO_SEED))
        stored = store_simulation(sim, store_url)
        uploads += len(stored)
        batches += sum(int(entry.get("batches") or 0) for entry in stored.values())
    return {"days": days, "uploads": uploads, "batches": batches}


def _seed_readmodel(url: str, users: list[dict[str, Any]], holdings: int) -> dict[str, int]:
    """Synthetic read-model rows for each bench user (see the module docstring).

    Per user: `holdings` holdings (lots alternating tradable/retired, one lot per two
    rows), as many transfers to the next user, half as many retirements, and one credit
    batch (with share and holding) per 20 holdings. Transaction ids say ``bench-synthetic``.
    """
    from envalue.readmodel import schema as rm

    block = iter(range(1, 10**9))

    def ref() -> dict[str, Any]:
        number = next(block)
        return {"tx_id": f"bench-synthetic-{number:010d}", "block_number": number}

    rows: list[Any] = []
    counts = dict.fromkeys(("lots", "holdings", "transfers", "retirements", "credit_batches"),
                           0)
    for u, user in enumerate(users):
        owner, msp = user["owner"], user["msp_id"]
        other = users[(u + 1) % len(users)]["owner"]
        lots = [f"BENCH-{u}-LOT-{i:05d}" for i in range(-(-holdings // 2))]
        for lot in lots:
            rows.append(rm.TokenLot(lot_id=lot, issued_kg=2000, first_owner=owner,
                                    methodology="pv-battery", methodology_version="1",
                                    tradable_kg=1000, retired_kg=1000, **ref()))
        for i in range(holdings):
            rows.append(rm.Holding(lot_id=lots[i // 2], owner=owner,
                                   state=("tradable", "retired")[i % 2], owner_msp=msp,
                                   kg=1000, **ref()))
        for i in range(holdings):
            number = next(block)
            rows.append(rm.Transfer(block_number=number, tx_id=f"bench-synthetic-{number:010d}",
                                    event_index=0, lot_id=lots[i % len(lots)], sender=owner,
                                    recipient=other, quantity_kg=10 + i))
        for i in range(holdings // 2):
            lot = lots[i % len(lots)]
            rows.append(rm.Retirement(
                serial=f"ENV-{lot}-{i * 10 + 1}-{i * 10 + 10}", lot_id=lot, owner=owner,
                owner_msp=msp, quantity_kg=10, serial_first=i * 10 + 1,
                serial_last=i * 10 + 10, beneficiary=user["username"], purpose="voluntary",
                reporting_year=2025, retired_at="2025-06-30T00:00:00+00:00", **ref()))
        batches = max(1, holdings // 20)
        for i in range(batches):
            batch_id = f"BENCH-{u}-CB-{i:04d}"
            rows += [
                rm.CreditBatch(batch_id=batch_id, program_id=f"BENCH-PROGRAM-{u}",
                               report_id=f"BENCH-{u}-MR-{i:04d}", period_start="2025-04-01",
                               period_end="2025-06-30", serial=f"{batch_id}-1-5", issued_t=5,
                               credited_kg=5000, issued_to=owner, **ref()),
                rm.CreditShare(batch_id=batch_id, owner=owner, owner_msp=msp, kg=5000, **ref()),
                rm.CreditHolding(batch_id=batch_id, owner=owner, owner_msp=msp, tradable_t=5,
                                 **ref()),
            ]
        for key, n in (("lots", len(lots)), ("holdings", holdings), ("transfers", holdings),
                       ("retirements", holdings // 2), ("credit_batches", batches)):
            counts[key] += n
    engine = rm.make_engine(url)
    try:
        with rm.make_sessions(engine)() as session:
            session.add_all(rows)
            session.commit()
    finally:
        engine.dispose()
    return counts


# -- processes -----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    """Stop `proc` and its process group (it was started as a group leader)."""
    if proc is None:
        return
    for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            continue
        # gunicorn's workers share the master's group: wait until none is left
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


def _start_portal(home: Path, env: dict[str, str], port: int, workers: int
                  ) -> subprocess.Popen[bytes]:
    """`envalue portal serve` (gunicorn) on `port`, in a process group of its own."""
    cmd = [sys.executable, "-c", "from envalue.cli import main; main()", "portal", "serve",
           "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    with open(home / "portal.log", "wb") as log:
        return subprocess.Popen(cmd, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, log: Path,
                  timeout: float = 90.0) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the portal exited with {proc.returncode}:\n{_tail(log)}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the portal did not answer {url}/healthz within {timeout:g}s:\n"
                       f"{_tail(log)}")


def _run_locust(home: Path, env: dict[str, str], url: str, users: int,
                seconds: int) -> tuple[Path, dict[str, Any]]:
    """Locust headless: sign-in, then `seconds` of reads (the locustfile stops the run;
    ``-t`` only caps it). The path of its ``_stats.csv`` and the locustfile's timings."""
    prefix = home / "locust"
    report = home / "locust-times.json"
    env = env | {"ENVALUE_BENCH_PORTAL_READ_SECONDS": str(seconds),
                 "ENVALUE_BENCH_PORTAL_REPORT": str(report)}
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
           "-u", str(users), "-r", str(users), "-t", f"{seconds + SIGN_IN_ALLOWANCE_S}s",
           # at the end, requests in flight complete rather than count as failures
           "--stop-timeout", "30",
           "--csv", str(prefix), "--host", url, "--only-summary", "--loglevel", "WARNING"]
    log_path = home / "locust.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    limit = seconds + SIGN_IN_ALLOWANCE_S + 60
    try:
        proc.wait(limit)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"locust did not stop {limit}s after starting:\n"
                           f"{_tail(log_path)}") from None
    finally:
        _stop(proc)
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():  # locust exits 1 on request failures, still writing its CSV
        raise RuntimeError(f"locust exited with {proc.returncode} and wrote no statistics:\n"
                           f"{_tail(log_path)}")
    try:
        times = json.loads(report.read_text())
    except (OSError, ValueError):
        times = {}
    return stats, times


def _server_errors(log: Path, limit: int = 10) -> list[str]:
    """Gunicorn's error and critical lines (worker timeouts, tracebacks), not access lines."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return []
    return [line for line in lines
            if "[ERROR]" in line or "[CRITICAL]" in line or line.startswith("Traceback")][:limit]


def _children_cpu() -> float:
    """CPU seconds of this process's reaped children (a gunicorn master counts its
    reaped workers), to tell what the portal and locust each used."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so the cleanup below runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# -- figures -----------------------------------------------------------------------------

def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None  # locust writes N/A where there were no requests


def _row(record: dict[str, str], what: str, window_s: float | None) -> dict[str, Any]:
    """One CSV row; req/s over `window_s` (locust's own figure divides by the whole run,
    sign-in included) when the locustfile reported it."""
    def ms(column: str) -> float | None:
        value = _number(record.get(column, ""))
        return None if value is None else round(value, 1)

    count = int(record["Request Count"])
    rate = count / window_s if window_s else _number(record["Requests/s"]) or 0.0
    return {"name": record["Name"], "request": what, "requests": count,
            "failures": int(record["Failure Count"]),
            "p50_ms": ms("50%"), "p95_ms": ms("95%"), "p99_ms": ms("99%"),
            "avg_ms": ms("Average Response Time"), "max_ms": ms("Max Response Time"),
            "req_per_s": round(rate, 1)}


def _failure_reasons(stats: Path) -> list[dict[str, Any]]:
    """Locust's ``_failures.csv`` beside `stats`: what failed, how often."""
    path = stats.with_name(stats.name.replace("_stats.csv", "_failures.csv"))
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            return [{"name": r["Name"], "error": r["Error"], "count": int(r["Occurrences"])}
                    for r in csv.DictReader(handle)]
    except OSError:
        return []


def _figures(stats: Path, times: dict[str, Any]) -> dict[str, Any]:
    with open(stats, newline="", encoding="utf-8") as handle:
        records = {r["Name"]: r for r in csv.DictReader(handle)}
    wanted = ENDPOINTS | EXTRA
    windows = {name: times.get("signed_in_after_s" if name.startswith("sign-in") else "reads_s")
               for name in wanted}
    rows = {name: _row(records[name], what, windows[name]) for name, what in wanted.items()
            if name in records}
    for name, what in wanted.items():  # a read never made still gets its row (0 requests)
        rows.setdefault(name, {"name": name, "request": what, "requests": 0, "failures": 0,
                               "p50_ms": None, "p95_ms": None, "p99_ms": None,
                               "avg_ms": None, "max_ms": None, "req_per_s": 0.0})
    reads = [rows[name] for name in ENDPOINTS]
    p95s = [r["p95_ms"] for r in reads]
    worst = None if None in p95s else max(p95s)  # type: ignore[type-var]
    return {
        "endpoints": reads,
        "also_timed": [rows[name] for name in EXTRA],
        "failure_reasons": _failure_reasons(stats),
        "reads_req_per_s": round(sum(r["req_per_s"] for r in reads), 1),
        "worst_p95_ms": worst,
        "meets_target": worst is not None and worst < TARGET_P95_MS
        and all(r["failures"] == 0 for r in reads),
    }


# -- the bench ---------------------------------------------------------------------------

def run(users: int = 50, duration: str = "20s", workers: int = 0, holdings: int = 100,
        think: float = 1.0, days: int = 7) -> dict[str, Any]:
    """Prepare, serve, drive and report (see the module docstring); every process started
    here is stopped and the temporary folder removed, whatever happens."""
    seconds = parse_duration(duration)
    if users < 1 or workers < 0 or holdings < 1 or think < 0 or not 1 <= days <= 366:
        raise ValueError("need users ≥ 1, workers ≥ 0, holdings ≥ 1, think ≥ 0 and "
                         "1 ≤ days ≤ 366")
    workers = workers or os.cpu_count() or 1
    home = Path(tempfile.mkdtemp(prefix="envalue-bench-portal-"))
    portal: subprocess.Popen[bytes] | None = None
    cpu: dict[str, float] = {}
    load_before = round(os.getloadavg()[0], 2)
    try:
        with _sigterm_as_exit():
            secret_key, key_secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            portal_db = f"sqlite:///{home / 'portal.db'}"
            readmodel_db = f"sqlite:///{home / 'readmodel.db'}"
            began = time.perf_counter()
            bench_users = _make_users(portal_db, key_secret)
            offchain = _fill_store(portal_db, days)  # the portal DB is its store by default
            rows = _seed_readmodel(readmodel_db, bench_users, holdings)
            prepare_s = time.perf_counter() - began
            logins = home / "logins.json"
            logins.write_text(json.dumps([{k: u[k] for k in ("username", "password", "token")}
                                          | {"holdings": holdings} for u in bench_users]))
            logins.chmod(0o600)
            env = os.environ | {
                "ENVALUE_PORTAL_DB": portal_db, "ENVALUE_PORTAL_INGEST_DB": "",
                "ENVALUE_READMODEL_DB": readmodel_db,
                "ENVALUE_PORTAL_SECRET_KEY": secret_key, "ENVALUE_PORTAL_KEY_SECRET": key_secret,
                # every simulated user signs in from 127.0.0.1 within the first second
                "ENVALUE_PORTAL_LOGIN_LIMIT": f"{10 * users + 100} per minute",
                # an empty network home: the pages report the ledger unavailable at once
                "ENVALUE_NETWORK_HOME": str(home / "no-network"),
                "ENVALUE_BENCH_PORTAL_LOGINS": str(logins),
                "ENVALUE_BENCH_PORTAL_THINK": f"{think * 0.5},{think * 1.5}",
            }
            port = _free_port()
            url = f"http://127.0.0.1:{port}"
            portal = _start_portal(home, env, port, workers)
            _wait_healthy(portal, url, home / "portal.log")
            before = _children_cpu()
            stats, times = _run_locust(home, env, url, users, seconds)
            cpu["locust"] = round(_children_cpu() - before, 1)
            figures = _figures(stats, times)
    finally:
        before = _children_cpu()
        _stop(portal)
        if portal is not None:
            cpu["portal"] = round(_children_cpu() - before, 1)
        server_errors = _server_errors(home / "portal.log")
        shutil.rmtree(home, ignore_errors=True)
    return {
        "bench": "portal", "url": url, "home": str(home),
        "processes": {"portal": portal.pid if portal else None},
        "users": users, "spawn_rate": users, "duration": duration, "duration_s": seconds,
        # sign-in before the window; the window itself as locust ran it
        "signed_in_after_s": times.get("signed_in_after_s"),
        "all_signed_in": times.get("all_signed_in"), "reads_s": times.get("reads_s"),
        "think_s": [round(think * 0.5, 3), round(think * 1.5, 3)],
        "server": f"gunicorn, {workers} gthread worker(s) × {THREADS_PER_WORKER} threads "
                  "(envalue portal serve)",
        "workers": workers, "cpu_count": os.cpu_count(),
        # what else ran: the 1-minute load average before the bench, and CPU seconds used
        # by the portal (since its start, workers included) and by locust on this machine
        "load_average_before": load_before, "cpu_seconds": cpu,
        "bench_users": [{"username": u["username"], "role": u["role"]} for u in bench_users],
        "holdings_per_user": holdings, "readmodel_rows": rows, "synthetic_readmodel": True,
        "offchain_store": offchain, "prepare_s": round(prepare_s, 1),
        **figures, "server_errors": server_errors, "target_p95_ms": TARGET_P95_MS,
        "note": NOTE,
    }


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def print_table(result: dict[str, Any], console: Any) -> None:
    """The rich table of `result`, then the target line."""
    from rich.table import Table

    table = Table(title=f"portal reads: {result['users']} signed-in users for "
                        f"{result['duration']}, "
                        f"think {result['think_s'][0]:g}–{result['think_s'][1]:g} s; "
                        f"{result['server']}; {result['cpu_count']} CPU(s)")
    table.add_column("endpoint")
    for column in ("requests", "failures", "p50 ms", "p95 ms", "p99 ms", "req/s"):
        table.add_column(column, justify="right")
    for row, style in ([(r, None) for r in result["endpoints"]]
                       + [(r, "dim") for r in result["also_timed"]]):
        table.add_row(row["name"], f"{row['requests']:,}",
                      f"{row['failures']:,}", _ms(row["p50_ms"]), _ms(row["p95_ms"]),
                      _ms(row["p99_ms"]), f"{row['req_per_s']:,.1f}", style=style)
    console.print(table)
    verdict = "met" if result["meets_target"] else "not met"
    console.print(f"p95 target {result['target_p95_ms']} ms for dashboard, wallet and API "
                  f"holdings: {verdict} (worst p95 {_ms(result['worst_p95_ms'])} ms; "
                  f"{result['reads_req_per_s']:,.1f} reads/s together)")
    for failure in result["failure_reasons"]:
        console.print(f"failed: {failure['name']} ×{failure['count']}: {failure['error']}")
    for line in result["server_errors"]:
        console.print(f"portal log: {line}", markup=False)
    cpu = result["cpu_seconds"]
    console.print(f"CPU seconds used: portal {cpu.get('portal', 'n/a')} (since its start), "
                  f"locust {cpu.get('locust', 'n/a')}, in {result['signed_in_after_s']} s "
                  f"of sign-in + {result['reads_s']} s of reads on "
                  f"{result['cpu_count']} CPU(s) shared with everything else here (1-minute "
                  f"load average before the run: {result['load_average_before']})")
    rows = result["readmodel_rows"]
    console.print(f"read model: {rows['holdings']:,} holdings, {rows['transfers']:,} transfers, "
                  f"{rows['retirements']:,} retirements, {rows['credit_batches']:,} credit "
                  f"batches for {len(result['bench_users'])} users "
                  f"({', '.join(u['role'] for u in result['bench_users'])}); off-chain store: "
                  f"{result['offchain_store']['days']} days, "
                  f"{result['offchain_store']['batches']:,} batches")
    console.print("requests: " + "; ".join(f"{r['name']} = {r['request']}" for r in
                                           result["endpoints"] + result["also_timed"]))
    console.print("dim rows are outside the target: the chart data the dashboard's script "
                  "fetches, and sign-in (once per user, before the reads start); req/s: "
                  "requests over the read window (sign-in: over the sign-in phase)")
    console.print(f"note: {result['note']}")
