"""The token ledger from a client: transfer, retire, escrow, cancel, history, supply audit.

Each operation has a pure ``*_call`` builder (the chaincode's own message dataclass,
checked with its module's ``validate``, encoded for ``contracts/tokens.py``) and a domain
function that submits or evaluates it in a `LedgerSession`. The owner of what moves
defaults to the session's caller; the chaincode checks again that only the owner moves a
holding, so passing someone else's key only earns a clear rejection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from envalue.chaincode.domain.quantity import loads
from envalue.chaincode.domain.tokens import (
    msg_approve_cancel,
    msg_escrow,
    msg_release,
    msg_request_cancel,
    msg_retire,
    msg_transfer,
)
from envalue.chaincode.domain.tokens.invariants import LotAudit, SupplyAudit
from envalue.chaincode.domain.tokens.msg_escrow import MsgEscrow
from envalue.chaincode.domain.tokens.msg_release import MsgRelease
from envalue.chaincode.domain.tokens.msg_request_cancel import MsgRequestCancel
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire, RetirementInfo
from envalue.chaincode.domain.tokens.msg_transfer import MsgTransfer, TransferItem
from envalue.chaincode.domain.tokens.rules import require_id, require_owner_key
from envalue.chaincode.domain.tokens.state import HistoryEntry, Holding

from .messages import LedgerCall, TxResult, query_call, submit_call
from .session import LedgerSession

__all__ = [
    "RetirementInfo",
    "TransferItem",
    "approve_cancel",
    "approve_cancel_call",
    "audit_call",
    "escrow_call",
    "escrow_tokens",
    "history_call",
    "holding_call",
    "lot_holding",
    "release_call",
    "release_escrow",
    "request_cancel",
    "request_cancel_call",
    "retire_call",
    "retire_tokens",
    "supply_audit",
    "token_history",
    "transfer_call",
    "transfer_tokens",
]

TOKENS = "tokens"


# -- builders: message in, validated call out -------------------------------------------
def transfer_call(owner: str, items: Sequence[TransferItem]) -> LedgerCall[Any]:
    return submit_call(TOKENS, "transfer", MsgTransfer(owner, tuple(items)),
                       msg_transfer.validate)


def retire_call(owner: str, lot_id: str, quantity_kg: int,
                info: RetirementInfo) -> LedgerCall[Any]:
    return submit_call(TOKENS, "retire", MsgRetire(owner, lot_id, quantity_kg, info),
                       msg_retire.validate)


def escrow_call(escrow_id: str, owner: str, lot_id: str, counterparty: str,
                quantity_kg: int, expires_at: str) -> LedgerCall[Any]:
    message = MsgEscrow(escrow_id, owner, lot_id, counterparty, quantity_kg, expires_at)
    return submit_call(TOKENS, "escrow", message, msg_escrow.validate)


def release_call(escrow_id: str, action: str = "release") -> LedgerCall[Any]:
    return submit_call(TOKENS, "release", MsgRelease(escrow_id, action), msg_release.validate)


def request_cancel_call(request_id: str, lot_id: str, owner: str, quantity_kg: int,
                        reason: str) -> LedgerCall[Any]:
    message = MsgRequestCancel(request_id, lot_id, owner, quantity_kg, reason)
    return submit_call(TOKENS, "request_cancel", message, msg_request_cancel.validate)


def approve_cancel_call(request_id: str) -> LedgerCall[Any]:
    return submit_call(TOKENS, "approve_cancel",
                       msg_approve_cancel.MsgApproveCancel(request_id),
                       msg_approve_cancel.validate)


def _history(raw: bytes) -> list[HistoryEntry]:
    return [HistoryEntry.from_dict(e) for e in loads(raw)]


def _audit(raw: bytes) -> SupplyAudit:
    lots = [LotAudit(**{k: v for k, v in lot.items() if k != "balanced"})
            for lot in loads(raw)["lots"]]
    return SupplyAudit(lots)


def history_call(lot_id: str, owner: str = "") -> LedgerCall[list[HistoryEntry]]:
    require_id(lot_id, "lot_id")
    if owner:
        require_owner_key(owner, "owner")
    return query_call(TOKENS, "history", lot_id, owner, decode=_history)


def audit_call(lot_id: str = "") -> LedgerCall[SupplyAudit]:
    """Supply audit of one lot, or of the whole ledger when `lot_id` is empty."""
    if lot_id:
        require_id(lot_id, "lot_id")
    return query_call(TOKENS, "audit", lot_id, decode=_audit)


def holding_call(lot_id: str, owner: str) -> LedgerCall[Holding]:
    require_id(lot_id, "lot_id")
    require_owner_key(owner, "owner")
    return query_call(TOKENS, "holding", lot_id, owner,
                      decode=lambda raw: Holding.from_dict(loads(raw)))


# -- domain functions: one transaction or query each ------------------------------------
def transfer_tokens(session: LedgerSession, items: Sequence[TransferItem], *,
                    owner: str | None = None) -> TxResult:
    """Move tradable units (several lots and recipients in one transaction); an item with
    `retire` set arrives retired in the recipient's name (transfer-and-retire)."""
    return session.submit(transfer_call(owner or session.owner_key, items))


def retire_tokens(session: LedgerSession, lot_id: str, quantity_kg: int,
                  info: RetirementInfo, *, owner: str | None = None) -> TxResult:
    """Retire units for a beneficiary and purpose; `EventRetire` carries the serial range."""
    return session.submit(retire_call(owner or session.owner_key, lot_id, quantity_kg, info))


def escrow_tokens(session: LedgerSession, escrow_id: str, lot_id: str, counterparty: str,
                  quantity_kg: int, expires_at: str, *, owner: str | None = None) -> TxResult:
    """Set units aside for `counterparty` until `expires_at` (ISO 8601 with offset)."""
    return session.submit(escrow_call(escrow_id, owner or session.owner_key, lot_id,
                                      counterparty, quantity_kg, expires_at))


def release_escrow(session: LedgerSession, escrow_id: str, *, settle: bool = False) -> TxResult:
    """Close an escrow: back to the owner, or (`settle`) delivered to the counterparty."""
    return session.submit(release_call(escrow_id, "settle" if settle else "release"))


def request_cancel(session: LedgerSession, request_id: str, lot_id: str, owner: str,
                   quantity_kg: int, reason: str) -> TxResult:
    """First half of an administrative cancellation (Platform operator or verifier)."""
    return session.submit(request_cancel_call(request_id, lot_id, owner, quantity_kg, reason))


def approve_cancel(session: LedgerSession, request_id: str) -> TxResult:
    """Second half, by the other authority: the units become ``cancelled``."""
    return session.submit(approve_cancel_call(request_id))


def token_history(session: LedgerSession, lot_id: str, owner: str = "") -> list[HistoryEntry]:
    """Every change to a lot's holdings (or to one owner's), in time order."""
    return session.evaluate(history_call(lot_id, owner))


def supply_audit(session: LedgerSession, lot_id: str = "") -> SupplyAudit:
    """The supply equation checked from committed state, per lot and in total."""
    return session.evaluate(audit_call(lot_id))


def lot_holding(session: LedgerSession, lot_id: str, owner: str | None = None) -> Holding:
    """One owner's balances of a lot, by state (default: the caller's)."""
    return session.evaluate(holding_call(lot_id, owner or session.owner_key))
