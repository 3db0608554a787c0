"""The Go benchmark chaincode (network/bench/gocc) builds and starts as a CCaaS server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

GOCC = Path(__file__).resolve().parents[3] / "network" / "bench" / "gocc"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.timeout(600)
def test_gocc_builds_and_listens(tmp_path: Path) -> None:
    go = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists()
                                else None)
    if go is None:
        pytest.skip("Go is not installed")
    binary = tmp_path / "envalue-bench-gocc"
    build = subprocess.run([go, "build", "-o", str(binary), "."], cwd=GOCC,
                           capture_output=True, text=True, check=False, timeout=540)
    assert build.returncode == 0, build.stderr

    missing = subprocess.run([str(binary)], capture_output=True, text=True, timeout=30,
                             env={"PATH": os.environ.get("PATH", "")}, check=False)
    assert missing.returncode != 0 and "CHAINCODE_SERVER_ADDRESS" in missing.stderr

    port = _free_port()
    env = {"PATH": os.environ.get("PATH", ""), "CHAINCODE_SERVER_ADDRESS": f"127.0.0.1:{port}",
           "CHAINCODE_ID": "bench_1.0:" + "0" * 64}
    proc = subprocess.Popen([str(binary)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        else:
            pytest.fail("gocc did not listen within 20s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
