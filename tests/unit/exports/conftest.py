"""The read-model tests' helpers (`readmodel_world`, `tokens_harness`, the projector test's
worlds) are imported by module name, as tests/unit/readmodel does."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[1] / folder) for folder in ("readmodel", "tokens")
                if str(Path(__file__).parents[1] / folder) not in sys.path]
