"""Registry messages refuse a JSON object or array where text belongs, by name.

Their validators look MSP ids and kinds up in sets; before, ``{}`` there crashed the
transaction with a TypeError instead of a refusal naming the field."""

from __future__ import annotations

import pytest

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.registry.msg_propose_factor import MsgProposeFactor
from envalue.chaincode.domain.registry.msg_register_site import MsgRegisterSite

pytestmark = pytest.mark.unit


def test_an_object_for_an_msp_id_is_refused_by_name() -> None:
    with pytest.raises(ValidationError) as refused:
        MsgRegisterSite.from_dict({"site_id": "S-1", "name": "Ena", "owner_msp": {}})
    assert (refused.value.field, refused.value.value, refused.value.rule) == (
        "owner_msp", "<dict>", "string")


def test_an_array_for_a_factor_kind_is_refused_by_name() -> None:
    fields = {name: "x" for name in MsgProposeFactor.__dataclass_fields__}
    fields.update(kind=["grid"], values={"ef_grid": "0.000457"})
    with pytest.raises(ValidationError) as refused:
        MsgProposeFactor.from_dict(fields)
    assert (refused.value.field, refused.value.value, refused.value.rule) == (
        "kind", "<list>", "string")
