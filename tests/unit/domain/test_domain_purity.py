"""The calculation code must load inside chaincode and the CLI alike: no framework imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import envalue.chaincode.domain as domain

pytestmark = pytest.mark.unit

ROOT = Path(domain.__file__).parent
MODULES = [
    ROOT / "quantity.py",
    ROOT / "errors.py",
    ROOT / "factors.py",
    *sorted((ROOT / "methodologies").glob("*.py")),
]
FORBIDDEN = ("fabric", "hfc", "grpc", "click", "rich", "envalue.cli", "requests", "sqlalchemy")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
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
