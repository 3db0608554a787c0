"""Bridge, wrapped and proof domain code loads in chaincode, CLI and service alike: no
framework or client imports. The off-ledger bridge service lives outside the chaincode
tree (`envalue.bridge`), and chaincode never imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import envalue.chaincode as chaincode
import envalue.chaincode.domain as domain

pytestmark = pytest.mark.unit

ROOT = Path(domain.__file__).parent
MODULES = sorted(
    p for sub in ("bridge", "wrapped", "proofs") for p in (ROOT / sub).glob("*.py")
) + [ROOT / "tokens" / "bridge_hooks.py"]
FORBIDDEN = ("fabric", "grpc", "google.protobuf", "envalue.client", "click", "requests")
SERVICE = ("envalue.bridge", "envalue.webapp", "flask", "sqlalchemy")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_framework_imports(path: Path):
    for name in _imports(path):
        assert not name.lower().startswith(FORBIDDEN), f"{path.name} imports {name}"


def test_service_code_is_not_in_the_chaincode_tree():
    root = Path(chaincode.__file__).parent
    assert not (ROOT / "bridge" / "service").exists()
    for path in root.rglob("*.py"):
        for name in _imports(path):
            assert not name.startswith(SERVICE), f"{path.relative_to(root)} imports {name}"
