"""The browser's steps on the registry and calculations pages of the network journeys
(`test_network_journeys`): the equipment owner registers its equipment, meter and edge
device, and anchors its uploaded batches with the signatures its device makes; it
calculates; a verifier approves or rejects; a Platform operator mints.

Each function fills one form (or reads one page); the journey submits the form with
`network_portal.commit`, so what the ledger answers is checked there. The entries come
from what the case-study scenario would submit (`scenario_message`): the browser sends
what `envalue scenario load case-studies` sends, with no value copied here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from envalue.chaincode.domain.measurement.signature import sign_header
from envalue.scenarios import Scenario, Step, describe_step

from .network_portal import NetworkPortal, download, fill

__all__ = ["REGISTRATIONS", "calculation_id_of", "calculation_row", "fill_anchor",
           "fill_message", "open_calculation_link", "pending_batches", "scenario_message",
           "scenario_steps", "state_of"]

#: registry operation -> the registry page's form (its id is ``<name>-form``, its inputs
#: ``#<name>-<field>``)
REGISTRATIONS = {"registry:register_site": "site", "registry:register_equipment": "equipment",
                 "registry:register_meter": "meter", "registry:register_edge_device": "device"}


def scenario_steps(scenario: Scenario, identity: str, operations: Iterable[str]) -> list[Step]:
    """The scenario's steps signed by `identity` with one of `operations`, in order."""
    wanted = set(operations)
    return [s for s in scenario.steps if s.identity == identity and s.operation in wanted]


def scenario_message(step: Step) -> dict[str, Any]:
    """The message scenario step `step` submits, as the chaincode reads it."""
    described = describe_step(0, step)
    assert "arguments" in described, f"{step.key} is built from {described['built_from']}"
    [message] = described["arguments"]
    assert isinstance(message, dict), f"{step.key}: {message!r}"
    return message


def _input_text(page: Any, portal: NetworkPortal, selector: str, value: Any) -> str:
    """What a person types into input `selector` for a message field's `value`."""
    if isinstance(value, Mapping):  # name=value lines (bindings, parameters, documents)
        return "\n".join(f"{name}={v}" for name, v in value.items())
    if isinstance(value, list):  # channels as "quantity unit" lines, ids one per line
        return "\n".join(f"{v['quantity']} {v['unit']}" if isinstance(v, Mapping) else str(v)
                         for v in value)
    if page.get_attribute(selector, "type") == "datetime-local":
        return portal.local_time(str(value))
    return str(value)


def fill_message(page: Any, portal: NetworkPortal, form: str,
                 message: Mapping[str, Any]) -> None:
    """Type chaincode message `message` into form `form` of the page: every field that
    has a value must have its input (nothing is left out unnoticed)."""
    inputs = {}
    for name, value in message.items():
        if value is None:
            continue
        selector = f"#{form}-{name}"
        assert page.locator(selector).count() == 1, f"the {form} form has no input {name}"
        inputs[selector] = _input_text(page, portal, selector, value)
    fill(page, inputs)


def pending_batches(page: Any, portal: NetworkPortal, meter_id: str) -> list[str]:
    """The batches the calculations page offers for anchoring for meter `meter_id`."""
    page.goto(portal.href("calculations.index"))
    page.wait_for_selector("[data-testid=pending-batches]")
    assert page.locator("[data-testid=pending-problem]").count() == 0, page.inner_text(
        "[data-testid=pending-batches]")
    found = page.locator(f"[data-testid=pending-batch][data-meter='{meter_id}']")
    return [item.get_attribute("data-batch") or "" for item in found.all()]


def fill_anchor(page: Any, portal: NetworkPortal, batch_id: str, meter_id: str,
                key: ec.EllipticCurvePrivateKey) -> bytes:
    """Play the edge device holding `key` for pending batch `batch_id`: download its
    header from the calculations page (the very text and SHA-256 the page shows), sign
    those bytes, open the anchor form from the batch's link and give it the signature.
    The header bytes signed."""
    page.goto(portal.href("calculations.index"))
    item = f"[data-testid=pending-batch][data-batch='{batch_id}'][data-meter='{meter_id}']"
    raw = download(page, f"{item} [data-testid=header-download]")
    assert raw.decode() == page.text_content(f"{item} [data-testid=header-text]")
    assert hashlib.sha256(raw).hexdigest() == page.inner_text(
        f"{item} [data-testid=header-sha256]")
    with page.expect_navigation():
        page.click(f"{item} [data-testid=pending-anchor]")
    assert page.input_value("#anchor-batch_id") == batch_id
    assert page.input_value("#anchor-meter_id") == meter_id
    fill(page, {"#anchor-signature": sign_header(key, raw)})
    return raw


def calculation_id_of(page: Any) -> str:
    """The calculation a committed calculations form names (the page it redirects to)."""
    [calculation_id] = parse_qs(urlsplit(page.url).query)["calculation_id"]
    return calculation_id


def calculation_row(page: Any, portal: NetworkPortal, calculation_id: str) -> Any:
    """The row of `calculation_id` on the calculations page (opened on it)."""
    page.goto(portal.href("calculations.index", calculation_id=calculation_id))
    row = page.locator(f"[data-testid=calculation-row][data-calculation='{calculation_id}']")
    row.wait_for()
    return row


def state_of(row: Any) -> str:
    """The state a calculation row shows (``calculated``, ``approved``, ``minted``…)."""
    return row.locator("[data-testid=calculation-state]").get_attribute("data-state") or ""


def open_calculation_link(page: Any, portal: NetworkPortal, calculation_id: str, state: str,
                          link: str) -> None:
    """From the page listing the calculations in `state`, follow the row's `link`
    (``calculation-review``, ``-mint``, ``-correct``), which prefills the form it opens."""
    page.goto(portal.href("calculations.index", state=state))
    row = page.locator(f"[data-testid=calculation-row][data-calculation='{calculation_id}']")
    assert state_of(row) == state
    with page.expect_navigation():
        row.locator(f"[data-testid={link}]").click()
