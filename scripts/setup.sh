#!/usr/bin/env bash
# Install everything envalue needs on a fresh Debian machine of this project's kind:
# system packages, the Python virtualenv with the project, and the pinned Fabric binaries.
# Idempotent: what is already there is reused.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

need_apt=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need_apt+=(mosquitto)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql)
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)  # portal browser tests
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)   # certificate PDF checks
command -v zbarimg >/dev/null 2>&1 || need_apt+=(zbar-tools)       # certificate QR checks
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing system packages: ${need_apt[*]} (install them with apt-get as root)"; exit 1
  fi
  log "installing system packages: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! command -v go >/dev/null 2>&1; then
  log "Go is not on PATH: building Fabric needs Go >= 1.26.4"; exit 1
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  log "creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
stamp=.venv/.envalue-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  log "installing the project and its dependencies into .venv"
  .venv/bin/pip install -q -U pip setuptools wheel
  .venv/bin/pip install -q -e '.[dev]'
  touch "$stamp"
fi

log "building the pinned Fabric binaries (reused when already built)"
.venv/bin/envalue setup
