"""Shared rendering of a ledger-backed page: the data, or the 'ledger unavailable' panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, render_template

from envalue.chaincode.domain.errors import DomainError
from envalue.client import GatewayError

from ..errors import LedgerUnavailableError, PortalError
from ..services.ledger import ledger_status

__all__ = ["render_ledger_page"]


def render_ledger_page(template: str, query: Callable[[], Any] | None,
                       **context: Any) -> tuple[str, int]:
    """Run `query` (a service call) when asked; show the ledger state either way."""
    status = ledger_status(g.user)
    data, problem, code = None, None, 200
    if query is not None:
        try:
            data = query()
        except LedgerUnavailableError as exc:
            status, code = type(status)(False, exc.reason), 503
        except PortalError as exc:
            problem, code = exc.to_problem(), exc.http_status
        except DomainError as exc:
            problem, code = exc.to_dict(), exc.http_status
        except GatewayError as exc:
            problem, code = {"detail": str(exc), "rule": "gateway"}, 502
    elif not status.available:
        code = 200
    return render_template(template, ledger=status, data=data, problem=problem,
                           **context), code
