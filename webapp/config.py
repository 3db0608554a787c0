"""Portal settings, read once from the environment by the app factory.

Why one module: the factory, the CLI (`envalue portal enroll`) and gunicorn must agree on
the database, the secrets and the network, so all of them resolve settings here.

Environment:
- ``ENVALUE_PORTAL_SECRET_KEY``: session signing key; when unset a random one is created
  once in ``var/portal/secret_key`` (0600) so the CLI and the server share it.
- ``ENVALUE_PORTAL_KEY_SECRET``: secret from which private-key encryption keys are derived
  (HKDF); defaults to a derivation of the session secret under a separate label.
- ``ENVALUE_PORTAL_DB``: SQLAlchemy URL (default ``sqlite:///<checkout>/var/portal.db``).
- ``ENVALUE_PORTAL_INGEST_DB``: off-chain store for uploads (default: the portal DB).
- ``ENVALUE_READMODEL_DB``: the read model's SQLAlchemy URL (default: ``readmodel.db``
  beside a SQLite portal DB; see `webapp.services.readmodel.readmodel_url`).
- ``ENVALUE_PORTAL_SECURE_COOKIES``: ``1`` behind TLS (session cookie ``Secure``).
- ``ENVALUE_PORTAL_LOGIN_LIMIT``: Flask-Limiter rule for POST /login (default 5/minute).
- ``ENVALUE_PORTAL_RATELIMIT_STORAGE``: where the limits count (``RATELIMIT_STORAGE_URI``):
  default ``memory://``, one count per gunicorn worker (so N workers allow N times the
  rule); ``memcached://host:port`` or ``redis://host:port`` gives all workers one count.
- ``ENVALUE_PORTAL_PROXY_HOPS``: number of trusted reverse proxies (X-Forwarded-*).
- ``ENVALUE_NETWORK``, ``ENVALUE_NETWORK_HOME``, ``ENVALUE_BASE_PORT``: which network.
- ``ENVALUE_PORTAL_BASE_URL``: the portal's external base URL, e.g.
  ``https://portal.example.jp``; certificates' QR codes open ``<base>/verify/<id>``. Unset:
  the URL each request came in on (behind proxies, with ``ENVALUE_PORTAL_PROXY_HOPS``).
- ``ENVALUE_PORTAL_CERTIFICATE_SIGNER``: the enrolled identity (``ORG:USER``) that signs
  retirement certificates (default ``platform:operator1``; empty: certificates cannot be
  downloaded and say so).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

__all__ = ["CHECKOUT", "VAR_DIR", "default_db_url", "load_config", "persistent_secret"]

CHECKOUT = Path(__file__).resolve().parent.parent
VAR_DIR = CHECKOUT / "var"


def default_db_url() -> str:
    """SQLite file under the git-ignored ``var/`` folder."""
    return f"sqlite:///{VAR_DIR / 'portal.db'}"


def persistent_secret(path: Path) -> str:
    """A random secret kept in `path` (created 0600 on first use)."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def _flag(name: str, default: bool = False) -> bool:
    text = os.environ.get(name)
    return default if text is None else text.strip().casefold() in ("1", "true", "yes", "on")


def load_config(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Flask config keys from the environment (see the module docstring)."""
    env = dict(os.environ if environ is None else environ)
    secret = env.get("ENVALUE_PORTAL_SECRET_KEY") or persistent_secret(
        VAR_DIR / "portal" / "secret_key")
    secure = env.get("ENVALUE_PORTAL_SECURE_COOKIES", "0").strip().casefold() in (
        "1", "true", "yes", "on")
    return {
        "SECRET_KEY": secret,
        "KEY_ENCRYPTION_SECRET": env.get("ENVALUE_PORTAL_KEY_SECRET") or "",
        "DATABASE_URL": env.get("ENVALUE_PORTAL_DB") or default_db_url(),
        # uploads' off-chain store: the portal DB unless shared with `envalue ingest --db`
        "INGEST_DATABASE_URL": env.get("ENVALUE_PORTAL_INGEST_DB") or "",
        # the read model `envalue readmodel run` fills: "" = readmodel.db beside the portal DB
        "READMODEL_URL": env.get("ENVALUE_READMODEL_DB") or "",
        "SESSION_COOKIE_NAME": "envalue_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_LANGUAGE_COOKIE_SECURE": secure,
        "PERMANENT_SESSION_LIFETIME": int(env.get("ENVALUE_PORTAL_SESSION_SECONDS", "28800")),
        "LOGIN_RATE_LIMIT": env.get("ENVALUE_PORTAL_LOGIN_LIMIT", "5 per minute"),
        "RATELIMIT_STORAGE_URI": env.get("ENVALUE_PORTAL_RATELIMIT_STORAGE") or "memory://",
        "PROXY_HOPS": int(env.get("ENVALUE_PORTAL_PROXY_HOPS", "0")),
        "NETWORK_NAME": env.get("ENVALUE_NETWORK") or None,
        "NETWORK_HOME": env.get("ENVALUE_NETWORK_HOME") or None,
        "PORTAL_BASE_URL": env.get("ENVALUE_PORTAL_BASE_URL", ""),
        "CERTIFICATE_SIGNER": env.get("ENVALUE_PORTAL_CERTIFICATE_SIGNER",
                                      "platform:operator1"),
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "LEDGER_CONNECT_TIMEOUT": float(env.get("ENVALUE_PORTAL_LEDGER_TIMEOUT", "2")),
    }
