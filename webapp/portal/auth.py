"""Sign-in, sign-out and the language choice (rate-limited, CSRF-protected, audited)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from .. import audit
from ..db import get_session
from ..extensions import limiter
from ..forms import LanguageForm, LoginForm, LogoutForm
from ..i18n import LANGUAGE_COOKIE
from ..services.users import authenticate, session_epoch

blueprint = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return url_for("dashboard.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("dashboard.index")
    return target


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Response | str:
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        db = get_session()
        user = authenticate(db, form.username.data or "", form.password.data or "")
        if user is None:
            audit.record(db, actor=form.username.data or "", action="auth.login",
                         outcome="refused", detail="bad credentials")
            flash(_("Wrong user name or password."), "error")
            return make_response(render_template("auth/login.html", form=form), 401)
        session.clear()  # no session fixation: a fresh session for the signed-in user
        session["uid"] = user.id
        session["epoch"] = session_epoch(user)
        session.permanent = True
        audit.record(db, actor=user.username, msp_id=user.msp_id, action="auth.login",
                     outcome="ok")
        return redirect(_safe_next(form.next.data))
    return render_template("auth/login.html", form=form)


@blueprint.post("/logout")
def logout() -> Response:
    form = LogoutForm()
    if form.validate_on_submit() and g.get("user") is not None:
        audit.record(get_session(), actor=g.user.username, msp_id=g.user.msp_id,
                     action="auth.logout", outcome="ok")
    session.clear()
    return redirect(url_for("auth.login"))


@blueprint.post("/language")
def language() -> Response:
    """Remember the language: on the user's profile when signed in, and in a cookie."""
    form = LanguageForm()
    response = redirect(_safe_next(form.next.data or request.referrer and
                                   urlsplit(request.referrer).path))
    if not form.validate_on_submit():
        return response
    chosen = form.language.data or "en"
    user = g.get("user")
    db = get_session()
    if user is not None:
        user.language = chosen
        db.commit()
    audit.record(db, actor=user.username if user else "anonymous",
                 msp_id=user.msp_id if user else "", action="profile.language",
                 target=chosen, outcome="ok")
    response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, httponly=True,
                        samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response
