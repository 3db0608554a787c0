"""Distribution statements: how the proceeds of a credit sale are split among contributors.

Weights are each contributor's exact credited kg in the batch (`Share.kg`); the yen are
split with `allocation.split_pro_rata`: floor of each exact share, then the remaining yen
one each to the largest remainders, ties broken by contributor key (ascending).
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.state import load

from .allocation import split_pro_rata
from .state import BATCH, SHARE, Batch, Share

__all__ = ["ROUNDING_RULE", "DistributionLine", "DistributionStatement", "distribution_statement"]

ROUNDING_RULE = (
    "each contributor receives floor(proceeds x share_kg / credited_kg) yen; the remaining "
    "yen go one each to the largest remainders, ties broken by contributor key ascending"
)


@dataclass(frozen=True)
class DistributionLine:
    owner: str
    share_kg: int
    yen: int


@dataclass(frozen=True)
class DistributionStatement:
    batch_id: str
    proceeds_yen: int
    credited_kg: int
    lines: tuple[DistributionLine, ...]
    rounding_rule: str = ROUNDING_RULE

    def to_dict(self) -> dict[str, object]:
        return {"batch_id": self.batch_id, "proceeds_yen": self.proceeds_yen,
                "credited_kg": self.credited_kg, "rounding_rule": self.rounding_rule,
                "lines": [{"owner": x.owner, "share_kg": x.share_kg, "yen": x.yen}
                          for x in self.lines]}


async def distribution_statement(store: Store, batch_id: str,
                                 proceeds_yen: int) -> DistributionStatement:
    """Split `proceeds_yen` over the batch's contributors (the batch must be settled)."""
    batch = await load(store, Batch, composite_key(BATCH, batch_id), "batch_id", batch_id)
    if not batch.settled:
        raise ConflictError("batch_id", batch_id, "settled",
                            f"batch {batch_id!r} is not settled yet: contributors' shares are "
                            "still being written")
    shares = {s.owner: s.kg for s in
              [Share.from_bytes(raw) async for _, raw in store.scan(SHARE, batch_id)]}
    yen = split_pro_rata(proceeds_yen, shares)
    lines = tuple(DistributionLine(owner, shares[owner], yen[owner]) for owner in sorted(shares))
    return DistributionStatement(batch_id, proceeds_yen, sum(shares.values()), lines)
