"""Errors of the ingestion front ends as RFC 9457 problem details.

Why one type: HTTP answers with ``application/problem+json`` and MQTT publishes the same
object on the result topic, so a client sees the same field / value / rule whichever way
it sent the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

__all__ = ["PROBLEM_CONTENT_TYPE", "Problem"]

PROBLEM_CONTENT_TYPE = "application/problem+json"


@dataclass
class Problem(Exception):
    """An upload refused as a whole. `rule` names the check, `field`/`value` what failed."""

    status: int
    title: str
    detail: str
    rule: str
    field: str | None = None
    value: str | None = None
    extra: dict[str, Any] = dc_field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.rule}: {self.detail}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": f"urn:envalue:problem:{self.rule}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "rule": self.rule,
        }
        if self.field is not None:
            out["field"] = self.field
        if self.value is not None:
            out["value"] = self.value[:200]
        return out | self.extra
