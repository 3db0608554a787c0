"""Registry and measurement transactions (bootstrap, factor governance, site, equipment,
meter, device, anchored batches, calculation, review, mint) project without leftovers."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).parents[1] / "registry"))
sys.path.insert(0, str(Path(__file__).parents[1] / "measurement"))

from readmodel_world import record_submit  # noqa: E402
from registry_world import World  # noqa: E402

from envalue.chaincode.domain.events import DomainEvent  # noqa: E402
from envalue.chaincode.domain.measurement import msg_mint  # noqa: E402
from envalue.chaincode.identity import Actor  # noqa: E402
from envalue.readmodel import (  # noqa: E402
    ChaincodeEventRecord,
    Projector,
    evidence,  # noqa: E402
)
from envalue.readmodel import queries as rq  # noqa: E402
from envalue.readmodel.figures import StateTotal, ledger_figures  # noqa: E402
from envalue.readmodel.schema import (  # noqa: E402
    Device,
    Equipment,
    FactorVersion,
    MeasurementBatch,
    Meter,
    MethodologyVersion,
    Site,
    UnprojectedEvent,
)
from envalue.verify.batches import check_signature  # noqa: E402

pytestmark = pytest.mark.unit


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[ChaincodeEventRecord]:
    """Every transaction the registry/measurement worlds commit, as the listener sees it."""
    records: list[ChaincodeEventRecord] = []

    def submit(self: World, who: Actor, module: ModuleType, msg: Any) -> list[DomainEvent]:
        return record_submit(self, records, who, module, msg)[1]

    monkeypatch.setattr(World, "submit", submit)
    return records


def test_a_reduction_from_registration_to_mint(recorded, sessions: sessionmaker[Session]
                                               ) -> None:
    from measurement_world import OPERATOR
    from test_measurement_mint_trace import approve, calculated

    world, calc_id = calculated()
    approve(world, calc_id)
    events = world.submit(OPERATOR, msg_mint, msg_mint.MsgMintReduction(calc_id))
    lot_id = events[0].attributes["lot_id"]
    projector = Projector()
    with sessions.begin() as session:
        for record in recorded:
            projector.apply(session, record)
    with sessions() as session:
        assert session.scalars(select(UnprojectedEvent.reason)).all() == []
        site = session.get(Site, "ena-city-hall")
        assert site.owner_msp == "MunicipalityMSP"
        assert session.get(Equipment, "pv-1").methodology == "pv-self-consumption"
        assert session.get(Meter, "m-pv-1").owner_msp == "MunicipalityMSP"
        assert session.get(Device, "gw-pv-1").meter_ids == "m-pv-1"
        batches = session.scalars(select(MeasurementBatch)).all()
        assert len(batches) == 2 and {b.owner_msp for b in batches} == {"MunicipalityMSP"}
        assert session.scalar(select(MethodologyVersion.status).where(
            MethodologyVersion.name == "pv-self-consumption")) == "active"
        grid = session.scalars(select(FactorVersion).where(
            FactorVersion.series == "jp-grid", FactorVersion.status == "active")).all()
        assert any("ef_grid" in json.loads(f.values) for f in grid)  # genesis rows: no figure
        assert all(f.valid_from and f.kind == "grid" for f in grid)
        # the copied header fields and device key pass the same signature check as the
        # ledger records do (the explorer runs it on these rows)
        devices = {d.device_id: evidence.device_record(d)
                   for d in session.scalars(select(Device))}
        for batch in batches:
            check = check_signature(evidence.anchored_batch_record(batch), devices)
            assert check.status == "pass", check
        [calc] = rq.calculations(session, owner_msp="MunicipalityMSP")
        assert (calc.calculation_id, calc.state, calc.lot_id) == (calc_id, "minted", lot_id)
        assert calc.reduction_kg == events[0].attributes["quantity_kg"]
        assert "jp-grid/" in calc.factor_versions and calc.review_comment == "meter data checked"
        assert set(calc.batch_ids.split(",")) == {b.batch_id for b in batches}
        assert [b.batch_id for b in rq.calculation_batches(session, calc)] == \
            calc.batch_ids.split(",")
        kg = calc.reduction_kg
        figures = ledger_figures(session, "MunicipalityMSP")
        assert figures.reductions == {"minted": StateTotal(1, kg)}
        assert (figures.verified_kg, figures.verified_by_site) == (kg, (("ena-city-hall", kg),))
        assert figures.tokens_kg == {"tradable": kg}
        assert figures.credits_t == {"tradable": 0, "retired": 0}
        assert ledger_figures(session).to_dict() == {**figures.to_dict(), "org": ""}
        assert ledger_figures(session, "CustomerMSP").reductions == {}
        [holding] = rq.holdings_of(session, events[1].attributes["owner"])
        assert (holding.lot_id, holding.state, holding.kg) == (lot_id, "tradable",
                                                              calc.reduction_kg)
