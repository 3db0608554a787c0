"""``POST /api/v1/ingest``: a Flask blueprint the portal can mount, and its dev app.

Request forms:
- body = the upload, ``Content-Type: application/json`` or ``text/csv``,
  ``?device=ID`` (or the ``X-Envalue-Device`` header);
- ``multipart/form-data`` with the upload in field ``file`` (its part's content type, else
  its file name, decides JSON or CSV) and the device in ``?device=`` or field ``device``;
  the signature then covers the file's bytes, not the multipart envelope.
Options (query string, or form fields for multipart): ``format``, ``dry_run``,
``counter_capacity``, ``interval``, ``period``, ``tz``, ``assume_tz``, ``meter``.
Batch-header signatures (see `envalue.edge.batch_signing`) come in the
``X-Envalue-Batch-Signatures`` header or the form field ``batch_signatures``.

Answers: 201 with the quality report when new batches were stored, 200 when nothing new
was stored (dry run, or the same data again); errors as ``application/problem+json``
with field, value and rule (400, 401, 409, 413, 415, 422).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, json, request
from werkzeug.exceptions import RequestEntityTooLarge

from envalue.edge.batch_signing import BATCH_SIGNATURES_HEADER
from envalue.edge.signing import DEVICE_HEADER, SIGNATURE_HEADER
from envalue.ingest_service.problems import PROBLEM_CONTENT_TYPE, Problem
from envalue.ingest_service.service import IngestService

__all__ = ["EXTENSION", "OPTION_NAMES", "blueprint", "init_app"]

EXTENSION = "envalue.ingest_service"
OPTION_NAMES = ("format", "dry_run", "counter_capacity", "interval", "period", "tz",
                "assume_tz", "meter")
_MULTIPART_OVERHEAD = 64 * 1024

blueprint = Blueprint("envalue_ingest", __name__)


def init_app(app: Flask, service: IngestService, *, url_prefix: str = "/api/v1") -> None:
    """Mount the blueprint on `app` with `service` behind it."""
    app.extensions[EXTENSION] = service
    app.register_blueprint(blueprint, url_prefix=url_prefix)


def _service() -> IngestService:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def _problem(p: Problem) -> Response:
    return Response(json.dumps(p.to_dict()), status=p.status, mimetype=PROBLEM_CONTENT_TYPE)


@blueprint.errorhandler(Problem)
def _on_problem(p: Problem) -> Response:
    return _problem(p)


def _too_large(limit: int, got: str) -> Problem:
    return Problem(413, "Upload too large", f"at most {limit} bytes per upload; split it "
                   "by period", "body_too_large", "body", got)


def _device(form: Any = None) -> str | None:
    device = request.args.get("device") or (form.get("device") if form else None)
    header = request.headers.get(DEVICE_HEADER)
    if device and header and header != device:
        raise Problem(400, "Device mismatch", f"{DEVICE_HEADER} names {header!r} but the "
                      f"request names {device!r}", "device_mismatch", DEVICE_HEADER, header)
    return device or header


def _multipart(limit: int) -> tuple[bytes, str | None, str, dict[str, str]]:
    request.max_content_length = limit + _MULTIPART_OVERHEAD
    try:
        files, form = request.files, request.form
    except RequestEntityTooLarge:
        raise _too_large(limit, str(request.content_length)) from None
    upload = files.get("file") or next(iter(files.values()), None)
    if upload is None:
        raise Problem(400, "No file", "multipart upload without a file part (field 'file')",
                      "missing_file", "file", "")
    body = upload.read(limit + 1)
    if len(body) > limit:
        raise _too_large(limit, f">{limit}")
    ctype = upload.mimetype if upload.mimetype not in ("", "application/octet-stream") \
        else None
    name = upload.filename or "upload"
    if ctype is None:
        low = name.casefold()
        ctype = ("application/json" if low.endswith(".json")
                 else "text/csv" if low.endswith((".csv", ".txt")) else None)
    options = {k: form[k] for k in OPTION_NAMES if k in form}
    return body, ctype, name, options | {"device": form.get("device", ""),
                                         "batch_signatures": form.get("batch_signatures", "")}


@blueprint.post("/ingest")
def ingest_upload() -> Response:
    """Ingest one upload; see the module docstring."""
    service = _service()
    limit = service.config.max_body_bytes
    length = request.content_length
    mime = request.mimetype
    if mime == "multipart/form-data":
        if length is not None and length > limit + _MULTIPART_OVERHEAD:
            raise _too_large(limit, str(length))
        body, ctype, source, form = _multipart(limit)
        options = form
        device = _device(form)
        batch_sigs = form.get("batch_signatures") or request.headers.get(
            BATCH_SIGNATURES_HEADER)
    else:
        if length is not None and length > limit:
            raise _too_large(limit, str(length))
        body = request.stream.read(limit + 1)
        if len(body) > limit:
            raise _too_large(limit, f">{limit}")
        ctype, source, options = request.content_type, "http", {}
        device = _device()
        batch_sigs = request.headers.get(BATCH_SIGNATURES_HEADER)
    options = {k: v for k, v in options.items() if k in OPTION_NAMES}
    options |= {k: request.args[k] for k in OPTION_NAMES if k in request.args}
    report = service.handle(device=device, body=body, content_type=ctype,
                            signature=request.headers.get(SIGNATURE_HEADER),
                            source=f"http:{source}", options=options,
                            batch_signatures=batch_sigs)
    created = any(b["status"] == "stored" for b in report["batches"])
    return Response(json.dumps(report), status=201 if created else 200,
                    mimetype="application/json")
