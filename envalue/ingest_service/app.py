"""A minimal Flask app serving only the ingestion blueprint (`envalue serve-ingest`).

The portal mounts the same blueprint with `init_app`; this factory exists so ingestion can
run on its own during development and in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, json

from envalue.ingest_service.http import init_app
from envalue.ingest_service.problems import PROBLEM_CONTENT_TYPE, Problem
from envalue.ingest_service.service import IngestService

__all__ = ["create_app"]


def create_app(service: IngestService, test_config: Mapping[str, Any] | None = None) -> Flask:
    """The app with the blueprint at /api/v1 and problem+json for routing errors."""
    app = Flask("envalue.ingest_service")
    if test_config:
        app.config.update(test_config)
    init_app(app, service)

    @app.errorhandler(404)
    @app.errorhandler(405)
    def _http_error(exc: Any) -> Response:
        rule = exc.name.casefold().replace(" ", "_")
        body = Problem(exc.code, exc.name, exc.description, rule).to_dict()
        return Response(json.dumps(body), status=exc.code, mimetype=PROBLEM_CONTENT_TYPE)

    @app.get("/healthz")
    def _health() -> dict[str, str]:
        return {"status": "ok"}

    return app
