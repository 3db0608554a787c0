"""Which token lots may be bundled into a program's monitoring report.

A holding ``lot_id@owner`` is eligible when

1. the lot's site is enrolled in the program;
2. the lot's methodology (or ``methodology:version``) is allowed by the program;
3. the lot's vintage lies inside the report's monitoring period;
4. the meters behind the lot had valid verification (`MeterCheck`; by default the
   ``meters_valid`` flag recorded on the lot at mint, or a lookup the registry supplies);
5. the holding has tradable units (not already bundled, retired, escrowed or cancelled)
   and is not already a member of this report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.state import Lot

from .state import SITE, Program, Report

__all__ = ["MeterCheck", "check_lot", "recorded_meter_flag"]

#: ``await check(store, lot)`` → whether the lot's meters were verified for its vintage.
MeterCheck = Callable[[Store, Lot], Awaitable[bool]]


async def recorded_meter_flag(store: Store, lot: Lot) -> bool:
    """The default `MeterCheck`: the flag the measurement side recorded at mint."""
    return lot.meters_valid


async def check_lot(store: Store, program: Program, report: Report, lot: Lot, field: str,
                    meters_valid: MeterCheck) -> None:
    """Raise a ConflictError naming the rule the lot breaks (rules 1–4 above)."""
    if await store.get(composite_key(SITE, program.program_id, lot.site_id)) is None:
        raise ConflictError(field, lot.lot_id, "site-enrolled",
                            f"lot {lot.lot_id!r} comes from site {lot.site_id!r}, which is not "
                            f"enrolled in program {program.program_id!r}")
    if not program.allows(lot.methodology, lot.methodology_version):
        raise ConflictError(field, lot.lot_id, "methodology-allowed",
                            f"lot {lot.lot_id!r} uses {lot.methodology} "
                            f"{lot.methodology_version}, not allowed by program "
                            f"{program.program_id!r} ({', '.join(program.methodologies)})")
    if lot.vintage_start < report.period_start or lot.vintage_end > report.period_end:
        raise ConflictError(field, lot.lot_id, "vintage-in-period",
                            f"lot {lot.lot_id!r} vintage {lot.vintage_start}..{lot.vintage_end}"
                            f" is not inside the monitoring period {report.period_start}.."
                            f"{report.period_end}")
    if not await meters_valid(store, lot):
        raise ConflictError(field, lot.lot_id, "meter-verification",
                            f"lot {lot.lot_id!r}: meter verification of its equipment "
                            f"{lot.equipment_id!r} is not valid for the vintage")
