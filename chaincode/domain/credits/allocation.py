"""Pure arithmetic of credit generation: FIFO crediting and pro-rata splits.

Conservative rounding: credits are whole t-CO2, floored; nothing is ever rounded up.
"""

from __future__ import annotations

from collections.abc import Mapping

from envalue.chaincode.domain.errors import ValidationError

__all__ = ["KG_PER_T", "credited_kg", "issue_tonnes", "split_pro_rata"]

KG_PER_T = 1000


def issue_tonnes(pool_kg: int) -> tuple[int, int]:
    """Whole tonnes issued from a pool and the sub-tonne remainder carried forward."""
    return divmod(pool_kg, KG_PER_T)


def credited_kg(start: int, kg: int, cut: int) -> int:
    """How much of a pool segment ``[start, start + kg)`` lies before `cut` (FIFO)."""
    return max(0, min(kg, cut - start))


def split_pro_rata(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split the integer `total` over `weights` pro rata, exactly.

    Rule: each key first gets ``floor(total × w / W)``; the yen (or units) left over —
    fewer than the number of keys — go one each to the keys with the largest remainders
    ``(total × w) mod W``, ties broken by key in ascending order. The parts sum to
    `total`, none is negative, and no part differs from its exact share by 1 or more.
    """
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValidationError("proceeds_yen", total, "non-negative-integer",
                              f"{total!r} is not a whole, non-negative number of yen")
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        raise ValidationError("weights", weight_sum, "positive", "no positive weight to split by")
    parts: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for key, weight in weights.items():
        share, rest = divmod(total * weight, weight_sum)
        parts[key] = share
        remainders.append((rest, key))
    left = total - sum(parts.values())
    for _, key in sorted(remainders, key=lambda r: (-r[0], r[1]))[:left]:
        parts[key] += 1
    return parts
