"""The envalue portal: a Flask app factory with one blueprint per area.

    create_app()  ->  auth, dashboard, ingest (+ the ingestion API), calc, verify,
                      wallet, credits, trace, audit, api/v1 (JSON + OpenAPI)

Resources are set up by `init_app` helpers (database, i18n, security, gateway, errors),
following flask's tutorial app; configuration comes from the environment
(`webapp.config`) and `test_config` overrides it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

__all__ = ["create_app"]


def _security_headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint and not request.endpoint.startswith("static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _register_blueprints(app: Flask) -> None:
    from .api.v1 import blueprint as api_v1
    from .extensions import csrf
    from .portal import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.register_blueprint(api_v1, url_prefix="/api/v1")
    csrf.exempt(api_v1)  # bearer tokens, never cookies, authorise API writes
    from .bridge_api import blueprint as bridge_api

    app.register_blueprint(bridge_api, url_prefix="/bridge/v1")
    csrf.exempt(bridge_api)  # signed requests (envalue.bridge.signing), never cookies
    try:  # the device ingestion API, when its package is installed
        from envalue.ingest_service.http import blueprint as ingest_api
        from envalue.ingest_service.http import init_app as init_ingest_api
    except ImportError:  # pragma: no cover - depends on another engineer's package
        return
    from .services.ingest import make_service

    init_ingest_api(app, make_service(app.config))
    csrf.exempt(ingest_api)  # devices authenticate by signature, not by cookie


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the portal. `test_config` overrides settings read from the environment."""
    from . import db, errors, i18n, security
    from .config import load_config
    from .extensions import csrf, limiter
    from .gateway import LedgerGateway
    from .roles import nav_for

    app = Flask(__name__)
    environ = dict(os.environ)
    if test_config and test_config.get("SECRET_KEY"):  # no secret file for tests
        environ["ENVALUE_PORTAL_SECRET_KEY"] = str(test_config["SECRET_KEY"])
    app.config.from_mapping(load_config(environ))
    if test_config:
        app.config.from_mapping(test_config)
    if app.config.get("PROXY_HOPS"):
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    LedgerGateway.from_config(app.config).init_app(app)
    _register_blueprints(app)
    app.after_request(_security_headers)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        user = g.get("user")
        return {"current_user": user, "nav": nav_for(user.role if user else None),
                "languages": i18n.LANGUAGES, "current_language": i18n.select_locale()}

    @app.get("/healthz")
    def _health() -> dict[str, str]:
        return {"status": "ok"}

    return app
