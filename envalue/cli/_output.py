"""Shared CLI output: one JSON object on stdout, errors on stderr with an exit code."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any, NoReturn

import click


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def print_json(obj: Any) -> None:
    click.echo(json.dumps(obj, default=_default, ensure_ascii=False, indent=None))


def fail(message: str, *, exit_code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(exit_code)
