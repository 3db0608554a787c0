"""The calculator page shows the same outputs and trace as the domain's `calculate`."""

from __future__ import annotations

import html
import json
import re

import pytest
from flask.testing import FlaskClient

from envalue.chaincode.domain.methodologies import calculate, list_methodologies
from envalue.chaincode.domain.quantity import loads

from .webapp_helpers import csrf_token, login

pytestmark = pytest.mark.unit

CASES = {
    "boiler-replacement": {"fuel_pj": "10000", "hv_pj": "0.0372", "cef_pj": "0.0138",
                           "eff_pj": "0.95", "eff_bl": "0.8", "cef_bl": "0.0187"},
    "pv-battery": {"pv_generation_kwh": "300000", "pv_export_kwh": "10000",
                   "battery_charge_pv_kwh": "40000", "battery_charge_grid_kwh": "1000",
                   "battery_discharge_kwh": "36000", "aux_grid_kwh": "800",
                   "ef_grid": "0.000441"},
    "inventory": {"fuels": [{"fuel": "都市ガス", "amount": "1200", "hv": "0.0449",
                             "cef": "0.0136"}],
                  "electricity_kwh": "250000", "ef_grid": "0.000441",
                  "ef_market": "0.0003", "certificates_kwh": "10000"},
}


def _run(client: FlaskClient, name: str, inputs: str) -> tuple[int, str]:
    token = csrf_token(client, "/calc/")
    resp = client.post("/calc/", data={"methodology": name, "version": "1", "inputs": inputs,
                                       "csrf_token": token})
    return resp.status_code, resp.get_data(as_text=True)


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_shows_the_figures_and_trace_of_calculate(client: FlaskClient, name: str) -> None:
    login(client, "verifier1@platform")
    text = json.dumps(CASES[name], ensure_ascii=False)
    status, page = _run(client, name, text)
    assert status == 200
    expected = calculate(name, loads(text))
    for key, value in expected.outputs().items():
        cell = re.search(rf'data-output="{key}">([^<]+)<', page)
        assert cell and cell.group(1) == f"{value:,}", key
    rows = re.findall(r"<tr><td><code>([^<]+)</code></td><td class=\"num\">([^<]+)</td></tr>",
                      page.split('data-testid="calc-trace"')[1])
    assert [(html.unescape(k), v) for k, v in rows] == list(expected.trace.items())


def test_every_methodology_has_an_input_template(client: FlaskClient) -> None:
    login(client, "operator1@platform")
    page = client.get("/calc/").get_data(as_text=True)
    for methodology in list_methodologies():
        assert f'data-skeleton="{methodology.name}"' in page


def test_invalid_inputs_name_field_value_and_rule(client: FlaskClient) -> None:
    login(client, "operator1@platform")
    status, page = _run(client, "boiler-replacement",
                        json.dumps({**CASES["boiler-replacement"], "eff_bl": "1.2"}))
    assert status == 400
    assert "<code>eff_bl</code>" in page and "1.2" in page and 'data-testid="problem"' in page
    status, page = _run(client, "boiler-replacement", "{not json")
    assert status == 400 and "<code>json</code>" in page


def test_calculator_needs_sign_in(client: FlaskClient) -> None:
    assert client.get("/calc/").status_code == 302
