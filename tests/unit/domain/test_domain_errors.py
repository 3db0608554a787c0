"""errors: messages start with the field path; each class carries exit code and HTTP status."""

from __future__ import annotations

from decimal import Decimal

import pytest

from envalue.chaincode.domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    UnknownMethodologyError,
    ValidationError,
)

pytestmark = pytest.mark.unit


def test_message_starts_with_field_path():
    err = ValidationError("eff_bl", Decimal("1.2"), "efficiency-range", "1.2 is outside (0, 1]")
    assert str(err) == "eff_bl: 1.2 is outside (0, 1]"
    assert (err.field, err.value, err.rule) == ("eff_bl", Decimal("1.2"), "efficiency-range")
    assert err.to_dict() == {
        "type": "ValidationError",
        "field": "eff_bl",
        "value": "1.2",
        "rule": "efficiency-range",
        "message": "eff_bl: 1.2 is outside (0, 1]",
    }


def test_message_without_field():
    assert str(ValidationError("", None, "json", "invalid JSON")) == "invalid JSON"


@pytest.mark.parametrize(
    ("cls", "http", "exit_code"),
    [
        (ValidationError, 400, 2),
        (NotFoundError, 404, 3),
        (UnknownMethodologyError, 404, 2),
        (ConflictError, 409, 4),
        (ForbiddenError, 403, 5),
    ],
)
def test_status_and_exit_codes(cls, http, exit_code):
    err = cls("f", 1, "r", "detail")
    assert isinstance(err, DomainError)
    assert err.http_status == http and err.exit_code == exit_code
