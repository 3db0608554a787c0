"""Flask extensions shared by the factory and the blueprints (created unbound)."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

__all__ = ["csrf", "limiter"]

csrf = CSRFProtect()
#: In-memory counters: per worker process (gunicorn workers count separately).
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=[])
