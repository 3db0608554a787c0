"""Opt-in retry of transactions that fail validation with a read conflict.

An MVCC_READ_CONFLICT means another transaction changed a key this one read between
endorsement and commit; running the whole transaction again (new proposal, new tx id)
usually succeeds. Retrying is only safe for transaction functions that are correct to run
again, so it is never done unless a :class:`RetryPolicy` is passed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

__all__ = ["RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter.

    ``max_attempts`` counts the first try. Delay before retry *k* (1-based) is a random
    value in ``[0, min(max_backoff, initial_backoff * multiplier**(k-1))]``.
    """

    max_attempts: int = 5
    initial_backoff: float = 0.1
    max_backoff: float = 2.0
    multiplier: float = 2.0
    retry_on: frozenset[str] = field(
        default_factory=lambda: frozenset({"MVCC_READ_CONFLICT", "PHANTOM_READ_CONFLICT"})
    )

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.initial_backoff < 0 or self.max_backoff < 0 or self.multiplier < 1:
            raise ValueError("backoff values must be non-negative and multiplier >= 1")

    def should_retry(self, code_name: str, attempt: int) -> bool:
        """True if a failure with ``code_name`` on attempt ``attempt`` (1-based) is retried."""
        return code_name in self.retry_on and attempt < self.max_attempts

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based)."""
        cap = min(self.max_backoff, self.initial_backoff * self.multiplier ** (attempt - 1))
        return (rng or random).uniform(0, cap)
