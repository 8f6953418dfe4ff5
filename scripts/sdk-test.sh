#!/usr/bin/env bash
# The SDKs against a real running system: starts one on a scratch database (API, a worker and
# the mock provider; scripts/lib/scratch-system.sh), checks that the committed SDKs are what
# the *served* spec generates (scripts/sdk-generate.sh --check), then runs each SDK's example
# (sdk/examples/): login, seat map, check-in, long poll, pay, long poll, boarding pass, each
# as a passenger of a booking of its own. Fails on drift or on any example not printing a
# boarding pass.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/checkin-target}"
target="$CARGO_TARGET_DIR/debug"
[ -x "$target/checkin-api" ] && [ -x "$target/checkin-seed" ] && [ -x "$target/checkin-worker" ] \
    && [ -x "$target/checkin-paymock" ] || cargo build --workspace --bins
command -v tsc >/dev/null 2>&1 || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 node-typescript
}
command -v node >/dev/null 2>&1 || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 nodejs
}
. scripts/lib/tools-venv.sh
. scripts/lib/scratch-system.sh
work=$(mktemp -d)
trap 'scratch_stop; rm -rf "$work"' EXIT

# Built before the system starts, so that the system's timing does not include a compile.
t0=$(date +%s)
cargo build --quiet --manifest-path sdk/examples/rust/Cargo.toml --locked
tsc --target es6 --module commonjs --lib es2019,dom --outDir "$work/ts" sdk/examples/typescript/checkin-example.ts
echo "sdk: examples built in $(( $(date +%s) - t0 )) s"

scratch_start sdk --flights 1 --bookings 20
t0=$(date +%s)
# The spec as served: valid OpenAPI 3.0, and the same as the committed docs/openapi.json
# (which tools/tests/system/spec.rs keeps equal to what the code generates).
curl -fsS "$API_URL/openapi.json" -o "$work/openapi.json"
openapi-spec-validator "$work/openapi.json"
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
    "$work/openapi.json" docs/openapi.json \
    || { echo "sdk: the served spec differs from docs/openapi.json" >&2; exit 1; }
scripts/sdk-generate.sh --check "$API_URL/openapi.json"
echo "sdk: drift check in $(( $(date +%s) - t0 )) s"

# Three bookings other than the demo one, one per example: PNR and a passenger's last name.
mapfile -t logins < <(mariadb -uroot -h127.0.0.1 -N -B "$SCRATCH_DB" -e "
    SELECT b.pnr, MIN(p.last_name) FROM bookings b JOIN passengers p ON p.booking_id = b.id
    WHERE b.pnr <> 'DEMO01' GROUP BY b.id ORDER BY b.id LIMIT 3")
[ "${#logins[@]}" = 3 ] || { echo "sdk: the seed made fewer than three bookings" >&2; exit 1; }
run() {
    local lang=$1; shift
    local pnr last
    pnr=$(cut -f1 <<<"${logins[$i]}"); last=$(cut -f2 <<<"${logins[$i]}")
    i=$((i + 1))
    local t0; t0=$(date +%s)
    echo "== $lang SDK example (booking $pnr)"
    CHECKIN_API_URL="$API_URL" CHECKIN_PNR="$pnr" CHECKIN_LAST_NAME="$last" "$@" | tee "$work/$lang.out"
    grep -q '^boarding pass: ' "$work/$lang.out" || { echo "sdk: the $lang example printed no boarding pass" >&2; exit 1; }
    echo "sdk: $lang example reached its boarding pass in $(( $(date +%s) - t0 )) s"
}
i=0
run rust "$CARGO_TARGET_DIR/debug/checkin-sdk-example"
run python env PYTHONPATH=sdk/python python sdk/examples/python/checkin_example.py
run typescript node "$work/ts/examples/typescript/checkin-example.js"
