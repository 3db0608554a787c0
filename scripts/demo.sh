#!/usr/bin/env bash
# The README's first command: install everything, then bring up the consortium network.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/envalue network up "$@"
