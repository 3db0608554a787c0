"""Upload operation data and read its quality report.

The form posts normally (the report is rendered in the page); `static/js/upload.js`
sends the same form with XMLHttpRequest to show upload progress and asks for the report
fragment only (``X-Requested-With: fetch``).
"""

from __future__ import annotations

from flask import Blueprint, g, render_template, request

from envalue.ingest_service import Problem

from ..forms import UploadForm
from ..security import permission_required
from ..services.ingest import upload as ingest_upload

blueprint = Blueprint("ingest", __name__, url_prefix="/ingest")


def _fragment() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@blueprint.route("/", methods=["GET", "POST"])
@permission_required("ingest.upload")
def upload() -> tuple[str, int] | str:
    form = UploadForm()
    if request.method == "GET" and not form.device.data:  # linked from a registry device
        form.device.data = request.args.get("device", "").strip()
    report, problem, status = None, None, 200
    if form.validate_on_submit():
        upload_file = form.file.data
        try:
            report = ingest_upload(
                g.user, body=upload_file.read(), filename=upload_file.filename or "upload",
                device=form.device.data or "", content_type=upload_file.mimetype,
                options={"period": form.period.data or "day",
                         **({"dry_run": "true"} if form.dry_run.data else {})})
            status = 201 if any(b["status"] == "stored" for b in report["batches"]) else 200
        except Problem as exc:
            problem, status = exc.to_dict(), exc.status
    elif request.method == "POST":
        status = 400
    template = "ingest/_report.html" if _fragment() else "ingest/upload.html"
    return render_template(template, form=form, report=report, problem=problem), status
