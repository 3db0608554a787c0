"""The portal's HTML blueprints, one per area; `BLUEPRINTS` is what the factory mounts."""

from __future__ import annotations

from .audit_log import blueprint as audit_bp
from .auth import blueprint as auth_bp
from .calc import blueprint as calc_bp
from .calculations import blueprint as calculations_bp
from .credits import blueprint as credits_bp
from .dashboard import blueprint as dashboard_bp
from .exports import blueprint as exports_bp
from .ingest import blueprint as ingest_bp
from .registry import blueprint as registry_bp
from .reports import blueprint as reports_bp
from .trace import blueprint as trace_bp
from .verify import blueprint as verify_bp
from .wallet import blueprint as wallet_bp

__all__ = ["BLUEPRINTS"]

BLUEPRINTS = (auth_bp, dashboard_bp, ingest_bp, calc_bp, verify_bp, wallet_bp, credits_bp,
              trace_bp, audit_bp, reports_bp, exports_bp, registry_bp, calculations_bp)
