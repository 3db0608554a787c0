"""Reading JSON request bodies without binary floats (the domain's exact reader)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request

from envalue.chaincode.domain.quantity import loads

from ...errors import PortalError

MAX_BODY = 1024 * 1024


def json_body() -> Mapping[str, Any]:
    """The request's JSON object, numbers as Decimal/int; problem+json 400/415 otherwise."""
    if request.mimetype != "application/json":
        raise PortalError("send application/json", field="Content-Type",
                          value=request.mimetype, rule="media_type", http_status=415,
                          title="Unsupported media type")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY:
        raise PortalError(f"at most {MAX_BODY} bytes", field="body", value=str(len(raw)),
                          rule="max_size", http_status=413)
    data = loads(raw)
    if not isinstance(data, Mapping):
        raise PortalError("expected a JSON object", field="body", rule="object")
    return data


def required_str(data: Mapping[str, Any], name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if value is None:
        raise PortalError("required", field=name, rule="required")
    if not isinstance(value, str) or not value:
        raise PortalError("must be a non-empty string", field=name, value=str(value),
                          rule="string")
    return value
