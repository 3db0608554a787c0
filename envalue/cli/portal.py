"""``envalue portal``: serve the web portal and provision its users.

    envalue portal serve [--bind HOST:PORT] [--workers N]   gunicorn on the port plan's portal port
    envalue portal enroll --org platform --user operator1    enroll at the org's Fabric CA
    envalue portal enroll --org platform --user alice --role verifier   register + enroll
    envalue portal enroll --org platform --user op1 --msp-dir PATH      import an MSP folder
    envalue portal enroll-demo                               every consortium user, demo logins
    envalue portal users [--json]                            list portal users (demo logins)
    envalue portal token --username operator1@platform       a bearer token for the API

Passwords come from ``--password-file``, ``ENVALUE_PORTAL_PASSWORD`` or a prompt; with
``--generate-password`` a random one is printed once (demo logins).
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from pathlib import Path

import click

from envalue.cli._output import print_json

__all__ = ["command"]


def _app():  # type: ignore[no-untyped-def]
    from envalue.webapp import create_app

    return create_app()


@click.group("portal")
def command() -> None:
    """The web portal and REST API for consortium members."""


@command.command("serve")
@click.option("--bind", metavar="HOST:PORT", help="Default 127.0.0.1:<base port + 91>.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True)
@click.option("--network", "network_name", metavar="NAME", help="Network name.")
def serve(bind: str | None, workers: int, network_name: str | None) -> None:
    """Run the portal under gunicorn (production WSGI server) until interrupted."""
    from envalue.network.settings import NetworkSettings

    if network_name:
        os.environ["ENVALUE_NETWORK"] = network_name
    settings = NetworkSettings.resolve(name=network_name)
    bind = bind or f"127.0.0.1:{settings.ports.portal}"
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    _app()  # fail here, with a message, rather than in every worker
    click.echo(f"portal: http://{bind}/  (network {settings.name}; `envalue portal users` "
               "lists the logins)", err=True)
    os.execvp(gunicorn, [gunicorn, "--bind", bind, "--workers", str(workers),
                         "--worker-class", "gthread", "--threads", "4",
                         "--access-logfile", "-", "envalue.webapp:create_app()"])


def _password(password_file: Path | None, generate: bool) -> tuple[str, bool]:
    if generate:
        return secrets.token_urlsafe(12), True
    if password_file is not None:
        return password_file.read_text().strip(), False
    if os.environ.get("ENVALUE_PORTAL_PASSWORD"):
        return os.environ["ENVALUE_PORTAL_PASSWORD"], False
    return click.prompt("portal password", hide_input=True, confirmation_prompt=True), False


@command.command("enroll")
@click.option("--org", "org_key", required=True, help="Org key (platform, market, ...).")
@click.option("--user", "enrollment_id", required=True, help="Enrollment id at the CA.")
@click.option("--role", help="Role to grant when registering a new identity.")
@click.option("--msp-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Import this enrolled MSP folder instead of enrolling.")
@click.option("--password-file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--generate-password", is_flag=True, help="Random password, printed once.")
@click.option("--replace", is_flag=True, help="Re-enroll an existing portal user.")
@click.option("--network", "network_name", metavar="NAME")
@click.option("--home", type=click.Path(file_okay=False, path_type=Path),
              help="Network home (default .run/<name>).")
@click.option("--json", "as_json", is_flag=True)
def enroll(org_key: str, enrollment_id: str, role: str | None, msp_dir: Path | None,
           password_file: Path | None, generate_password: bool, replace: bool,
           network_name: str | None, home: Path | None, as_json: bool) -> None:
    """Provision a portal user from its org's Fabric CA (or an enrolled MSP folder).

    The role is read from the certificate's `role` attribute.
    """
    from envalue.network.settings import NetworkSettings
    from envalue.webapp.db import get_session
    from envalue.webapp.errors import PortalError
    from envalue.webapp.services.users import (
        enroll_at_ca,
        key_secret,
        load_msp_folder,
        provision,
    )

    password, generated = _password(password_file, generate_password)
    if home is not None:
        os.environ["ENVALUE_NETWORK_HOME"] = str(home)
    app = _app()
    try:
        if msp_dir is not None:
            cert_pem, key = load_msp_folder(msp_dir)
        else:
            settings = NetworkSettings.resolve(name=network_name, home=home)
            enrollment = enroll_at_ca(settings, org_key, enrollment_id, role=role)
            cert_pem, key = enrollment.cert_pem, enrollment.private_key
        with app.app_context():
            made = provision(get_session(), org_key=org_key, enrollment_id=enrollment_id,
                             cert_pem=cert_pem, private_key=key, password=password,
                             secret=key_secret(app.config), replace=replace)
    except PortalError as exc:
        raise click.ClickException(f"{exc.field + ': ' if exc.field else ''}{exc.detail}"
                                   ) from None
    out = {"username": made.username, "msp_id": made.msp_id, "role": made.role,
           "enrollment_id": made.enrollment_id, "cert_not_after": made.not_after}
    if generated:
        out["password"] = password
    if as_json:
        print_json(out)
    else:
        click.echo(" ".join(f"{k}={v}" for k, v in out.items()))


def _demo_logins_file() -> Path:
    from envalue.webapp.config import VAR_DIR

    return Path(os.environ.get("ENVALUE_PORTAL_DEMO_LOGINS", VAR_DIR / "portal" /
                               "demo-logins.json"))


@command.command("enroll-demo")
@click.option("--network", "network_name", metavar="NAME")
@click.option("--home", type=click.Path(file_okay=False, path_type=Path))
def enroll_demo(network_name: str | None, home: Path | None) -> None:
    """Enroll every consortium user (network/topology.py) as a portal user.

    Random passwords are kept in var/portal/demo-logins.json (0600) for `portal users`.
    """
    import json

    from envalue.network.settings import NetworkSettings
    from envalue.network.topology import PEER_ORGS
    from envalue.webapp.db import get_session
    from envalue.webapp.errors import PortalError
    from envalue.webapp.services.users import enroll_at_ca, key_secret, provision

    if home is not None:
        os.environ["ENVALUE_NETWORK_HOME"] = str(home)
    settings = NetworkSettings.resolve(name=network_name, home=home)
    app = _app()
    logins: dict[str, str] = {}
    try:
        for org in PEER_ORGS:
            for person in org.users:
                enrollment = enroll_at_ca(settings, org.key, person.name)
                password = secrets.token_urlsafe(12)
                with app.app_context():
                    made = provision(get_session(), org_key=org.key,
                                     enrollment_id=person.name, cert_pem=enrollment.cert_pem,
                                     private_key=enrollment.private_key, password=password,
                                     secret=key_secret(app.config), replace=True)
                logins[made.username] = password
                click.echo(f"{made.username:<28} {made.role}", err=True)
    except PortalError as exc:
        raise click.ClickException(exc.detail) from None
    path = _demo_logins_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(logins, handle, indent=1)
    click.echo(f"{len(logins)} portal users; logins in {path} (`envalue portal users`)")


@command.command("users")
@click.option("--json", "as_json", is_flag=True)
def users(as_json: bool) -> None:
    """List the portal's users: the logins, their MSP and the role from their certificate.

    Demo passwords (from `enroll-demo`) are shown when their file is present.
    """
    import json

    from envalue.webapp.db import get_session
    from envalue.webapp.services.users import list_users

    app = _app()
    with app.app_context():
        rows = list_users(get_session())
    try:
        demo = json.loads(_demo_logins_file().read_text())
    except (OSError, ValueError):
        demo = {}
    for row in rows:
        if row["username"] in demo:
            row["demo_password"] = demo[row["username"]]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("no portal users yet: `envalue portal enroll --org platform --user "
                   "operator1 --generate-password`")
    for row in rows:
        click.echo(f"{row['username']:<28} {row['msp_id']:<16} {row['role']:<13} "
                   f"cert until {row['cert_not_after'][:10]}  "
                   f"{row.get('demo_password', '')}".rstrip())


@command.command("token")
@click.option("--username", required=True, help="Portal user, e.g. operator1@platform.")
@click.option("--label", default="cli", show_default=True)
def token(username: str, label: str) -> None:
    """Create an API bearer token for a portal user (printed once)."""
    from sqlalchemy import select

    from envalue.webapp.db import PortalUser, get_session
    from envalue.webapp.services.users import create_api_token

    app = _app()
    with app.app_context():
        db = get_session()
        user = db.scalar(select(PortalUser).where(PortalUser.username == username))
        if user is None:
            raise click.ClickException(f"no portal user {username!r}")
        click.echo(create_api_token(db, user, label))
