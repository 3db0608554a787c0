"""The methodology calculator: a dry run of the chaincode's own `calculate`."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from wtforms.fields.choices import SelectChoice

from envalue.chaincode.domain.errors import DomainError

from ..forms import CalcForm
from ..security import permission_required
from ..services.calc import dry_run, input_skeleton, methodologies

blueprint = Blueprint("calc", __name__, url_prefix="/calc")


@blueprint.route("/", methods=["GET", "POST"])
@permission_required("calc.run")
def index() -> tuple[str, int] | str:
    catalog = methodologies()
    form = CalcForm()
    form.methodology.choices = [SelectChoice(m["name"], f"{m['name']} — {m['title']}")
                                for m in catalog]
    if request.method == "GET":
        chosen = request.args.get("methodology") or catalog[0]["name"]
        form.methodology.data = chosen
        form.inputs.data = input_skeleton(chosen) if any(
            m["name"] == chosen for m in catalog) else "{}"
    skeletons = {m["name"]: input_skeleton(m["name"], m["version"]) for m in catalog}
    result, error, status = None, None, 200
    if form.validate_on_submit():
        try:
            result = dry_run(g.user, form.methodology.data or "", form.version.data or "1",
                             form.inputs.data or "")
        except DomainError as exc:
            error, status = exc, exc.http_status
    elif request.method == "POST":
        status = 400
    selected = next((m for m in catalog if m["name"] == form.methodology.data), catalog[0])
    return render_template("calc/index.html", form=form, result=result, error=error,
                           methodology=selected, skeletons=skeletons), status
