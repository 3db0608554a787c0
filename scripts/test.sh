#!/usr/bin/env bash
# The README's second command: install what is missing, then run the whole test suite.
# Integration tests bring their own network up once per session on a separate base port.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! ./scripts/setup.sh; then
  # Setup reports each failure (e.g. Fabric binaries that could not be built) itself; the
  # tests that need what is missing say so by name in the summary instead of passing.
  echo "[test] setup is incomplete: tests needing the missing parts report it" >&2
  [ -x .venv/bin/pytest ] || exit 1
fi

.venv/bin/ruff check . || exit 1
.venv/bin/pytest -ra "$@"
