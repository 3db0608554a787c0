"""The bridge service: drives pledges, claims, returns and reclaims across two ledgers.

Written against `LedgerAdapter` only: `home` and `partner` act as the relay's own
identities (role ``bridge``), and an operation that only the owner may sign (a pledge at
home, a burn on the partner) takes an adapter acting as that owner, or none when the
owner committed it with their own client, in which case the relay checks the ledger for
it. Messages are the chaincode's own dataclasses, validated with its own `validate`.

Every step is saved in the journal (`transfers`, `store`) before the next ledger call:

    create_pledge   pledging → pledged → claimed | refundable
    submit_claim              pledged → claimed | refundable
    reclaim         pledged | refundable → voided → reclaimed
    submit_return   burning → burned → released

A refusal by a ledger is recorded on the transfer (`Transfer.error`) and moves it on where
the protocol says so (a refused claim makes the pledge refundable); an unreachable ledger
or a read conflict (`adapters.TRANSIENT`) leaves it where it was. `resume_pending`
continues every transfer left in a pending state by a crash or an outage, once: a
repeated step is recognised by the ledger's state where a query shows it (the partner's
origin index for claims and voids, the home pledge's status for reclaims, the records
themselves for pledges and burns) and otherwise by the once-index's refusal
(``already-released``). A record is taken as absent only on `NotFoundError`, never on
an ambiguous refusal, so a transfer is never failed by mistake.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from typing import Any

from envalue.chaincode.domain.bridge import msg_pledge
from envalue.chaincode.domain.bridge.msg_pledge import MsgPledge
from envalue.chaincode.domain.errors import (
    ConflictError,
    DomainError,
    ValidationError,
)
from envalue.chaincode.domain.tokens.rules import require_id
from envalue.chaincode.domain.wrapped import msg_burn
from envalue.chaincode.domain.wrapped.msg_burn import MsgBurn

from .adapters import TRANSIENT, LedgerAdapter
from .steps import HOME_GET_PLEDGE, HOME_PLEDGE_VIEW, RelaySteps, decode_result, error_record
from .store import FeedEvent
from .transfers import (
    BURNED,
    BURNING,
    CLAIMED,
    FAILED,
    OUTBOUND,
    PLEDGED,
    PLEDGING,
    REFUNDABLE,
    RETURN,
    VOIDED,
    Transfer,
    burn_transfer_id,
    pledge_transfer_id,
)

__all__ = ["BridgeRelay"]

logger = logging.getLogger("envalue.bridge")


class BridgeRelay(RelaySteps):
    """The relay's operations (see the module docstring); steps in `steps.RelaySteps`."""

    async def create_pledge(self, msg: MsgPledge, owner: LedgerAdapter | None = None
                            ) -> Transfer:
        """Pledge `msg` at home (signed by `owner`, or already committed by the owner),
        then claim it on the partner."""
        msg_pledge.validate(msg)
        if msg.target_network != self.partner.network_id:
            raise ValidationError("target_network", msg.target_network, "relayed-network",
                                  f"this bridge service relays to "
                                  f"{self.partner.network_id!r} only")
        message = asdict(msg)
        tid = pledge_transfer_id(msg.pledge_id)
        transfer = self.store.get_transfer(tid)
        if transfer is None:
            transfer = self._start(tid, OUTBOUND, PLEDGING, message)
        elif transfer.message != message and set(transfer.message) != {"pledge_id"}:
            raise ConflictError("pledge_id", msg.pledge_id, "unique",
                                f"pledge {msg.pledge_id!r} was requested with other terms")
        elif transfer.state == FAILED:  # it never committed: try again
            transfer = self._save(replace(transfer, message=message), PLEDGING)
        if transfer.state == PLEDGING:
            transfer = await self._pledge(transfer, owner)
        if transfer.state == PLEDGED:
            transfer = await self._claim(transfer)
        return transfer

    async def fetch_proof(self, pledge_id: str) -> dict[str, Any]:
        """A proof of the pledge's home view, endorsed by enough envalue orgs."""
        require_id(pledge_id, "pledge_id")
        return await self.home.get_proof(HOME_PLEDGE_VIEW, pledge_id)

    async def submit_claim(self, pledge_id: str) -> Transfer:
        """Claim a committed pledge on the partner (a pledge made elsewhere is tracked
        from here on)."""
        require_id(pledge_id, "pledge_id")
        transfer = await self._tracked_pledge(pledge_id)
        if transfer.state in (PLEDGING, PLEDGED):
            if transfer.state == PLEDGING:
                transfer = await self._confirm_pledge(transfer)
            if transfer.state == PLEDGED:
                transfer = await self._claim(transfer)
        return transfer

    async def reclaim(self, pledge_id: str) -> Transfer:
        """After expiry: void the unclaimed pledge on the partner, then reclaim it at home."""
        require_id(pledge_id, "pledge_id")
        transfer = await self._tracked_pledge(pledge_id)
        if transfer.state == CLAIMED:
            raise ConflictError("pledge_id", pledge_id, "already-claimed",
                                f"pledge {pledge_id!r} was claimed on "
                                f"{self.partner.network_id!r}; it cannot be reclaimed")
        if transfer.state in (PLEDGING, FAILED):
            raise ConflictError("pledge_id", pledge_id, "not-pledged",
                                f"pledge {pledge_id!r} is {transfer.state}, not pledged")
        if transfer.state in (PLEDGED, REFUNDABLE):
            transfer = await self._void(transfer)
        if transfer.state == VOIDED:
            transfer = await self._reclaim_home(transfer)
        return transfer

    async def submit_return(self, msg: MsgBurn, owner: LedgerAdapter | None = None
                            ) -> Transfer:
        """Burn wrapped units on the partner (signed by `owner`, or already burned by the
        owner), then release the same units at home."""
        msg_burn.validate(msg)
        if msg.source_network != self.home.network_id:
            raise ValidationError("source_network", msg.source_network, "relayed-network",
                                  f"this bridge service returns units to "
                                  f"{self.home.network_id!r} only")
        message = asdict(msg)
        tid = burn_transfer_id(self.partner.network_id, msg.burn_id)
        transfer = self.store.get_transfer(tid)
        if transfer is None:
            transfer = self._start(tid, RETURN, BURNING, message)
        elif transfer.message != message:
            raise ConflictError("burn_id", msg.burn_id, "unique",
                                f"burn {msg.burn_id!r} was requested with other terms")
        elif transfer.state == FAILED:
            transfer = self._save(transfer, BURNING)
        if transfer.state == BURNING:
            transfer = await self._burn(transfer, owner)
        if transfer.state == BURNED:
            transfer = await self._release(transfer)
        return transfer

    async def status(self, pledge_id: str) -> dict[str, Any]:
        """The pledge as the home ledger holds it, and the relay's transfer of it."""
        require_id(pledge_id, "pledge_id")
        transfer = self.store.get_transfer(pledge_transfer_id(pledge_id))
        answer: dict[str, Any] = {"pledge_id": pledge_id, "ledger": None, "transfer": None}
        if transfer is not None:
            answer["transfer"] = transfer.to_dict()
        try:
            answer["ledger"] = decode_result(await self.home.evaluate(HOME_GET_PLEDGE, pledge_id))
        except TRANSIENT:
            raise
        except DomainError as exc:
            if transfer is None:
                raise
            answer["ledger_error"] = error_record(exc)
        return answer

    def events(self, after: int = 0, limit: int = 100) -> list[FeedEvent]:
        return self.store.events_after(after, limit)

    async def resume_pending(self) -> list[Transfer]:
        """Continue every transfer a crash or an outage left pending; each is advanced
        until it completes, becomes refundable or fails, or its ledger is unreachable."""
        resumed = []
        for transfer in self.store.pending_transfers():
            try:
                resumed.append(await self._continue(transfer))
            except Exception as exc:  # unreachable ledger, concurrent run …: stays pending
                logger.warning("bridge transfer %s stays %s: %s", transfer.transfer_id,
                               transfer.state, exc)
        return resumed
