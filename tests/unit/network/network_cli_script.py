"""Scripted answers of the Fabric CLIs for command-construction tests.

`Script` records each command (argv, environment) and answers it with canned output
as the real CLIs print it; `FakeLifecycleCLI` remembers just enough (installed ids,
approvals, the committed definition) for the lifecycle flow to be followed. They check
which commands network/ builds, not what a ledger would do: no transaction runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from envalue.network.chaincode_package import package_id
from envalue.network.topology import CONSORTIUM, Topology


class Script:
    """Records calls; `answer(argv, env)` decides each output."""

    def __init__(self, answer: Callable[[list[str], dict[str, str]], str]):
        self.answer = answer
        self.calls: list[tuple[list[str], dict[str, str]]] = []

    def __call__(self, argv: list[str], env: dict[str, str]) -> str:
        self.calls.append((list(argv), dict(env)))
        return self.answer(argv, env)

    def commands(self, *words: str) -> list[tuple[list[str], dict[str, str]]]:
        return [(a, e) for a, e in self.calls if all(w in a for w in words)]


def flag(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


class FakeLifecycleCLI:
    """Canned answers of `peer lifecycle chaincode ...` for one topology's peer orgs."""

    def __init__(self, committed: tuple[str, int] | None = None,
                 topology: Topology = CONSORTIUM):
        self.topology = topology
        self.installed: dict[str, set[str]] = {o.msp_id: set() for o in topology.peer_orgs}
        self.approved: set[str] = set()
        self.committed = committed

    def __call__(self, argv: list[str], env: dict[str, str]) -> str:
        msp = env["CORE_PEER_LOCALMSPID"]
        sub = argv[3]
        if sub == "queryinstalled":
            items = [{"package_id": p, "label": p.split(":")[0]} for p in self.installed[msp]]
            return json.dumps({"installed_chaincodes": items} if items else {})
        if sub == "install":
            data = Path(argv[4]).read_bytes()
            label = Path(argv[4]).name.removesuffix(".tar.gz")
            self.installed[msp].add(package_id(label, data))
            return ""
        if sub == "querycommitted":
            if self.committed is None:
                return json.dumps({})
            version, sequence = self.committed
            return json.dumps({"chaincode_definitions": [
                {"name": "other", "version": "9", "sequence": 9},
                {"name": self.topology.chaincode_name, "version": version,
                 "sequence": sequence}]})
        if sub == "checkcommitreadiness":
            return json.dumps({"approvals": {o.msp_id: o.msp_id in self.approved
                                             for o in self.topology.peer_orgs}})
        if sub == "approveformyorg":
            self.approved.add(msp)
            return ""
        if sub == "commit":
            self.committed = (flag(argv, "--version"), int(flag(argv, "--sequence")))
            return ""
        raise AssertionError(argv)
