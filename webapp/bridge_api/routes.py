"""The bridge API's endpoints; each view declares its OpenAPI operation (`bridge_operation`).

Who may call what (the caller comes from the signed request, `auth`):

- ``POST /pledges``: the pledge's owner itself (the body's ``owner`` is the caller's
  holder key). The service signs the pledge with the owner's portal identity when it
  holds it; otherwise the owner pledged with their own client and the relay picks it up.
- ``POST /claims``, ``POST /reclaims``: role ``bridge`` or ``operator`` (partner relays
  and operators), or for a reclaim the pledge's owner.
- ``POST /returns``: role ``bridge`` or ``operator``, or the burning owner. The burn is
  the owner's own partner transaction: the service holds no partner keys, so it must be
  committed already; the relay proves it and releases the units at home.
- ``GET`` endpoints: any trusted caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request

from envalue.bridge.relay import BridgeRelay
from envalue.bridge.request_auth import Caller, require_role
from envalue.bridge.store import BridgeStore
from envalue.bridge.transfers import CLAIMED, FAILED, RECLAIMED, RELEASED
from envalue.chaincode.domain.bridge.access import BRIDGE_ROLE
from envalue.chaincode.domain.bridge.msg_pledge import MsgPledge
from envalue.chaincode.domain.errors import ForbiddenError, ValidationError
from envalue.chaincode.domain.messages import build
from envalue.chaincode.domain.quantity import loads
from envalue.chaincode.domain.tokens.access import OPERATOR_ROLE
from envalue.chaincode.domain.wrapped.msg_burn import MsgBurn

from ..api.operation import response
from ..errors import PortalError
from . import blueprint
from .auth import signed_caller
from .ledgers import BridgeLedgers, FabricBridgeLedgers, LedgerSet, setting
from .openapi import TRANSFER, bridge_operation
from .responses import idempotent, json_response, transfer_answer

__all__ = ["EXTENSION", "RELAY_ROLES", "BridgeApi"]

EXTENSION = "envalue.bridge_api"
#: Roles that may drive claims, returns and reclaims for others.
RELAY_ROLES = (BRIDGE_ROLE, OPERATOR_ROLE)
MAX_EVENTS = 500

T = TypeVar("T")


@dataclass
class BridgeApi:
    """What the blueprint needs: its store and how to reach the ledgers."""

    store: BridgeStore
    ledgers: BridgeLedgers


@blueprint.record_once
def _setup(state: Any) -> None:
    app: Flask = state.app
    url = setting(app.config, "BRIDGE_DATABASE_URL")
    if url:
        store = BridgeStore.from_url(url)
    else:  # the portal database's engine
        store = BridgeStore(app.extensions["envalue.portal.db"].kw["bind"])
    ledgers = app.config.get("BRIDGE_LEDGERS") or FabricBridgeLedgers(app.config)
    app.extensions[EXTENSION] = BridgeApi(store, ledgers)


def _api() -> BridgeApi:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def _run(caller: Caller, work: Any) -> Any:
    """Run `work(relay, ledgers)` (a coroutine function) with this request's adapters."""
    api = _api()
    with api.ledgers.open(caller) as ledgers:
        relay = BridgeRelay(ledgers.home, ledgers.partner, api.store)
        coroutine: Coroutine[Any, Any, Any] = work(relay, ledgers)
        return asyncio.run(coroutine)


def _json_object(body: bytes) -> Mapping[str, Any]:
    if request.mimetype != "application/json":
        raise PortalError("send application/json", field="Content-Type",
                          value=request.mimetype, rule="media_type", http_status=415,
                          title="Unsupported media type")
    data = loads(body)
    if not isinstance(data, Mapping):
        raise ValidationError("body", None, "object", "must be a JSON object")
    return data


def _message(cls: type[T], data: Mapping[str, Any]) -> T:
    """The chaincode's message dataclass from JSON, by the contracts' own builder."""
    return build(cls, dict(data))


def _pledge_id(data: Mapping[str, Any]) -> str:
    unknown = sorted(set(data) - {"pledge_id"})
    if unknown:
        raise ValidationError(unknown[0], data[unknown[0]], "unknown-field",
                              "is not a field of this request")
    value = data.get("pledge_id")
    if not isinstance(value, str) or not value:
        raise ValidationError("pledge_id", value, "required", "must be a non-empty string")
    return value


def _write(view: Any) -> Response:
    """A signed, idempotent write: `view(caller, data)` with the parsed JSON body."""
    caller = signed_caller()
    body = request.get_data(cache=True)
    return idempotent(_api().store, caller, body,
                      lambda: view(caller, _json_object(body)))


@blueprint.post("/pledges")
@bridge_operation(
    "Create a pledge (escrow at home) and claim it on the partner ledger", method="post",
    description="The caller must be the pledge's owner. Answers 201 with the transfer; its "
                "state is `claimed`, or `refundable` when the partner refused the claim (the "
                "refusal is in `transfer.error`), or `pledged` when the partner was "
                "unreachable (the service completes the claim later).",
    tags=["pledges"], parameters=["RequestId"], body="PledgeRequest",
    answers={201: TRANSFER}, problems=(400, 401, 403, 404, 409, 503))
def create_pledge() -> Response:
    """Pledge units to the partner ledger and claim them there."""
    def view(caller: Caller, data: Mapping[str, Any]) -> Response:
        msg = _message(MsgPledge, data)
        if msg.owner != caller.owner_key:
            raise ForbiddenError("owner", msg.owner, "owner-only",
                                 f"{caller.owner_key} may not pledge units of {msg.owner}: "
                                 "only the owner pledges")

        async def work(relay: BridgeRelay, ledgers: LedgerSet) -> Any:
            return await relay.create_pledge(msg, ledgers.owner_home)
        transfer = _run(caller, work)
        return transfer_answer(transfer, transfer.state != FAILED, 201)
    return _write(view)


