#!/usr/bin/env bash
# Property-based fuzzing of the API from its own OpenAPI spec (schemathesis): every
# operation gets hundreds of generated requests, valid and not, with a real session token.
# Fails on any 5xx, any status the spec does not list, and any body that breaks its schema.
# Runs the checkin-api binary built by `cargo test` on a scratch database it drops after.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
api="$target/debug/checkin-api"
[ -x "$api" ] && [ -x "$target/debug/checkin-seed" ] || cargo build --workspace --bins

venv=target/tools-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
    if [ ! -x "$venv/bin/pip" ] && ! python3 -m venv "$venv" 2>/dev/null; then
        # Debian's python3 needs its venv module installed separately.
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 python3-venv
        rm -rf "$venv" && python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install -q 'schemathesis==4.*'
fi

db="fuzz_$$"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="mysql://root@127.0.0.1:3306/$db" QUEUE_PREFIX="fuzz$$" RUST_LOG=error
mariadb -uroot -h127.0.0.1 -e "CREATE DATABASE \`$db\`"
cleanup() {
    [ -n "${pid:-}" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; } || true
    mariadb -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS \`$db\`"
    redis-cli --scan --pattern "$QUEUE_PREFIX:*" | xargs -r redis-cli unlink >/dev/null || true
}
trap cleanup EXIT
"$api" migrate up >/dev/null 2>&1
"$target/debug/checkin-seed" --flights 1 --bookings 20 >/dev/null
API_BIND="127.0.0.1:$port" "$api" serve >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { echo "fuzz: the API did not come up within 60 s" >&2; exit 1; }
token=$(curl -fsS -X POST "http://127.0.0.1:$port/v1/sessions" -H 'content-type: application/json' \
    -d '{"pnr":"DEMO01","last_name":"Smith"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "${FUZZ_EXAMPLES:-50}" --seed "${FUZZ_SEED:-1}" --no-color 2>&1 | tail -12
