"""The domain must load inside chaincode, the CLI and the portal alike: no framework imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import envalue.chaincode.domain as domain

pytestmark = pytest.mark.unit

ROOT = Path(domain.__file__).parent
MODULES = sorted(ROOT.rglob("*.py"))  # every module of the domain, the message builder too
FORBIDDEN = ("fabric", "hfc", "grpc", "click", "rich", "envalue.cli", "requests", "sqlalchemy")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
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
