"""Steps both scenarios are made of: the registry's genesis, grid-factor governance, and
the chain from a registered, metered equipment to a minted lot.

Grid factors: the built-in ``jp-grid`` entries carry no value (the reference gives only a
published range), so a calculation needs governance to register one first: proposed by
the Platform operator, approved by the operator and a verifier (two parties), as
version 2 of a built-in fiscal year (version 1 of any other year). The value is a
scenario parameter (`GridValue`); the default is the lower bound of the range the
reference gives for FY2023-2024 (conservative: the smaller factor credits less), and only
for those years. Any other year needs an explicit value.

Output names handed between steps: ``calc:<name>`` (calculation id, chosen by the ledger
from the transaction id) and ``kg:<name>`` (the minted lot's quantity).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.factors import GRID_FACTOR_SET
from envalue.chaincode.domain.measurement.header import BatchHeader
from envalue.chaincode.domain.measurement.msg_mint import vintage_of
from envalue.chaincode.domain.measurement.signature import public_key_pem
from envalue.chaincode.domain.merkle import format_timestamp
from envalue.chaincode.domain.registry.fields import parse_timestamp
from envalue.chaincode.domain.registry.msg_bootstrap import GRID_SERIES
from envalue.chaincode.domain.registry.state import VALIDITY_TZ
from envalue.chaincode.domain.tokens.state import HistoryEntry
from envalue.edge.signing import load_or_create_key
from envalue.ledger import measurement, registry, tokens
from envalue.ledger.errors import LedgerRejection
from envalue.ledger.messages import TxResult

from .identities import OPERATOR, VERIFIER, msp_of
from .steps import Deferred, Probe, Step

__all__ = [
    "DEFAULT_GRID",
    "DeviceKeys",
    "GridValue",
    "anchor_step",
    "device_step",
    "fiscal_year",
    "genesis_steps",
    "jst",
    "key_directory",
    "lot_steps",
    "meter_step",
    "site_step",
]

UNIQUE = frozenset({"unique"})
#: an approval that is already there: the version is active, or this identity or role
#: already approved it
APPROVED = frozenset({"proposed", "distinct-approvers", "one-approval-per-role"})
_CALC_ID = re.compile(r"\b(calc-[0-9a-f]{32})\b")


#: device id -> the edge device's private key
DeviceKeys = Callable[[str], ec.EllipticCurvePrivateKey]


def key_directory(path: Path) -> DeviceKeys:
    """Device keys kept as the simulator keeps them (``<dir>/<device>.key.pem``, created
    on first use), so uploads and anchored headers are signed by the same key."""
    return lambda device_id: load_or_create_key(path, device_id)


@dataclass(frozen=True)
class GridValue:
    """A grid electricity factor value (t-CO2/kWh) and where it comes from."""

    ef_grid: str
    source: str
    note: str = ""


DEFAULT_GRID = GridValue(
    "0.000457",
    "Ministry of the Environment, adjusted emission factors of electricity retailers, "
    "FY2023-2024: published range 0.457-0.464 kg-CO2/kWh (shared reference domain.md)",
    "envalue scenario parameter: the lower bound of the published range (conservative); "
    "not a verified figure of one supplier",
)
#: fiscal year -> the default value, for the years the reference covers
DEFAULT_GRID_YEARS: dict[int, GridValue] = {e.fiscal_year: DEFAULT_GRID
                                            for e in GRID_FACTOR_SET.entries}


def jst(moment: datetime) -> str:
    """A timestamp as Japan time, ISO 8601 with offset (what people read in plans)."""
    return moment.astimezone(VALIDITY_TZ).isoformat()


def fiscal_year(day: date) -> int:
    """Japanese fiscal year of a calendar day (April to March)."""
    return day.year if day.month >= 4 else day.year - 1


def _grid_steps(year: int, value: GridValue) -> list[Step]:
    builtin = {e.fiscal_year for e in GRID_FACTOR_SET.entries}
    factor_id, version = f"jp-grid-fy{year}", "2" if year in builtin else "1"
    label = f"{GRID_SERIES}/{factor_id}@{version}"
    propose = registry.propose_factor_call(
        GRID_SERIES, factor_id, version, "grid", "kWh", {"ef_grid": value.ef_grid},
        value.source, valid_from=f"{year}-04-01", valid_until=f"{year + 1}-03-31",
        note=value.note)
    approve = registry.approve_factor_call(GRID_SERIES, factor_id, version)
    return [
        Step(f"governance/{factor_id}/propose", OPERATOR, f"propose factor {label}", propose,
             exists=UNIQUE),
        Step(f"governance/{factor_id}/approve-operator", OPERATOR,
             f"approve factor {label} (Platform operator)", approve, exists=APPROVED),
        Step(f"governance/{factor_id}/approve-verifier", VERIFIER,
             f"approve factor {label} (verifier)", approve, exists=APPROVED),
    ]


def genesis_steps(fiscal_years: Iterable[int],
                  grid: Mapping[int, GridValue] | GridValue | None = None) -> list[Step]:
    """Bootstrap the registry once, then register and activate a grid factor for each
    fiscal year the scenario's data lie in: `grid` per year, one value for every year,
    or the defaults (ValidationError: no value for a year)."""
    years = sorted(set(fiscal_years))
    values = (DEFAULT_GRID_YEARS if grid is None else
              dict.fromkeys(years, grid) if isinstance(grid, GridValue) else grid)
    steps = [Step("registry/bootstrap", OPERATOR, "bootstrap the registry (built-in "
                  "methodologies and factors)", registry.bootstrap_call(),
                  exists=frozenset({"once"}))]
    for year in years:
        if year not in values:
            raise ValidationError(
                "grid_factor", f"FY{year}", "grid-factor-value",
                f"the data lie in FY{year}, for which no grid factor value is known (the "
                f"reference covers FY{min(DEFAULT_GRID_YEARS)}-FY{max(DEFAULT_GRID_YEARS)}); "
                "give one with --grid-factor and --grid-source")
        steps += _grid_steps(year, values[year])
    return steps


def site_step(site_id: str, name: str, owner: str, address: str = "", lane: str = "") -> Step:
    call = registry.register_site_call(site_id, name, msp_of(owner), address)
    return Step(f"{site_id}/site", owner, f"register site {site_id}", call,
                exists=UNIQUE, lane=lane)


def meter_step(meter_id: str, equipment_id: str, channels: Mapping[str, str], owner: str,
               valid_from: datetime, *, lane: str = "", years: int = 10) -> Step:
    """A meter with the given channels (quantity -> canonical unit); its verification is
    valid `years` from `valid_from` (simulated meters: see the scenario notes)."""
    until = valid_from.replace(year=valid_from.year + years)
    message = registry.MsgRegisterMeter(
        meter_id=meter_id, equipment_id=equipment_id, serial=f"SIM-{meter_id}",
        quantities=[{"quantity": q, "unit": u} for q, u in sorted(channels.items())],
        accuracy_class="1.0", verification_valid_from=jst(valid_from),
        verification_valid_until=jst(until))
    return Step(f"{equipment_id}/meter/{meter_id}", owner, f"register meter {meter_id}",
                registry.register_meter_call(message), exists=UNIQUE, lane=lane)


def device_step(device_id: str, kind: str, owner: str, key: ec.EllipticCurvePrivateKey,
                meter_ids: Sequence[str], lane: str = "") -> Step:
    call = registry.register_edge_device_call(device_id, kind, msp_of(owner),
                                              public_key_pem(key), meter_ids)
    return Step(f"{device_id}/device", owner,
                f"register edge device {device_id}", call, exists=UNIQUE, lane=lane)


def anchor_step(header: BatchHeader, key: ec.EllipticCurvePrivateKey, owner: str,
                lane: str = "") -> Step:
    """Anchor one batch, signed with its device's key; re-anchoring writes nothing."""
    call = measurement.anchor_call(measurement.signed_anchor(header, key))
    return Step(f"{header.device_id}/anchor/{header.batch_id[:16]}", owner,
                f"anchor batch {header.batch_id[:16]}… of {header.device_id} "
                f"({jst(parse_timestamp(header.period_start))[:10]})", call,
                already_event="EventBatchAlreadyAnchored", lane=lane)


