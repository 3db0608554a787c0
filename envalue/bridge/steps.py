"""The relay's steps: one ledger call each, its outcome saved in the journal.

`RelaySteps` holds the two ledgers and the journal; every step takes a `Transfer` in one
state and returns it saved in the next (see `transfers` for the states). A refusal is
recorded on the transfer (`Transfer.error`) and moves it on where the protocol says so;
`adapters.TRANSIENT` outcomes are raised with the transfer left where it was. Whether a
repeated step already happened is read from the ledger's state where a query shows it
(the partner's origin index, the home pledge's status, the records themselves) and only
otherwise from the once-index's rule (``already-released``): the home contract has no
query of its return index. A record counts as absent only on `NotFoundError`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from envalue.chaincode.domain.bridge.state import RECLAIMED as PLEDGE_RECLAIMED
from envalue.chaincode.domain.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
)
from envalue.chaincode.domain.proofs.view import decode_view
from envalue.chaincode.domain.wrapped.state import CLAIMED as ORIGIN_CLAIMED
from envalue.chaincode.domain.wrapped.state import VOIDED as ORIGIN_VOIDED

from .adapters import TRANSIENT, LedgerAdapter
from .store import BridgeStore
from .transfers import (
    BURNED,
    BURNING,
    CLAIMED,
    FAILED,
    OUTBOUND,
    PLEDGED,
    PLEDGING,
    RECLAIMED,
    REFUNDABLE,
    RELEASED,
    VOIDED,
    Transfer,
    pledge_transfer_id,
)

__all__ = ["HOME_GET_PLEDGE", "HOME_PLEDGE_VIEW", "RelaySteps", "decode_result",
           "error_record"]

#: Contract functions the relay calls: home ``bridge`` contract, partner ``wrapped``.
HOME_PLEDGE, HOME_RELEASE, HOME_RECLAIM = "pledge", "release", "reclaim"
HOME_GET_PLEDGE, HOME_PLEDGE_VIEW = "get_pledge", "pledge_view"
PARTNER_CLAIM, PARTNER_VOID, PARTNER_BURN = "claim", "void", "burn"
PARTNER_ORIGIN_VIEW, PARTNER_BURN_VIEW = "origin_view", "burn_view"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def decode_result(raw: bytes) -> Any:
    """A ledger result as JSON when it is JSON, else as text."""
    text = bytes(raw).decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def error_record(exc: DomainError) -> dict[str, Any]:
    return {**exc.to_dict(), "status": exc.http_status}


def _mismatch(message: dict[str, Any], record: dict[str, Any]) -> str | None:
    """The first field of the owner's message the ledger's record disagrees with."""
    return next((k for k, v in message.items() if record.get(k) != v), None)


class RelaySteps:
    """`home` (envalue's ``bridge`` contract) and `partner` (the partner ledger's
    ``wrapped`` contract), with the journal in `store`."""

    def __init__(self, home: LedgerAdapter, partner: LedgerAdapter, store: BridgeStore, *,
                 clock: Callable[[], datetime] = _utcnow) -> None:
        self.home = home
        self.partner = partner
        self.store = store
        self._clock = clock

    # -- journal -------------------------------------------------------------------------
    def _save(self, transfer: Transfer, state: str, *, step: str | None = None,
              result: Any = None, error: DomainError | None = None) -> Transfer:
        """Record a step's outcome; an event goes to the feed when the state changes."""
        steps = list(transfer.steps)
        if step is not None:
            entry = {"step": step, "at": self._clock().isoformat(), "state": state}
            if result is not None:
                entry["result"] = result
            if error is not None:
                entry["error"] = error_record(error)
            steps.append(entry)
        changed = state != transfer.state or transfer.version == 0
        event = {"transfer_id": transfer.transfer_id, "kind": transfer.kind, "state": state,
                 **{k: v for k, v in transfer.message.items() if k != "proof"}}
        if error is not None:
            event["error"] = error_record(error)
        updated = replace(transfer, state=state, steps=steps,
                          error=error_record(error) if error is not None else None)
        return self.store.save_transfer(updated, event=event if changed else None)

    def _start(self, transfer_id: str, kind: str, state: str, message: dict[str, Any]
               ) -> Transfer:
        transfer = Transfer(transfer_id, kind, state, message)
        return self._save(transfer, state)

    # -- steps ---------------------------------------------------------------------------
    async def _continue(self, transfer: Transfer) -> Transfer:
        if transfer.state == PLEDGING:
            transfer = await self._confirm_pledge(transfer)
        if transfer.state == PLEDGED:
            transfer = await self._claim(transfer)
        if transfer.state == VOIDED:
            transfer = await self._reclaim_home(transfer)
        if transfer.state == BURNING:
            transfer = await self._confirm_burn(transfer)
        if transfer.state == BURNED:
            transfer = await self._release(transfer)
        return transfer

    async def _tracked_pledge(self, pledge_id: str) -> Transfer:
        transfer = self.store.get_transfer(pledge_transfer_id(pledge_id))
        if transfer is not None:
            return transfer
        # made with the owner's own client: the home ledger must know it
        record = decode_result(await self.home.evaluate(HOME_GET_PLEDGE, pledge_id))
        status = record.get("status") if isinstance(record, dict) else None
        state = RECLAIMED if status == PLEDGE_RECLAIMED else PLEDGED
        transfer = Transfer(pledge_transfer_id(pledge_id), OUTBOUND, state,
                            {"pledge_id": pledge_id})
        return self._save(transfer, state, step="found-pledge", result=record)

    async def _pledge(self, transfer: Transfer, owner: LedgerAdapter | None) -> Transfer:
        if owner is None:
            return await self._confirm_pledge(transfer)
        try:
            result = await owner.submit(HOME_PLEDGE, transfer.message)
        except TRANSIENT:
            raise
        except DomainError as exc:  # refused while endorsing: nothing committed
            return self._save(transfer, FAILED, step=HOME_PLEDGE, error=exc)
        return self._save(transfer, PLEDGED, step=HOME_PLEDGE, result=decode_result(result))

    async def _confirm_pledge(self, transfer: Transfer) -> Transfer:
        """Whether the pledge committed at home (after a crash, or signed elsewhere)."""
        pledge_id = transfer.message["pledge_id"]
        try:
            record = decode_result(await self.home.evaluate(HOME_GET_PLEDGE, pledge_id))
        except NotFoundError as exc:
            return self._save(transfer, FAILED, step="confirm-pledge", error=exc)
        found = record if isinstance(record, dict) else {}
        wrong = _mismatch(transfer.message, found)
        if wrong is not None:
            error = ConflictError(wrong, transfer.message.get(wrong), "pledge-terms",
                                  f"the home ledger's pledge {pledge_id!r} has "
                                  f"{wrong}={found.get(wrong)!r}")
            return self._save(transfer, FAILED, step="confirm-pledge", error=error)
        return self._save(transfer, PLEDGED, step="confirm-pledge", result=record)

    async def _claim(self, transfer: Transfer) -> Transfer:
        pledge_id = transfer.message["pledge_id"]
        try:
            proof = await self.home.get_proof(HOME_PLEDGE_VIEW, pledge_id)
            result = await self.partner.submit(PARTNER_CLAIM, {
                "source_network": self.home.network_id, "proof": proof})
        except TRANSIENT:
            raise
        except DomainError as exc:
            if await self._origin_status(pledge_id) == ORIGIN_CLAIMED:  # before a crash
                return self._save(transfer, CLAIMED, step=PARTNER_CLAIM,
                                  result={"already": exc.message})
            return self._save(transfer, REFUNDABLE, step=PARTNER_CLAIM, error=exc)
        return self._save(transfer, CLAIMED, step=PARTNER_CLAIM, result=decode_result(result))

    async def _origin_status(self, pledge_id: str) -> str | None:
        """The partner's origin-index status of the pledge (None: no entry, or unknown)."""
        try:
            view = decode_view(await self.partner.evaluate(
                PARTNER_ORIGIN_VIEW, self.home.network_id, pledge_id))
        except TRANSIENT:
            raise
        except DomainError:
            return None
        status = view.record.get("status")
        return status if isinstance(status, str) else None

    async def _void(self, transfer: Transfer) -> Transfer:
        pledge_id = transfer.message["pledge_id"]
        try:
            proof = await self.home.get_proof(HOME_PLEDGE_VIEW, pledge_id)
            result = await self.partner.submit(PARTNER_VOID, {
                "source_network": self.home.network_id, "proof": proof})
        except TRANSIENT:
            raise
        except DomainError as exc:
            status = await self._origin_status(pledge_id)
            if status == ORIGIN_VOIDED:  # voided before a crash
                return self._save(transfer, VOIDED, step=PARTNER_VOID,
                                  result={"already": exc.message})
            if status == ORIGIN_CLAIMED:
                return self._save(transfer, CLAIMED, step=PARTNER_VOID, error=exc)
            return self._save(transfer, transfer.state, step=PARTNER_VOID, error=exc)
        return self._save(transfer, VOIDED, step=PARTNER_VOID, result=decode_result(result))

    async def _reclaim_home(self, transfer: Transfer) -> Transfer:
        pledge_id = transfer.message["pledge_id"]
        try:
            proof = await self.partner.get_proof(PARTNER_ORIGIN_VIEW, self.home.network_id,
                                                 pledge_id)
            result = await self.home.submit(HOME_RECLAIM, {"pledge_id": pledge_id,
                                                           "proof": proof})
        except TRANSIENT:
            raise
        except DomainError as exc:
            if await self._home_status(pledge_id) == PLEDGE_RECLAIMED:  # before a crash
                return self._save(transfer, RECLAIMED, step=HOME_RECLAIM,
                                  result={"already": exc.message})
            return self._save(transfer, VOIDED, step=HOME_RECLAIM, error=exc)
        return self._save(transfer, RECLAIMED, step=HOME_RECLAIM, result=decode_result(result))

    async def _home_status(self, pledge_id: str) -> str | None:
        """The home pledge's status (None: unknown)."""
        try:
            record = decode_result(await self.home.evaluate(HOME_GET_PLEDGE, pledge_id))
        except TRANSIENT:
            raise
        except DomainError:
            return None
        return record.get("status") if isinstance(record, dict) else None

    async def _burn(self, transfer: Transfer, owner: LedgerAdapter | None) -> Transfer:
        if owner is None:
            return await self._confirm_burn(transfer)
        try:
            result = await owner.submit(PARTNER_BURN, transfer.message)
        except TRANSIENT:
            raise
        except DomainError as exc:  # refused while endorsing: nothing committed
            return self._save(transfer, FAILED, step=PARTNER_BURN, error=exc)
        return self._save(transfer, BURNED, step=PARTNER_BURN, result=decode_result(result))

    async def _confirm_burn(self, transfer: Transfer) -> Transfer:
        """Whether the burn committed on the partner (after a crash, or signed elsewhere)."""
        burn_id = transfer.message["burn_id"]
        try:
            view = decode_view(await self.partner.evaluate(PARTNER_BURN_VIEW, burn_id))
        except NotFoundError as exc:
            return self._save(transfer, FAILED, step="confirm-burn", error=exc)
        record = dict(view.record)
        wrong = _mismatch(transfer.message, record)
        if wrong is not None:
            error = ConflictError(wrong, transfer.message.get(wrong), "burn-terms",
                                  f"the partner's burn {burn_id!r} has "
                                  f"{wrong}={record.get(wrong)!r}")
            return self._save(transfer, FAILED, step="confirm-burn", error=error)
        return self._save(transfer, BURNED, step="confirm-burn", result=record)

    async def _release(self, transfer: Transfer) -> Transfer:
        burn_id = transfer.message["burn_id"]
        try:
            proof = await self.partner.get_proof(PARTNER_BURN_VIEW, burn_id)
            result = await self.home.submit(HOME_RELEASE, {
                "partner_network": self.partner.network_id, "proof": proof})
        except TRANSIENT:
            raise
        except DomainError as exc:
            # the home contract has no query of its return index: the refusal's rule tells
            if exc.rule == "already-released":
                return self._save(transfer, RELEASED, step=HOME_RELEASE,
                                  result={"already": exc.message})
            return self._save(transfer, BURNED, step=HOME_RELEASE, error=exc)
        return self._save(transfer, RELEASED, step=HOME_RELEASE, result=decode_result(result))

