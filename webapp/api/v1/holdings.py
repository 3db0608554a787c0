"""The caller's token holdings, and its credit holdings, listed from the read model (no
ledger call).

Why here and not in `ledger.py`: those routes ask the Gateway about one lot; this list is
what programs poll, so it is served from the off-chain read model like the wallet page,
with the read model's lag beside the rows. Each row keeps the transaction id and block of
its last change so a reader can go to the ledger record behind it.
"""

from __future__ import annotations

from typing import Any

from flask import g, request

from envalue.chaincode.domain.tokens.state import TOKEN_STATES
from envalue.readmodel import lag_status
from envalue.readmodel import queries as rq

from ...errors import PortalError
from ...security import api_auth_required
from ...services.readmodel import lag_json, owner_key, sessions, wallet_view
from ..operation import READ_UNAUTHENTICATED, api_operation, response
from . import blueprint

MAX_LOT_ID = 256  # the read model's ID column
_HOLDING = {"type": "object", "properties": {
    "lot_id": {"type": "string"}, "state": {"type": "string"}, "kg": {"type": "integer"},
    "tx_id": {"type": "string"}, "block_number": {"type": "integer"}}}


@blueprint.get("/wallet/holdings")
@api_auth_required("wallet.view")
@api_operation(
    "The caller's token holdings by lot and state, from the read model",
    description="Served from the off-chain read model that the block listener fills, never "
                "from a ledger scan; `read_model` says how far it is behind the channel. "
                "Every row names the transaction and block of its last change.",
    tags=["wallet"],
    parameters=[{"in": "query", "name": "lot_id", "required": False,
                 "schema": {"type": "string", "maxLength": MAX_LOT_ID},
                 "description": "only this lot"},
                {"in": "query", "name": "state", "required": False,
                 # the enum is the chaincode's own list of token states
                 "schema": {"type": "string", "enum": list(TOKEN_STATES)},
                 "description": "only this state"}],
    answers={200: response("holdings (kg-CO2e as integers)", {"application/json": {
        "type": "object", "properties": {
            "owner": {"type": "string", "description": "the caller's holder key"},
            "items": {"type": "array", "items": _HOLDING},
            "read_model": {"type": "object"}}}})},
    problems={400: "invalid filter (field, value, rule)",
              401: READ_UNAUTHENTICATED,
              403: "the portal role holds no wallet"})
def wallet_holdings() -> dict[str, Any]:
    """The caller's holdings by lot and state."""
    lot_id = request.args.get("lot_id", "").strip()
    state = request.args.get("state", "").strip()
    if len(lot_id) > MAX_LOT_ID:
        raise PortalError(f"at most {MAX_LOT_ID} characters", field="lot_id",
                          value=lot_id[:40] + "…", rule="max_length")
    if state and state not in TOKEN_STATES:
        raise PortalError(f"one of {', '.join(TOKEN_STATES)}", field="state", value=state,
                          rule="token_state")
    owner = owner_key(g.api_user)
    with sessions()() as session:
        lag = lag_status(session)
        rows = rq.holdings_of(session, owner, lot_id=lot_id or None, state=state or None)
        items = [{"lot_id": h.lot_id, "state": h.state, "kg": h.kg, "tx_id": h.tx_id,
                  "block_number": h.block_number} for h in rows]
    return {"owner": owner, "items": items,
            "read_model": lag_json(lag)}


_REF = {"tx_id": {"type": "string"}, "block_number": {"type": "integer"}}
_CREDIT_HOLDING = {"type": "object", "properties": {
    "batch_id": {"type": "string"}, "owner_msp": {"type": "string"},
    "tradable_t": {"type": "integer"}, "retired_t": {"type": "integer"}, **_REF}}
_TRANSFER = {"type": "object", "properties": {
    "lot_id": {"type": "string"}, "sender": {"type": "string"},
    "recipient": {"type": "string"}, "quantity_kg": {"type": "integer"},
    "retired_on_receipt": {"type": "boolean"},
    "transferred_at": {"type": "string", "description": "the transaction's timestamp"},
    "event_index": {"type": "integer"}, **_REF}}
_RETIREMENT = {"type": "object", "properties": {
    "serial": {"type": "string"}, "lot_id": {"type": "string"},
    "quantity_kg": {"type": "integer"}, "serial_first": {"type": "integer"},
    "serial_last": {"type": "integer"}, "beneficiary": {"type": "string"},
    "purpose": {"type": "string"}, "reporting_year": {"type": "integer"},
    "retired_at": {"type": "string"}, "certificate_id": {"type": "string"}, **_REF}}


def _wallet_list(name: str, fields: tuple[str, ...]) -> dict[str, Any]:
    view = wallet_view(g.api_user)
    return {"owner": view.owner,
            "items": [{f: getattr(row, f) for f in fields} for row in view.lists[name]],
            "read_model": lag_json(view.lag)}


def _wallet_answer(what: str, item: dict[str, Any]) -> dict[int, Any]:
    return {200: response(what, {"application/json": {"type": "object", "properties": {
        "owner": {"type": "string", "description": "the caller's holder key"},
        "items": {"type": "array", "items": item}, "read_model": {"type": "object"}}}})}


_WALLET_REFUSALS = {401: READ_UNAUTHENTICATED, 403: "the portal role holds no wallet"}


@blueprint.get("/wallet/credits")
@api_auth_required("wallet.view")
@api_operation(
    "The caller's credit holdings by batch (tradable and retired t-CO2), from the read model",
    description="What the wallet page lists under credits held (`wallet_view`), with the "
                "transaction and block of each row's last change and the read model's lag.",
    tags=["wallet"], answers=_wallet_answer("credit holdings (whole tonnes)", _CREDIT_HOLDING),
    problems=_WALLET_REFUSALS)
def wallet_credits() -> dict[str, Any]:
    """The caller's credit holdings."""
    return _wallet_list("credit_holdings", tuple(_CREDIT_HOLDING["properties"]))


@blueprint.get("/wallet/transfers")
@api_auth_required("wallet.view")
@api_operation(
    "Token transfers the caller sent or received, newest first, from the read model",
    description="What the wallet page lists as history (`wallet_view`, at most 200).",
    tags=["wallet"], answers=_wallet_answer("transfers", _TRANSFER),
    problems=_WALLET_REFUSALS)
def wallet_transfers() -> dict[str, Any]:
    """The caller's transfers."""
    return _wallet_list("transfers", tuple(_TRANSFER["properties"]))


@blueprint.get("/wallet/retirements")
@api_auth_required("wallet.view")
@api_operation(
    "Serial ranges the caller retired, newest first, with their certificate ids",
    description="What the wallet page lists as retirements (`wallet_view`, at most 200); a "
                "certificate downloads from /api/v1/certificates/lots/{lot_id}/retirements/"
                "{serial}.",
    tags=["wallet"], answers=_wallet_answer("retirements", _RETIREMENT),
    problems=_WALLET_REFUSALS)
def wallet_retirements() -> dict[str, Any]:
    """The caller's retirements."""
    return _wallet_list("retirements", tuple(_RETIREMENT["properties"]))
