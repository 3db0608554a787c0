"""The portal's own tables (users, audit log) with plain SQLAlchemy 2.

Why not Flask-SQLAlchemy: the CLI provisions users without an app, so the engine and the
session factory are plain objects; `init_app` attaches them to the app and closes the
request's session at teardown (the flaskr `db.py` pattern).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

__all__ = ["ApiToken", "AuditEntry", "Base", "PortalUser", "get_session", "init_app",
           "make_engine", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class PortalUser(Base):
    """A person signing in to the portal, bound to one Fabric CA identity.

    ``role`` is copied from the certificate's ``role`` attribute when the identity is
    provisioned (never typed in); ``key_sealed`` is the private key encrypted with a key
    derived from the server secret (see `webapp.keyseal`), never the PEM itself.
    """

    __tablename__ = "portal_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True, index=True)
    org_key: Mapped[str] = mapped_column(String(32))
    msp_id: Mapped[str] = mapped_column(String(64))
    enrollment_id: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    cert_pem: Mapped[str] = mapped_column(Text)
    key_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    cert_not_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled: Mapped[bool] = mapped_column(default=False)


class ApiToken(Base):
    """A bearer token for programs: only its SHA-256 is stored."""

    __tablename__ = "portal_api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    label: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Who did what, when, and how it ended (written by `webapp.audit.record`)."""

    __tablename__ = "portal_audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    msp_id: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(255), default="")
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")


def make_engine(url: str) -> Engine:
    """An engine for `url`, creating the SQLite folder and the tables when missing."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    return engine


def init_app(app: Flask) -> None:
    """Attach the engine and session factory; close the request's session at teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["envalue.portal.db"] = sessionmaker(engine, expire_on_commit=False)

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def get_session() -> Session:
    """The current request's session (one per app context)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["envalue.portal.db"]()
    return g.db_session  # type: ignore[no-any-return]
