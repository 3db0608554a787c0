"""Governance: genesis bootstrap and two-party approval of methodology and factor versions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from registry_world import (
    CUSTOMER,
    GRID_FY2024,
    MUNICIPALITY,
    OPERATOR,
    OPERATOR_2,
    VERIFIER,
    VERIFIER_2,
    World,
)

from envalue.chaincode.domain.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from envalue.chaincode.domain.factors import BUILTIN_FACTOR_SETS
from envalue.chaincode.domain.methodologies import formula_hash, list_methodologies
from envalue.chaincode.domain.registry import (
    msg_approve_factor,
    msg_approve_methodology,
    msg_bootstrap,
    msg_propose_factor,
    msg_propose_methodology,
)
from envalue.chaincode.domain.registry.governance import select_factor
from envalue.chaincode.domain.registry.state import FactorVersion, MethodologyVersion, load

pytestmark = pytest.mark.unit

FORMULA = "pv-self-consumption v2\nE_self = pv_generation_kwh - pv_export_kwh\n"
PROPOSAL = msg_propose_methodology.MsgProposeMethodology(
    name="pv-self-consumption", version="2", title="PV self-consumption, v2", formula=FORMULA,
    source="consortium decision 2025-01", valid_from="2025-04-01",
)
APPROVE = msg_approve_methodology.MsgApproveMethodology("pv-self-consumption", "2")


def methodology(world: World, name: str, version: str) -> MethodologyVersion:
    return world.query(lambda s: load(s, MethodologyVersion, name, version, field_name="",
                                      what=""))


def factor(world: World, series: str, factor_id: str, version: str) -> FactorVersion:
    return world.query(lambda s: load(s, FactorVersion, series, factor_id, version,
                                      field_name="", what=""))


@pytest.fixture
def world() -> World:
    w = World()
    w.bootstrap()
    return w


def test_bootstrap_registers_builtins_as_active_version_1(world: World) -> None:
    for m in list_methodologies():
        record = methodology(world, m.name, "1")
        assert record.status == "active" and record.genesis
        assert record.formula_hash == m.formula_hash == formula_hash(record.formula)
        assert record.activated_tx == "tx-0001"
    oil = factor(world, "a_heavy_oil", "a_heavy_oil", "1")
    assert oil.values == {"hv": "38.9", "cef": "0.0193*44/12"}
    assert oil.value_units == {"hv": "GJ/kL", "cef": "t-CO2/GJ"}
    grid = factor(world, "jp-grid", "jp-grid-fy2024", "1")
    assert grid.values == {}  # no verified figure: governance must register one
    assert (grid.valid_from, grid.valid_until) == ("2024-04-01", "2025-03-31")
    assert "0.000457-0.000464" in grid.note
    count = sum(len(s.entries) for s in BUILTIN_FACTOR_SETS.values())
    assert count == 8


def test_bootstrap_once_and_only_by_a_platform_operator() -> None:
    fresh = World()
    for who in (VERIFIER, CUSTOMER):
        fresh.refuse(who, msg_bootstrap, msg_bootstrap.MsgBootstrap(), ForbiddenError)
    fresh.submit(OPERATOR, msg_bootstrap, msg_bootstrap.MsgBootstrap())
    error = fresh.refuse(OPERATOR_2, msg_bootstrap, msg_bootstrap.MsgBootstrap(), ConflictError)
    assert "already bootstrapped" in str(error)


def test_version_becomes_active_after_operator_and_verifier(world: World) -> None:
    world.submit(VERIFIER, msg_propose_methodology, PROPOSAL)
    assert methodology(world, "pv-self-consumption", "2").status == "proposed"
    events = world.submit(OPERATOR, msg_approve_methodology, APPROVE)
    assert [e.name for e in events] == ["EventApproveMethodology"]
    assert methodology(world, "pv-self-consumption", "2").status == "proposed"
    events = world.submit(VERIFIER_2, msg_approve_methodology, APPROVE)
    assert [e.name for e in events] == ["EventApproveMethodology", "EventActivateMethodology"]
    record = methodology(world, "pv-self-consumption", "2")
    assert record.status == "active"
    assert [a["role"] for a in record.approvals] == ["operator", "verifier"]
    assert record.activated_tx == world.last_tx()
    assert record.formula_hash == formula_hash(FORMULA)


def test_same_identity_twice_is_refused(world: World) -> None:
    world.submit(OPERATOR, msg_propose_methodology, PROPOSAL)
    world.submit(VERIFIER, msg_approve_methodology, APPROVE)
    error = world.refuse(VERIFIER, msg_approve_methodology, APPROVE, ConflictError)
    assert error.rule == "distinct-approvers"
    error = world.refuse(VERIFIER_2, msg_approve_methodology, APPROVE, ConflictError)
    assert error.rule == "one-approval-per-role"  # two verifiers do not make it active
    assert methodology(world, "pv-self-consumption", "2").status == "proposed"


@pytest.mark.parametrize("who", [CUSTOMER, MUNICIPALITY])
def test_customers_neither_propose_nor_approve(world: World, who: object) -> None:
    world.refuse(who, msg_propose_methodology, PROPOSAL, ForbiddenError)  # type: ignore[arg-type]
    world.submit(OPERATOR, msg_propose_methodology, PROPOSAL)
    error = world.refuse(who, msg_approve_methodology, APPROVE,  # type: ignore[arg-type]
                         ForbiddenError)
    assert error.rule == "governance-approver"


def test_approving_an_active_version_or_reproposing_is_a_conflict(world: World) -> None:
    approve_v1 = msg_approve_methodology.MsgApproveMethodology("inventory", "1")
    world.refuse(VERIFIER, msg_approve_methodology, approve_v1, ConflictError)
    world.submit(OPERATOR, msg_propose_methodology, PROPOSAL)
    world.refuse(OPERATOR, msg_propose_methodology, PROPOSAL, ConflictError)
    world.refuse(OPERATOR, msg_approve_methodology,
                 msg_approve_methodology.MsgApproveMethodology("pv-self-consumption", "3"),
                 NotFoundError)


def test_formula_hash_given_by_the_client_must_match(world: World) -> None:
    bad = msg_propose_methodology.MsgProposeMethodology(
        **{**PROPOSAL.__dict__, "formula_hash": "0" * 64})
    error = world.refuse(OPERATOR, msg_propose_methodology, bad, ValidationError)
    assert error.field == "formula_hash"


def test_factor_version_two_party_approval_and_selection(world: World) -> None:
    msg = msg_propose_factor.MsgProposeFactor.from_dict(GRID_FY2024)
    world.submit(OPERATOR, msg_propose_factor, msg)
    ids = msg_approve_factor.MsgApproveFactor("jp-grid", "jp-grid-fy2024", "2")
    world.submit(VERIFIER, msg_approve_factor, ids)
    world.refuse(VERIFIER, msg_approve_factor, ids, ConflictError)
    world.refuse(CUSTOMER, msg_approve_factor, ids, ForbiddenError)
    # until activated, the selection still finds version 1 (which has no value)
    start, end = datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)
    chosen = world.query(lambda s: select_factor(s, "jp-grid", start, end, "grid"))
    assert (chosen.factor_id, chosen.version) == ("jp-grid-fy2024", "1")
    events = world.submit(OPERATOR, msg_approve_factor, ids)
    assert events[-1].name == "EventActivateFactor"
    chosen = world.query(lambda s: select_factor(s, "jp-grid", start, end, "grid"))
    assert (chosen.version, chosen.values) == ("2", {"ef_grid": "0.000464"})
    # a period straddling the fiscal-year boundary has no single factor
    straddle = datetime(2024, 3, 15, tzinfo=UTC)
    with pytest.raises(NotFoundError) as info:
        world.query(lambda s: select_factor(s, "jp-grid", straddle, end, "grid"))
    assert "straddle" in str(info.value)


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"kind": "water"}, "kind", "factor-kind"),
        ({"unit": "MWh"}, "unit", "factor-unit"),
        ({"values": {}}, "values.ef_grid", "required"),
        ({"values": {"ef_grid": "-1"}}, "values.ef_grid", "non-negative"),
        ({"values": {"ef_grid": "0.0004", "hv": "1"}}, "values.hv", "unknown-value"),
        ({"version": "v2"}, "version", "version"),
        ({"valid_until": "2024-01-01"}, "valid_until", "after-start"),
    ],
)
def test_factor_proposal_validation(world: World, changes: dict[str, object], field: str,
                                    rule: str) -> None:
    msg = msg_propose_factor.MsgProposeFactor.from_dict({**GRID_FY2024, **changes})
    error = world.refuse(OPERATOR, msg_propose_factor, msg, ValidationError)
    assert (error.field, error.rule) == (field, rule)