def lot_steps(name: str, equipment_id: str, start: datetime, end: datetime, owner: str,
              owner_key: str, lot_id: str, *, lane: str = "") -> list[Step]:
    """Calculate the equipment over [start, end), have a verifier approve, mint `lot_id`
    (to the equipment owner `owner`, holder key `owner_key`: its history shows the mint).

    Step keys start with `name`; outputs ``calc:<name>`` and ``kg:<name>``."""
    calc_key, kg_key = f"calc:{name}", f"kg:{name}"
    begin, finish = jst(start), jst(end)
    canonical = (format_timestamp(start), format_timestamp(end))
    span = f"({canonical[0]}..{canonical[1]})"

    def recover(rejection: LedgerRejection) -> dict[str, str] | None:
        """The calculation a no-double-counting refusal names, if it is of this period."""
        found = _CALC_ID.search(rejection.detail)
        if found is None or span not in rejection.detail:
            return None  # another period was calculated: not this step's effect
        return {calc_key: found.group(1)}

    def produced_calc(result: TxResult) -> dict[str, str]:
        event = result.event("EventCalculate")
        return {} if event is None else {calc_key: event.attributes["calculation_id"]}

    def produced_kg(result: TxResult) -> dict[str, int]:
        event = result.event("EventMintReduction")
        return {} if event is None else {kg_key: event.attributes["quantity_kg"]}

    def minted(answer: list[HistoryEntry], _outputs: object) -> dict[str, int] | None:
        issued = [e.changes["tradable"] for e in answer if e.action == "mint"]
        return {kg_key: issued[0]} if issued else None

    vintage = "..".join(vintage_of(*canonical))
    return [
        Step(f"{name}/calculate", owner,
             f"calculate {equipment_id} {begin[:10]}..{vintage[-10:]}",
             measurement.calculate_call(equipment_id, begin, finish),
             exists=frozenset({"no-double-counting"}), recover=recover,
             produces=produced_calc, lane=lane),
        Step(f"{name}/approve", VERIFIER, f"verifier approves the calculation of "
             f"{equipment_id}", Deferred(
                 "measurement:approve_calculation", (calc_key,),
                 lambda out: measurement.approve_calculation_call(
                     out[calc_key], f"reviewed: batches, meters and factors of {name}")),
             exists=frozenset({"reviewed-once"}), lane=lane),
        Step(f"{name}/mint", OPERATOR, f"mint lot {lot_id} ({vintage})", Deferred(
                 "measurement:mint", (calc_key,),
                 lambda out: measurement.mint_call(out[calc_key], lot_id)),
             probe=Probe(lambda _out: tokens.history_call(lot_id, owner_key), minted),
             produces=produced_kg, lane=lane),
    ]

