"""Who is signed in, and the guards routes use.

Why here and not in the blueprints: pages (session cookie) and the API (bearer token)
resolve the acting user differently but guard with the same permission table
(`webapp.roles`), and services receive that user explicitly.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, g, redirect, request, session, url_for
from sqlalchemy import select

from .db import ApiToken, PortalUser, get_session
from .errors import PortalError
from .roles import allowed

__all__ = ["api_auth_required", "init_app", "login_required", "permission_required",
           "require_permission", "token_sha256"]

F = TypeVar("F", bound=Callable[..., Any])


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _epoch(user: PortalUser) -> str:
    from .services.users import session_epoch

    return session_epoch(user)


def _load_session_user() -> PortalUser | None:
    uid = session.get("uid")
    if not isinstance(uid, int):
        return None
    user = get_session().get(PortalUser, uid)
    if user is None or user.disabled or session.get("epoch") != _epoch(user):
        session.clear()
        return None
    return user


def _load_token_user() -> PortalUser | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    digest = token_sha256(header.removeprefix("Bearer ").strip())
    db = get_session()
    token = db.scalar(select(ApiToken).where(ApiToken.token_sha256 == digest))
    if token is None:
        raise PortalError("the bearer token is not valid", field="Authorization",
                          rule="invalid_token", http_status=401, title="Unauthorized")
    user = db.get(PortalUser, token.user_id)
    return None if user is None or user.disabled else user


def init_app(app: Flask) -> None:
    @app.before_request
    def _resolve_user() -> None:
        g.user = _load_session_user()


def require_permission(user: PortalUser | None, permission: str) -> PortalUser:
    """The user, when signed in and holding `permission`; a 401/403 PortalError otherwise."""
    if user is None:
        raise PortalError("sign in first", rule="unauthenticated", http_status=401,
                          title="Unauthorized")
    if not allowed(user.role, permission):
        raise PortalError(f"role {user.role!r} may not {permission}", field="role",
                          value=user.role, rule=f"permission:{permission}", http_status=403,
                          title="Forbidden")
    return user


def login_required(view: F) -> F:
    """Pages: redirect to the sign-in page when nobody is signed in."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def permission_required(permission: str) -> Callable[[F], F]:
    """Pages: sign-in required, then a 403 page unless the role holds `permission`."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not allowed(g.user.role, permission):
                abort(403, description=f"your role ({g.user.role}) may not open this page")
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def api_auth_required(permission: str) -> Callable[[F], F]:
    """API: a bearer token (programs) or the session (the portal's own scripts)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            # the session cookie counts for reads only: writes need a token (no CSRF)
            session_user = g.get("user") if request.method in ("GET", "HEAD") else None
            user = _load_token_user() or session_user
            g.api_user = require_permission(user, permission)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate
