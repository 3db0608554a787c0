"""`ReadModelListener`: follow the channel's committed blocks into the read model.

Why blocks rather than the Gateway's chaincode-event stream: each projected transaction
needs its write set as well as its event (`records`), and the peer's Deliver service
gives both, per block, for valid transactions only. The SDK's block stream resumes from
the read model's own checkpoint (`checkpoint.ReadModelCheckpointer`), and each block's
rows and checkpoint commit in one database transaction, so a restart after any crash
neither skips nor repeats a transaction.

The listener signs as one of its org's enrolled readers (the auditor, else the
operator; `envalue.ledger.identities.enrolled_caller`), connects to the org's Gateway
peer where the portal and CLI find it (`envalue.ledger.peers.LedgerPeers`), learns the
channel height from qscc GetChainInfo, and reconnects with backoff when the transport
fails. When no peer exists it stops with the reason a person can act on
(`envalue.ledger.errors.LedgerUnavailableError`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
from sqlalchemy.orm import Session, sessionmaker

from envalue.chaincode.domain.errors import DomainError
from envalue.client import GatewayError, RetryPolicy, connect, create_channel
from envalue.ledger.errors import LedgerUnavailableError
from envalue.ledger.identities import Caller, enrolled_caller
from envalue.ledger.peers import LedgerPeers, PeerEndpoint
from envalue.network.settings import NetworkSettings
from envalue.network.topology import CHAINCODE_NAME, CHANNEL, Organization, org_by_key

from .blocks import block_records, chain_height
from .checkpoint import DEFAULT_NAME, ReadModelCheckpointer
from .projector import Projector
from .status import record_status

__all__ = ["BlockResult", "ReadModelListener", "default_reader"]

log = logging.getLogger("envalue.readmodel")

#: Transport failures worth reconnecting after; anything else is a refusal to report.
TRANSIENT = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                       grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.ABORTED,
                       grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN})
RECONNECT = RetryPolicy(max_attempts=2**31 - 1, initial_backoff=1.0, max_backoff=30.0)


@dataclass(frozen=True)
class BlockResult:
    """One block: its valid transactions of the chaincode, events applied and kept
    unprojected, and transactions or events skipped as already projected."""

    block_number: int
    transactions: int
    applied: int
    unprojected: int
    skipped: int


def default_reader(org: Organization) -> str:
    """The org's reader: its auditor, else its operator, else its first user."""
    for role in ("auditor", "operator"):
        for user in org.users:
            if user.role == role:
                return user.name
    if not org.users:
        raise LedgerUnavailableError(f"{org.msp_id} has no enrolled users to read with")
    return org.users[0].name


