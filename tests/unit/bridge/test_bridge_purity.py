"""Bridge, wrapped and proof domain code loads in chaincode, CLI and service alike: no
framework or client imports (the off-ledger `bridge.service` package is exempt)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import envalue.chaincode.domain as domain

pytestmark = pytest.mark.unit

ROOT = Path(domain.__file__).parent
MODULES = sorted(
    p for sub in ("bridge", "wrapped", "proofs") for p in (ROOT / sub).glob("*.py")
) + [ROOT / "tokens" / "bridge_hooks.py"]
FORBIDDEN = ("fabric", "grpc", "google.protobuf", "envalue.client", "click", "requests")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_framework_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            assert not name.lower().startswith(FORBIDDEN), f"{path.name} imports {name}"
