"""The portal app, a test client, a throwaway Fabric-like CA and users per role."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from envalue.webapp import create_app
from envalue.webapp.extensions import limiter

from .webapp_helpers import FakeFabricCA, add_user, portal_config


@pytest.fixture(scope="session")
def fabric_ca() -> FakeFabricCA:
    return FakeFabricCA()


@pytest.fixture
def app(tmp_path: Path, fabric_ca: FakeFabricCA) -> Flask:
    application = create_app(portal_config(tmp_path))
    limiter.reset()
    for name, role, org in (("operator1", "operator", "platform"),
                            ("verifier1", "verifier", "platform"),
                            ("auditor1", "auditor", "platform"),
                            ("customer1", "customer", "customer")):
        add_user(application, fabric_ca, name, role, org)
    return application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