class ReadModelListener:
    """Projects the channel into the read model (see the module docstring)."""

    def __init__(self, sessions: sessionmaker[Session], settings: NetworkSettings | None, *,
                 org_key: str = "platform", user: str | None = None,
                 channel: str = CHANNEL, chaincode: str = CHAINCODE_NAME,
                 name: str = DEFAULT_NAME, projector: Projector | None = None,
                 unavailable_reason: str = "network settings are not known",
                 max_attempts: int | None = None, peers: LedgerPeers | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.sessions = sessions
        self.settings = settings
        self.org = org_by_key(org_key)
        self.user = user or default_reader(self.org)
        self.channel = channel
        self.chaincode = chaincode
        self.name = name
        self.projector = projector or Projector(channel=channel)
        self.checkpointer = ReadModelCheckpointer(sessions, name)
        self.peers = peers or LedgerPeers(settings, channel=channel, chaincode=chaincode,
                                          unavailable_reason=unavailable_reason)
        self.max_attempts = max_attempts  # consecutive failed connections (None: forever)
        self._sleep = sleep
        self._stopping = threading.Event()
        self._stream: Any = None

    # -- status ----------------------------------------------------------------------------
    def _status(self, state: str, detail: str = "", **values: Any) -> None:
        with self.sessions.begin() as session:
            record_status(session, self.name, state=state, detail=detail,
                          channel=self.channel, **values)

    # -- where and as whom ------------------------------------------------------------------
    def endpoint(self) -> tuple[PeerEndpoint, Caller]:
        """The org's Gateway peer and the reader identity; `LedgerUnavailableError` says
        why there is none (a `ValidationError` names a reader that is not enrolled)."""
        end = self.peers.endpoint(self.org.key)
        if end.problem:
            raise LedgerUnavailableError(end.problem)
        assert self.settings is not None  # no settings: endpoint() has a problem
        return end, enrolled_caller(self.settings, f"{self.org.key}:{self.user}", "user")

    # -- running ----------------------------------------------------------------------------
    def run(self, *, max_blocks: int | None = None) -> int:
        """Follow the channel until `stop()` (or `max_blocks` blocks); returns the blocks
        projected. Transport failures reconnect with backoff (`max_attempts` consecutive
        failures give up); a missing peer or identity raises `LedgerUnavailableError`."""
        done, attempt = 0, 0
        self._stopping.clear()
        while not self._stopping.is_set():
            try:
                end, caller = self.endpoint()
            except LedgerUnavailableError as exc:
                self._status("unavailable", exc.reason)
                raise
            except DomainError as exc:  # the reader identity is not enrolled
                self._status("failed", str(exc))
                raise
            try:
                for _ in self._follow(end, caller):
                    done, attempt = done + 1, 0
                    if max_blocks is not None and done >= max_blocks:
                        self.stop()
                        break
                else:
                    if not self._stopping.is_set():
                        raise GatewayError("the peer ended the block stream",
                                           code=grpc.StatusCode.UNAVAILABLE)
            except GatewayError as exc:
                if self._stopping.is_set():
                    break
                if exc.code not in TRANSIENT:
                    self._status("failed", str(exc))
                    raise
                attempt += 1
                if self.max_attempts is not None and attempt >= self.max_attempts:
                    state = self.peers.status(self.org.key)  # names what is missing
                    reason = (state.reason if not state.available
                              else f"peer {end.host} at {end.target}: {exc.message}")
                    reason += f" ({attempt} attempts to follow its blocks failed)"
                    self._status("unavailable", reason)
                    raise LedgerUnavailableError(reason) from exc
                delay = RECONNECT.backoff(min(attempt, 16))
                log.warning("read model: %s; reconnecting in %.1fs", exc, delay)
                self._status("reconnecting", f"{exc} (attempt {attempt}, next in {delay:.1f}s)")
                self._sleep(delay)
            except KeyboardInterrupt:
                self._status("stopped", f"interrupted after {done} blocks")
                raise
        self._status("stopped", f"stopped after {done} blocks")
        return done

    def stop(self) -> None:
        """Ask `run` to return (closes the open block stream)."""
        self._stopping.set()
        stream = self._stream
        if stream is not None:
            stream.close()

    def _follow(self, end: PeerEndpoint, caller: Caller) -> Iterator[BlockResult]:
        """Connect, learn the height, and project blocks as they arrive."""
        channel = create_channel(end.target, tls_root_cert=end.tls_root,
                                 ssl_target_name_override=end.host)
        try:
            with connect(caller.identity, client=channel, signer=caller.signer) as gateway:
                network = gateway.get_network(self.channel)
                info = network.get_contract("qscc").evaluate_transaction("GetChainInfo",
                                                                         self.channel)
                self._status("running", "", peer=end.target, height=chain_height(info))
                # from the checkpoint; a read model that never ran starts at the genesis block
                with network.get_block_events(start_block=0,
                                              checkpoint=self.checkpointer) as stream:
                    self._stream = stream
                    for block in stream:
                        yield self.project_block(block)
        finally:
            self._stream = None
            channel.close()

    # -- one block, one database transaction ----------------------------------------------
    def project_block(self, block: Any) -> BlockResult:
        """Project `block` and advance the checkpoint past it, atomically."""
        number = int(block.header.number)
        records = block_records(block, self.chaincode)
        next_block = self.checkpointer.block_number
        if next_block is not None and number < next_block:  # already projected
            return BlockResult(number, len(records), 0, 0, len(records))
        resume_after = self.checkpointer.transaction_id if next_block == number else None
        ids = [r.transaction_id for r in records]
        start = ids.index(resume_after) + 1 if resume_after in ids else 0
        applied = unprojected = 0
        skipped = start
        with self.checkpointer.unit_of_work() as session:
            for record in records[start:]:
                result = self.projector.apply(session, record)
                applied += result.applied
                unprojected += result.unprojected
                skipped += result.skipped
            self.checkpointer.checkpoint_block(number)
            record_status(session, self.name, height=number + 1)
        return BlockResult(number, len(records), applied, unprojected, skipped)
