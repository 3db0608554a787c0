"""The option declaration shared by every bench module (kept free of click so a bench
can be run from Python and tests alike)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BenchParam"]


@dataclass(frozen=True, slots=True)
class BenchParam:
    """One ``--option`` of a bench: `name` is the keyword of ``run`` (``--`` + dashes)."""

    name: str
    type: type
    default: object
    help: str

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")
