"""``/api/v1``: JSON for programs; errors as problem+json; OpenAPI at ``openapi.json``.

One module per resource (CTFd's layout); each view's docstring carries its OpenAPI
operation after ``---``, from which `openapi.py` builds the document with apispec.
"""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("api_v1", __name__)

from . import (  # noqa: E402,F401
    audit,
    calculations,
    certificates,
    credits,
    energy,
    exports,
    holdings,
    ledger,
    me,
    methodologies,
    openapi,
    registry,
    reports,
    tokens,
    trace,
)

__all__ = ["blueprint"]
