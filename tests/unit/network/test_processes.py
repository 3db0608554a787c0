"""Node processes: `stop` returns only once the node has released its port, so an `up`
right after a `down` finds the port free; a pid reused by another program is not ours."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from envalue.network import processes
from envalue.network.layout import NetworkLayout

pytestmark = pytest.mark.unit

#: a listener that takes its time to exit after SIGTERM, as a busy CA may
SLOW_LISTENER = """
import signal, socket, sys, time
sock = socket.socket(); sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", int(sys.argv[1]))); sock.listen()
signal.signal(signal.SIGTERM, lambda *_: (time.sleep(0.5), sys.exit(0)))
while True:
    sock.accept()[0].close()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_stop_returns_once_the_port_is_released_and_start_again_succeeds(
        tmp_path: Path) -> None:
    layout = NetworkLayout(tmp_path)
    port = _free_port()
    node = processes.NodeProcess("listener", [sys.executable, "-c", SLOW_LISTENER, str(port)],
                                 dict(os.environ), tmp_path, port)
    first = processes.start(layout, node, timeout=20)
    assert processes.port_open(port)
    assert processes.stop(layout, "listener") is True
    assert not processes.port_open(port)  # no window in which the old node still listens
    second = processes.start(layout, node, timeout=20)  # what `down` then `up` does
    assert second != first
    assert processes.stop(layout, "listener") is True
    assert processes.stop(layout, "listener") is False  # not running any more


def test_a_pid_running_another_program_is_gone_for_us() -> None:
    mine = {"pid": os.getpid(), "exe": os.path.realpath(sys.executable)}
    assert not processes._gone(mine)
    assert processes._gone({**mine, "exe": "/usr/bin/fabric-ca-server"})
    assert processes._gone({"pid": 2**22 + 12345, "exe": mine["exe"]})  # no such process
