"""A smart contract (chaincode, optionally a named contract in it) on a channel.

``submit_transaction`` is a thin wrapper: new proposal → endorse → submit → commit status,
raising :class:`~envalue.client.errors.CommitError` when the transaction is not VALID.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence

from fabric_protos.gateway import gateway_pb2

from ._context import Context
from .commit import AsyncSubmittedTransaction, SubmittedTransaction
from .errors import CommitError
from .proposal import Arg, AsyncProposal, Proposal, build_proposal
from .retry import RetryPolicy

__all__ = ["AsyncContract", "Contract"]

logger = logging.getLogger("envalue.client")


class _ContractBase:
    def __init__(self, ctx: Context, channel_name: str, chaincode_name: str,
                 contract_name: str | None = None) -> None:
        if not chaincode_name:
            raise ValueError("chaincode_name is required")
        self._ctx = ctx
        self._channel_name = channel_name
        self._chaincode_name = chaincode_name
        self._contract_name = contract_name or None

    @property
    def chaincode_name(self) -> str:
        return self._chaincode_name

    @property
    def contract_name(self) -> str | None:
        return self._contract_name

    def _qualified(self, name: str) -> str:
        if not name:
            raise ValueError("transaction name is required")
        return f"{self._contract_name}:{name}" if self._contract_name else name

    def _build(self, name: str, arguments: Sequence[Arg],
               transient_data: Mapping[str, Arg] | None,
               endorsing_organizations: Sequence[str] | None
               ) -> gateway_pb2.ProposedTransaction:
        return build_proposal(
            creator=self._ctx.creator, channel_name=self._channel_name,
            chaincode_name=self._chaincode_name, transaction_name=self._qualified(name),
            arguments=arguments, transient_data=transient_data,
            endorsing_organizations=endorsing_organizations,
        )

    def _log_retry(self, err: CommitError, attempt: int, delay: float) -> None:
        logger.info("retrying transaction after commit failure", extra={
            "tx_id": err.transaction_id, "validation_code": err.code_name,
            "attempt": attempt, "delay_s": round(delay, 3), "chaincode": self._chaincode_name})


class Contract(_ContractBase):
    """Contract over a blocking channel."""

    def new_proposal(self, name: str, *, arguments: Sequence[Arg] = (),
                     transient_data: Mapping[str, Arg] | None = None,
                     endorsing_organizations: Sequence[str] | None = None) -> Proposal:
        """Build an (unsigned until used) proposal for transaction function ``name``."""
        proposed = self._build(name, arguments, transient_data, endorsing_organizations)
        return Proposal(self._ctx, proposed, self._channel_name)

    def evaluate(self, name: str, *, arguments: Sequence[Arg] = (),
                 transient_data: Mapping[str, Arg] | None = None,
                 endorsing_organizations: Sequence[str] | None = None,
                 timeout: float | None = None) -> bytes:
        """Query: run ``name`` on a peer (of ``endorsing_organizations`` if given)."""
        return self.new_proposal(name, arguments=arguments, transient_data=transient_data,
                                 endorsing_organizations=endorsing_organizations
                                 ).evaluate(timeout=timeout)

    def evaluate_transaction(self, name: str, *args: Arg) -> bytes:
        """Shorthand for :meth:`evaluate` with positional arguments."""
        return self.evaluate(name, arguments=args)

    def submit_async(self, name: str, *, arguments: Sequence[Arg] = (),
                     transient_data: Mapping[str, Arg] | None = None,
                     endorsing_organizations: Sequence[str] | None = None
                     ) -> SubmittedTransaction:
        """Endorse and submit, returning before the commit; ``.get_status()`` waits."""
        proposal = self.new_proposal(name, arguments=arguments, transient_data=transient_data,
                                     endorsing_organizations=endorsing_organizations)
        return proposal.endorse().submit()

    def submit(self, name: str, *, arguments: Sequence[Arg] = (),
               transient_data: Mapping[str, Arg] | None = None,
               endorsing_organizations: Sequence[str] | None = None,
               retry: RetryPolicy | None = None) -> bytes:
        """Endorse, submit and wait for a VALID commit; returns the transaction result.

        With ``retry``, a commit failing with a code in ``retry.retry_on`` is run again as a
        new transaction after a backoff, up to ``retry.max_attempts`` attempts in total.
        """
        attempt = 1
        while True:
            submitted = self.submit_async(name, arguments=arguments,
                                          transient_data=transient_data,
                                          endorsing_organizations=endorsing_organizations)
            status = submitted.get_status()
            try:
                status.raise_for_status()
            except CommitError as err:
                if retry is None or not retry.should_retry(err.code_name, attempt):
                    raise
                delay = retry.backoff(attempt)
                self._log_retry(err, attempt, delay)
                time.sleep(delay)
                attempt += 1
                continue
            return submitted.result

    def submit_transaction(self, name: str, *args: Arg,
                           retry: RetryPolicy | None = None) -> bytes:
        """Shorthand for :meth:`submit` with positional arguments."""
        return self.submit(name, arguments=args, retry=retry)


class AsyncContract(_ContractBase):
    """Contract over a ``grpc.aio`` channel; same methods, as coroutines."""

    def new_proposal(self, name: str, *, arguments: Sequence[Arg] = (),
                     transient_data: Mapping[str, Arg] | None = None,
                     endorsing_organizations: Sequence[str] | None = None) -> AsyncProposal:
        """Build an (unsigned until used) proposal for transaction function ``name``."""
        proposed = self._build(name, arguments, transient_data, endorsing_organizations)
        return AsyncProposal(self._ctx, proposed, self._channel_name)

    async def evaluate(self, name: str, *, arguments: Sequence[Arg] = (),
                       transient_data: Mapping[str, Arg] | None = None,
                       endorsing_organizations: Sequence[str] | None = None,
                       timeout: float | None = None) -> bytes:
        """Query: run ``name`` on a peer (of ``endorsing_organizations`` if given)."""
        proposal = self.new_proposal(name, arguments=arguments, transient_data=transient_data,
                                     endorsing_organizations=endorsing_organizations)
        return await proposal.evaluate(timeout=timeout)

    async def evaluate_transaction(self, name: str, *args: Arg) -> bytes:
        """Shorthand for :meth:`evaluate` with positional arguments."""
        return await self.evaluate(name, arguments=args)

    async def submit_async(self, name: str, *, arguments: Sequence[Arg] = (),
                           transient_data: Mapping[str, Arg] | None = None,
                           endorsing_organizations: Sequence[str] | None = None
                           ) -> AsyncSubmittedTransaction:
        """Endorse and submit, returning before the commit; ``await .get_status()`` waits."""
        proposal = self.new_proposal(name, arguments=arguments, transient_data=transient_data,
                                     endorsing_organizations=endorsing_organizations)
        transaction = await proposal.endorse()
        return await transaction.submit()

    async def submit(self, name: str, *, arguments: Sequence[Arg] = (),
                     transient_data: Mapping[str, Arg] | None = None,
                     endorsing_organizations: Sequence[str] | None = None,
                     retry: RetryPolicy | None = None) -> bytes:
        """Endorse, submit and wait for a VALID commit; see :meth:`Contract.submit`."""
        attempt = 1
        while True:
            submitted = await self.submit_async(
                name, arguments=arguments, transient_data=transient_data,
                endorsing_organizations=endorsing_organizations)
            status = await submitted.get_status()
            try:
                status.raise_for_status()
            except CommitError as err:
                if retry is None or not retry.should_retry(err.code_name, attempt):
                    raise
                delay = retry.backoff(attempt)
                self._log_retry(err, attempt, delay)
                await asyncio.sleep(delay)
                attempt += 1
                continue
            return submitted.result

    async def submit_transaction(self, name: str, *args: Arg,
                                 retry: RetryPolicy | None = None) -> bytes:
        """Shorthand for :meth:`submit` with positional arguments."""
        return await self.submit(name, arguments=args, retry=retry)
