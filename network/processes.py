"""Native processes of a network: start detached, remember by pid file, stop only our own.

A node is started in its own session so that `network down` can signal it without
touching anything else; its pid file records the pid and the executable so a pid that
the OS reused for another program is never signalled.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import NetworkError
from .layout import NetworkLayout

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NodeProcess:
    """What to run for one node; `health_url` is its operations endpoint, if it has one."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str]
    cwd: Path
    port: int
    health_url: str | None = None


def _read_pid(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


def _alive(record: dict) -> bool:
    pid = int(record.get("pid", 0))
    if pid <= 0:
        return False
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return False
    # a reused pid running something else is not our node
    return exe == record.get("exe")


def running_pid(layout: NetworkLayout, name: str) -> int | None:
    record = _read_pid(layout.pid(name))
    return int(record["pid"]) if record and _alive(record) else None


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def health(url: str, timeout: float = 2.0) -> dict:
    """GET an operations /healthz endpoint: {"status": "OK"} or the failed checks."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (loopback)
            body = resp.read().decode() or "{}"
            return {"status": "OK", **json.loads(body)} if resp.status == 200 else {
                "status": "UNAVAILABLE"}
    except urllib.error.HTTPError as err:
        try:
            return json.loads(err.read().decode())
        except ValueError:
            return {"status": "UNAVAILABLE", "http_status": err.code}
    except (urllib.error.URLError, OSError) as err:
        return {"status": "DOWN", "error": str(getattr(err, "reason", err))}


def start(layout: NetworkLayout, node: NodeProcess, *, timeout: float = 60.0) -> int:
    """Start a node unless it already runs; return its pid once its port accepts connections."""
    pid = running_pid(layout, node.name)
    if pid is not None:
        return pid
    if port_open(node.port):
        raise NetworkError(f"port {node.port} is already in use by another program",
                           node=node.name)
    layout.logs.mkdir(parents=True, exist_ok=True)
    layout.pids.mkdir(parents=True, exist_ok=True)
    logfile = layout.log(node.name)
    with logfile.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603 (argv is built by the network modules)
            list(node.argv), cwd=node.cwd, env=dict(node.env), stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    exe = os.path.realpath(shutil.which(node.argv[0]) or node.argv[0])
    layout.pid(node.name).write_text(json.dumps({"pid": proc.pid, "exe": exe}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise NetworkError(f"exited with code {proc.returncode} during start-up",
                               node=node.name, log=logfile)
        if port_open(node.port) and (
            node.health_url is None or health(node.health_url).get("status") == "OK"
        ):
            log.info("node started", extra={"node": node.name, "pid": proc.pid,
                                             "port": node.port})
            return proc.pid
        time.sleep(0.2)
    raise NetworkError(f"did not become healthy on port {node.port} within {timeout:.0f}s",
                       node=node.name, log=logfile)


def stop(layout: NetworkLayout, name: str, *, timeout: float = 15.0) -> bool:
    """Stop one node started by this network (SIGTERM, then SIGKILL); False if not running."""
    path = layout.pid(name)
    record = _read_pid(path)
    if record is None or not _alive(record):
        path.unlink(missing_ok=True)
        return False
    pid = int(record["pid"])
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not _gone(record):
        _reap(pid)
        time.sleep(0.1)
    if _alive(record):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    kill_deadline = time.monotonic() + 5.0
    while time.monotonic() < kill_deadline and not _gone(record):
        _reap(pid)
        time.sleep(0.05)
    path.unlink(missing_ok=True)
    log.info("node stopped", extra={"node": name, "pid": pid})
    return True


def _gone(record: dict) -> bool:
    """Whether the recorded node has finished exiting: no such process, a zombie, or the
    pid reused by another program. A node still exiting has lost its ``/proc/<pid>/exe``
    link (so `_alive` is already false) but may hold its listening sockets a moment
    longer; a zombie has closed them."""
    pid = int(record.get("pid", 0))
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    if stat.rpartition(")")[2].split()[0] == "Z":
        return True
    try:
        return os.readlink(f"/proc/{pid}/exe") != record.get("exe")
    except OSError:
        return False  # exiting: its memory is released, its files maybe not yet


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def started_nodes(layout: NetworkLayout) -> list[str]:
    if not layout.pids.is_dir():
        return []
    return sorted(p.stem for p in layout.pids.glob("*.pid"))


def run_tool(argv: Sequence[str], env: Mapping[str, str], *, step: str,
             node: str | None = None, cwd: Path | None = None, timeout: float = 120.0) -> str:
    """Run an admin tool (fabric-ca-client, peer CLI, osnadmin) and return its stdout.

    Failures raise NetworkError naming the step and node with the tool's last lines.
    """
    try:
        proc = subprocess.run(  # noqa: S603
            list(argv), env=dict(env), cwd=cwd, capture_output=True, text=True,
            timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise NetworkError(f"{step}: timed out after {timeout:.0f}s", node=node) from err
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise NetworkError(f"{step} failed (exit {proc.returncode}):\n{tail}", node=node)
    return proc.stdout