@blueprint.get("/pledges/<pledge_id>")
@bridge_operation(
    "The pledge as the home ledger holds it, and the service's transfer of it",
    tags=["pledges"], parameters=["PledgeId"],
    answers={200: response("ledger record and transfer", {
        "application/json": {"$ref": "#/components/schemas/PledgeStatus"}})},
    problems=(401, 404, 503))
def pledge_status(pledge_id: str) -> Response:
    """Status of a pledge."""
    caller = signed_caller()

    async def work(relay: BridgeRelay, _: LedgerSet) -> Any:
        return await relay.status(pledge_id)
    return json_response(_run(caller, work))


@blueprint.get("/pledges/<pledge_id>/proof")
@bridge_operation(
    "The pledge's home view endorsed by enough envalue organisations",
    tags=["pledges"], parameters=["PledgeId"],
    answers={200: response("the carried proof (verified by the partner chaincode)", {
        "application/json": {"$ref": "#/components/schemas/ProofAnswer"}})},
    problems=(401, 404, 503))
def pledge_proof(pledge_id: str) -> Response:
    """Proof of a pledge."""
    caller = signed_caller()

    async def work(relay: BridgeRelay, _: LedgerSet) -> Any:
        return relay.home.network_id, await relay.fetch_proof(pledge_id)
    network_id, proof = _run(caller, work)
    return json_response({"pledge_id": pledge_id, "network_id": network_id, "proof": proof})


@blueprint.post("/claims")
@bridge_operation(
    "Mint the wrapped units of a committed pledge on the partner ledger", method="post",
    tags=["transfers"], parameters=["RequestId"], body="PledgeRef",
    answers={200: TRANSFER}, problems=(400, 401, 403, 409, 503))
def submit_claim() -> Response:
    """Claim a pledge on the partner ledger."""
    def view(caller: Caller, data: Mapping[str, Any]) -> Response:
        pledge_id = _pledge_id(data)
        require_role(caller, RELAY_ROLES, "submitting a claim")

        async def work(relay: BridgeRelay, _: LedgerSet) -> Any:
            return await relay.submit_claim(pledge_id)
        transfer = _run(caller, work)
        return transfer_answer(transfer, transfer.state == CLAIMED)
    return _write(view)


@blueprint.post("/returns")
@bridge_operation(
    "Prove a burn on the partner ledger and release the same units at home", method="post",
    tags=["transfers"], parameters=["RequestId"], body="ReturnRequest",
    answers={200: TRANSFER}, problems=(400, 401, 403, 404, 409, 503))
def submit_return() -> Response:
    """Return wrapped units home."""
    def view(caller: Caller, data: Mapping[str, Any]) -> Response:
        msg = _message(MsgBurn, data)
        if msg.owner != caller.owner_key:
            require_role(caller, RELAY_ROLES, "returning another holder's units")

        async def work(relay: BridgeRelay, ledgers: LedgerSet) -> Any:
            return await relay.submit_return(msg, ledgers.owner_partner)
        transfer = _run(caller, work)
        return transfer_answer(transfer, transfer.state == RELEASED)
    return _write(view)


@blueprint.post("/reclaims")
@bridge_operation(
    "After expiry, void the pledge on the partner ledger and return it home", method="post",
    tags=["transfers"], parameters=["RequestId"], body="PledgeRef",
    answers={200: TRANSFER}, problems=(400, 401, 403, 404, 409, 503))
def reclaim() -> Response:
    """Reclaim an expired, unclaimed pledge."""
    def view(caller: Caller, data: Mapping[str, Any]) -> Response:
        pledge_id = _pledge_id(data)

        async def work(relay: BridgeRelay, _: LedgerSet) -> Any:
            if caller.role not in RELAY_ROLES:
                status = await relay.status(pledge_id)
                owner = (status["ledger"] or {}).get("owner")
                if owner != caller.owner_key:
                    require_role(caller, RELAY_ROLES, "reclaiming another owner's pledge")
            return await relay.reclaim(pledge_id)
        transfer = _run(caller, work)
        return transfer_answer(transfer, transfer.state == RECLAIMED)
    return _write(view)


@blueprint.get("/events")
@bridge_operation(
    "What the bridge service did, in order, after a cursor", tags=["events"],
    parameters=[
        {"in": "query", "name": "after", "description": "cursor of the last event already seen",
         "schema": {"type": "string", "pattern": "^[0-9]{1,18}$", "default": "0"}},
        {"in": "query", "name": "limit",
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_EVENTS, "default": 100}}],
    answers={200: response("events after the cursor, and the cursor to ask from next", {
        "application/json": {"$ref": "#/components/schemas/EventPage"}})},
    problems=(400, 401))
def events() -> Response:
    """The service's event feed."""
    signed_caller()
    after = _count(request.args.get("after", "0"), "after", 0, 10**18)
    limit = _count(request.args.get("limit", "100"), "limit", 1, MAX_EVENTS)
    page = _api().store.events_after(after, limit)
    return json_response({"events": [e.to_dict() for e in page],
                          "next": str(page[-1].cursor if page else after)})


def _count(text: str, field: str, low: int, high: int) -> int:
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise ValidationError(field, text[:40], "range",
                              f"must be a whole number from {low} to {high}")
    return int(text)
