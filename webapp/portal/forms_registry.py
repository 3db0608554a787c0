"""The registry page's write forms: one chaincode registry message per form.

Same contract as `forms_ledger`: a form holds no rule of its own, it turns what a person
typed into the JSON body the REST API takes (`webapp.services.registry` builds the
chaincode's message and runs its `validate`), so an error carries the message's field,
value and rule and is shown beside the input it came from. Multi-value inputs are one
entry per line (``role=series``, ``quantity unit``); a line that cannot be read is
refused by its index (``factor_bindings[1]``) before anything is sent.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.methodologies import list_methodologies
from envalue.chaincode.domain.registry.msg_propose_factor import FACTOR_KINDS
from envalue.chaincode.domain.registry.msg_register_edge_device import DEVICE_KINDS
from envalue.chaincode.domain.registry.msg_register_equipment import EQUIPMENT_TYPES
from envalue.chaincode.identity import MSP_IDS

from .forms_ledger import LedgerForm, _int_or_text, _text, _timestamp

__all__ = [
    "ApproveFactorForm", "ApproveMethodologyForm", "EdgeDeviceForm", "EquipmentForm",
    "MeterForm", "ProposeFactorForm", "ProposeMethodologyForm", "SiteForm",
]

_SEPARATORS = re.compile(r"[,\s]+")


def _msp_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("My organisation")), *(SelectChoice(m, m)
                                                       for m in sorted(MSP_IDS))]


def _choices(values: tuple[str, ...] | list[str]) -> list[SelectChoice]:
    return [SelectChoice(v, v) for v in values]


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _pairs(text: str | None, field: str) -> dict[str, str]:
    """``name=value`` lines as a mapping (a malformed or repeated line is refused)."""
    out: dict[str, str] = {}
    for i, line in enumerate(_lines(text)):
        name, sep, value = line.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValidationError(f"{field}[{i}]", line, "name-value-line",
                                  "write one 'name=value' per line")
        if name.strip() in out:
            raise ValidationError(f"{field}[{i}]", line, "unique", "names this entry twice")
        out[name.strip()] = value.strip()
    return out


def _words(text: str | None) -> list[str]:
    return [w for w in _SEPARATORS.split(text or "") if w]


# -- assets (registry.manage) -----------------------------------------------------------
class _OwnedForm(LedgerForm):
    permission = "registry.manage"

    owner_msp = SelectField(_l("Owner organisation"), choices=_msp_choices(),
                            validate_choice=False)


class SiteForm(_OwnedForm):
    new_ids = ("site_id",)

    site_id = StringField(_l("Site id"))
    name = StringField(_l("Name"))
    address = StringField(_l("Address (optional)"))

    def body(self) -> dict[str, Any]:
        return {"site_id": _text(self.site_id), "name": _text(self.name),
                "owner_msp": self.owner_msp.data or "", "address": _text(self.address)}


class EquipmentForm(_OwnedForm):
    new_ids = ("equipment_id",)

    equipment_id = StringField(_l("Equipment id"))
    site_id = StringField(_l("Site id"))
    owner = StringField(_l("Owner (user@org or holder key; empty: yourself)"))
    equipment_type = SelectField(_l("Equipment type"), choices=_choices(EQUIPMENT_TYPES),
                                 validate_choice=False)
    rated_capacity = StringField(_l("Rated capacity"), render_kw={"inputmode": "decimal"})
    capacity_unit = StringField(_l("Capacity unit (kW, kWh, kg/h…)"))
    efficiency = StringField(_l("Efficiency (a fraction, optional)"),
                             render_kw={"inputmode": "decimal"})
    commissioning_date = StringField(_l("Commissioning date"), render_kw={"type": "date"})
    methodology = SelectField(_l("Methodology"), validate_choice=False, choices=_choices(
        sorted({m.name for m in list_methodologies()})))
    methodology_version = StringField(_l("Methodology version"), default="1")
    factor_bindings = TextAreaField(_l("Factor bindings, one per line: role=series "
                                       "(e.g. grid=jp-grid)"), render_kw={"rows": 2})
    parameters = TextAreaField(_l("Parameters, one per line: name=value (e.g. eff_bl=0.80)"),
                               render_kw={"rows": 2})
    spec_documents = TextAreaField(_l("Specification documents, one per line: "
                                      "name=SHA-256"), render_kw={"rows": 2})

    def body(self) -> dict[str, Any]:
        return {
            "equipment_id": _text(self.equipment_id), "site_id": _text(self.site_id),
            "owner_msp": self.owner_msp.data or "", "owner": _text(self.owner),
            "equipment_type": self.equipment_type.data or "",
            "rated_capacity": _text(self.rated_capacity),
            "capacity_unit": _text(self.capacity_unit), "efficiency": _text(self.efficiency),
            "commissioning_date": _text(self.commissioning_date),
            "methodology": self.methodology.data or "",
            "methodology_version": _text(self.methodology_version),
            "factor_bindings": _pairs(self.factor_bindings.data, "factor_bindings"),
            "parameters": _pairs(self.parameters.data, "parameters"),
            "spec_documents": _pairs(self.spec_documents.data, "spec_documents")}


class MeterForm(LedgerForm):
    permission = "registry.manage"
    new_ids = ("meter_id",)

    meter_id = StringField(_l("Meter id"))
    equipment_id = StringField(_l("Equipment id"))
    serial = StringField(_l("Serial number"))
    quantities = TextAreaField(_l("Channels, one per line: quantity unit "
                                  "(e.g. pv_generation kWh)"), render_kw={"rows": 3})
    accuracy_class = StringField(_l("Accuracy class"))
    verification_valid_from = StringField(
        _l("Verification valid from (Japan time unless an offset is given)"),
        render_kw={"type": "datetime-local", "step": "1"})
    verification_valid_until = StringField(
        _l("Verification valid until (Japan time unless an offset is given)"),
        render_kw={"type": "datetime-local", "step": "1"})
    counter_capacity = StringField(_l("Counter capacity (optional, whole units)"),
                                   render_kw={"inputmode": "numeric"})

    def body(self) -> dict[str, Any]:
        channels = []
        for i, line in enumerate(_lines(self.quantities.data)):
            parts = _words(line)
            if len(parts) != 2:
                raise ValidationError(f"quantities[{i}]", line, "channel-line",
                                      "write one channel per line: <quantity> <unit>")
            channels.append({"quantity": parts[0], "unit": parts[1]})
        capacity = _text(self.counter_capacity)
        return {"meter_id": _text(self.meter_id), "equipment_id": _text(self.equipment_id),
                "serial": _text(self.serial), "quantities": channels,
                "accuracy_class": _text(self.accuracy_class),
                "verification_valid_from": _timestamp(_text(self.verification_valid_from)),
                "verification_valid_until": _timestamp(_text(self.verification_valid_until)),
                **({"counter_capacity": _int_or_text(capacity)} if capacity else {})}


class EdgeDeviceForm(_OwnedForm):
    new_ids = ("device_id",)

    device_id = StringField(_l("Device id"))
    kind = SelectField(_l("Kind"), validate_choice=False, choices=[
        SelectChoice(k, {"gateway": _l("Gateway on the equipment"),
                         "logger": _l("Retrofit logger reading a meter")}.get(k, k))
        for k in DEVICE_KINDS])
    meter_ids = StringField(_l("Meters it reports for (comma separated)"))
    public_key_pem = TextAreaField(_l("Signing public key (ECDSA P-256, PEM)"),
                                   render_kw={"rows": 4})

    def body(self) -> dict[str, Any]:
        return {"device_id": _text(self.device_id), "kind": self.kind.data or "",
                "owner_msp": self.owner_msp.data or "",
                "public_key_pem": (self.public_key_pem.data or "").strip(),
                "meter_ids": _words(self.meter_ids.data)}


# -- governance (registry.govern) -------------------------------------------------------
class _ValidityMixin:
    valid_from = StringField(_l("Valid from (optional)"), render_kw={"type": "date"})
    valid_until = StringField(_l("Valid until (optional)"), render_kw={"type": "date"})


class ProposeMethodologyForm(_ValidityMixin, LedgerForm):
    permission = "registry.govern"

    name = StringField(_l("Methodology"))
    version = StringField(_l("Version"))
    title = StringField(_l("Title"))
    formula = TextAreaField(_l("Formula text"), render_kw={"rows": 4})
    source = StringField(_l("Source"))

    def body(self) -> dict[str, Any]:
        return {"name": _text(self.name), "version": _text(self.version),
                "title": _text(self.title), "formula": self.formula.data or "",
                "source": _text(self.source), "valid_from": _text(self.valid_from),
                "valid_until": _text(self.valid_until)}


class ApproveMethodologyForm(LedgerForm):
    permission = "registry.govern"

    name = StringField(_l("Methodology"))
    version = StringField(_l("Version"))

    def body(self) -> dict[str, Any]:
        return {}


class ProposeFactorForm(_ValidityMixin, LedgerForm):
    permission = "registry.govern"

    series = StringField(_l("Series"))
    factor_id = StringField(_l("Factor id"))
    version = StringField(_l("Version"))
    kind = SelectField(_l("Kind"), choices=_choices(list(FACTOR_KINDS)), validate_choice=False)
    unit = StringField(_l("Unit (kWh for grid; kL, thousand Nm3 or t for fuels)"))
    values = TextAreaField(_l("Values, one per line: name=value (grid: ef_grid; fuel: hv, "
                              "cef)"), render_kw={"rows": 2})
    source = StringField(_l("Source"))
    note = StringField(_l("Note (optional)"))

    def body(self) -> dict[str, Any]:
        return {"series": _text(self.series), "factor_id": _text(self.factor_id),
                "version": _text(self.version), "kind": self.kind.data or "",
                "unit": _text(self.unit), "values": _pairs(self.values.data, "values"),
                "source": _text(self.source), "valid_from": _text(self.valid_from),
                "valid_until": _text(self.valid_until), "note": _text(self.note)}


class ApproveFactorForm(LedgerForm):
    permission = "registry.govern"

    series = StringField(_l("Series"))
    factor_id = StringField(_l("Factor id"))
    version = StringField(_l("Version"))

    def body(self) -> dict[str, Any]:
        return {}
