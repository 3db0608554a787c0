"""Helpers shared by the domain tests (a plain module: ``conftest`` is not unique on sys.path)."""

from __future__ import annotations

import json
from typing import Any

from envalue.chaincode.domain.methodologies import CalculationResult, get_methodology
from envalue.chaincode.domain.quantity import loads

#: Exact CO2 factors of the fuels used in the hand-worked examples (t-CO2/GJ).
CEF_A_HEAVY_OIL = "0.0193*44/12"
CEF_CITY_GAS = "0.0140*44/12"


def run(name: str, inputs: dict[str, Any]) -> CalculationResult:
    """Calculate after a JSON round trip, so values reach the domain as JSON would bring them."""
    return get_methodology(name).calculate(loads(json.dumps(inputs)))
