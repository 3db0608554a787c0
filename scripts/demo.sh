#!/usr/bin/env bash
# The README's first command: install everything, bring the consortium network up, enroll
# the demo users, load the case-study operation data (Ena City PV + NAS battery, boiler
# replacement), bring the partner ledger up beside it and serve the portal, printing its URL
# and the demo logins.
#
#   ./scripts/demo.sh               the whole platform (needs the Fabric binaries)
#   ./scripts/demo.sh --only cas    only the CAs + portal with off-chain data
#
# Any failure stops the demo with the failing step's own message.
set -euo pipefail
cd "$(dirname "$0")/.."

# setup exits 3 when only the Fabric build failed: `--only cas` can go on without it
./scripts/setup.sh || { rc=$?; [ "$rc" -eq 3 ] && [ "${1:-}" = "--only" ] || exit "$rc"; }
envalue=.venv/bin/envalue

"$envalue" network up "$@"
# the partner ledger the Market org's bridge moves tokens to (its own CAs, orderer, peers)
"$envalue" network up --topology partner "$@"
export ENVALUE_BRIDGE_PARTNER_NETWORK=partner
base_port=$("$envalue" network status --json | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["base_port"])')
portal_port=$((base_port + 91))

"$envalue" portal enroll-demo >/dev/null

# case-study operation data, with the defects field data has, into the portal's store
db_url=${ENVALUE_PORTAL_INGEST_DB:-${ENVALUE_PORTAL_DB:-sqlite:///$PWD/var/portal.db}}
if [ ! -f var/.demo-data-loaded ]; then
  mkdir -p var
  "$envalue" simulate ena --days 7 --defects field --keys var/device-keys --store-db "$db_url" >/dev/null
  "$envalue" simulate boiler --days 7 --defects field --keys var/device-keys --store-db "$db_url" >/dev/null
  touch var/.demo-data-loaded
fi

# the same data on the ledger: registry, anchored batches, calculations, approvals, mints,
# a transfer and a retirement; then a 200-site credit program (no peer with --only cas)
if [ "${1:-}" != "--only" ]; then
  "$envalue" scenario load case-studies --store-db "$db_url" --keys var/device-keys
  "$envalue" scenario load credit-program --sites 200 --workers 8 --keys var/device-keys
  # the portal's read model follows the channel (stops with the portal on Ctrl-C)
  "$envalue" readmodel run >var/readmodel.log 2>&1 &
  echo "read model: following the channel (log: var/readmodel.log)"
fi

echo
echo "portal: http://127.0.0.1:${portal_port}/"
"$envalue" portal users
exec "$envalue" portal serve
