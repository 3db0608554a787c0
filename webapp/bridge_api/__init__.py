"""``/bridge/v1``: the bridge REST API the Market org runs for partner ledgers' operators.

Every request is signed (`envalue.bridge.signing`; checked in `auth`), every write is
idempotent by ``X-Request-Id`` (`envalue.bridge.idempotency`, stored in the portal
database), and every answer that is not a success is ``application/problem+json`` naming
field, value and rule. The operations are `envalue.bridge.relay.BridgeRelay`'s, over the
adapters `ledgers` opens; with no peer they answer 503 with the reason. Its OpenAPI
document is served at ``/bridge/v1/openapi.json`` (a document of its own: the callers,
the authentication and the error model differ from ``/api/v1``'s).

Modules: `auth` (signed requests, roles), `ledgers` (which adapters), `responses`
(problem+json, idempotent answers), `routes` (the endpoints), `openapi`.
"""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("bridge_api", __name__)

from . import openapi, responses, routes  # noqa: E402,F401

__all__ = ["blueprint"]
