"""Edge-device simulator: realistic, seeded operation data for the case studies.

Models (`ena`: PV + NAS battery across Ena City's public facilities; `boiler`: a boiler
before and after replacement) → counters and field defects with a report of exactly what
was injected (`defects`) → long CSV, JSON or wide CSV bytes (`render`) → signed with the
device's P-256 key, the body (`signing`) and each canonical batch header
(`batch_signing`) → sent over HTTP or MQTT (`send`). `simulate` does all of it.
"""

from envalue.edge.boiler import BoilerConfig, simulate_boiler
from envalue.edge.defects import DEFAULT_CAPACITY, DefectRates, InjectionReport, inject
from envalue.edge.ena import EnaConfig, EnaSimulation, simulate_ena
from envalue.edge.model import DeviceSeries, Line
from envalue.edge.render import render
from envalue.edge.signing import DeviceKeys, SignatureError, sign_body, verify_body
from envalue.edge.simulation import SCENARIOS, SimulatedUpload, Simulation, simulate

__all__ = [
    "DEFAULT_CAPACITY",
    "SCENARIOS",
    "BoilerConfig",
    "DefectRates",
    "DeviceKeys",
    "DeviceSeries",
    "EnaConfig",
    "EnaSimulation",
    "InjectionReport",
    "Line",
    "SignatureError",
    "SimulatedUpload",
    "Simulation",
    "inject",
    "render",
    "sign_body",
    "simulate",
    "simulate_boiler",
    "simulate_ena",
    "verify_body",
]
