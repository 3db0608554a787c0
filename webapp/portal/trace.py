"""Traceability explorer: a retirement, lot or credit batch down to its calculation,
batches, devices and single readings (read model + off-chain store), with in-place
Merkle-root, inclusion-proof and header-signature checks answered as JSON."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, render_template, request
from werkzeug.wrappers import Response

from ..errors import PortalError
from ..security import permission_required
from ..services import trace as svc
from ..services.certificates import readmodel_view
from ..services.ledger import ledger_status

blueprint = Blueprint("trace", __name__, url_prefix="/trace")


def query_offset() -> int:
    """The query's ``offset`` (first reading shown per batch): ASCII digits, default 0.
    The page and ``GET /api/v1/trace`` read it alike."""
    raw = request.args.get("offset", "0").strip() or "0"
    if not (raw.isascii() and raw.isdigit()):  # int() refuses other digits, e.g. "²"
        raise PortalError("offset must be a non-negative integer", field="offset", value=raw,
                          rule="non_negative_integer")
    return int(raw)


@blueprint.get("/")
@permission_required("trace.view")
def index() -> tuple[str, int]:
    # ``lot_id`` is the former parameter of this page (links from the wallet keep working)
    term = (request.args.get("q") or request.args.get("lot_id") or "").strip()
    tree: dict[str, Any] | None = None
    problem, code = None, 200
    if term:
        try:
            tree = svc.search(g.user, term, query_offset())
        except PortalError as exc:
            problem, code = exc.to_problem(), exc.http_status
    return render_template("ledger/trace.html", q=term, tree=tree, problem=problem,
                           readmodel=readmodel_view(), ledger=ledger_status(g.user),
                           page_size=svc.PAGE_SIZE), code


@blueprint.post("/check/batch/<batch_id>")
@permission_required("trace.view")
def check_batch(batch_id: str) -> Response:
    return jsonify(svc.check_batch(g.user, batch_id))


@blueprint.post("/check/reading/<batch_id>/<int:row_id>")
@permission_required("trace.view")
def check_reading(batch_id: str, row_id: int) -> Response:
    return jsonify(svc.check_reading(g.user, batch_id, row_id))


@blueprint.post("/check/signature/<batch_id>")
@permission_required("trace.view")
def check_signature(batch_id: str) -> Response:
    return jsonify(svc.check_batch_signature(g.user, batch_id))
