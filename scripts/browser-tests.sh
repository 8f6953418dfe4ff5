#!/usr/bin/env bash
# The passenger page and the ops dashboard in headless Chromium (Debian's, driven by
# playwright-core; no browser download), against a real system this script starts on
# loopback with a scratch database. Installs chromium and node from Debian if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
target="${CARGO_TARGET_DIR:-target}"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}"
fi
work=target/browser
mkdir -p "$work/shots"
if [ ! -d "$work/node_modules/playwright-core" ]; then
    (cd "$work" && npm install --silent --no-audit --no-fund playwright-core@1.65.1 >/dev/null)
fi
cargo build --quiet --workspace --bins

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
db="browser_$$"
api_port=$(free_port); pay_port=$(free_port); dash_port=$(free_port); metrics_port=$(free_port)
export DATABASE_URL="mysql://root@127.0.0.1:3306/$db" QUEUE_PREFIX="browser$$" RUST_LOG=error
export PAYMENT_URL="http://127.0.0.1:$pay_port" DASHBOARD_PASSWORD="browser-test-$$"
pids=()
cleanup() {
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    mariadb -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS \`$db\`"
    redis-cli --scan --pattern "$QUEUE_PREFIX:*" | xargs -r redis-cli unlink >/dev/null || true
}
trap cleanup EXIT
mariadb -uroot -h127.0.0.1 -e "CREATE DATABASE \`$db\`"
"$target/debug/checkin-api" migrate up >/dev/null 2>&1
"$target/debug/checkin-api" seed --flights 1 --bookings 20 >/dev/null
PAYMOCK_DECLINE_RATE=0 PAYMOCK_BIND="127.0.0.1:$pay_port" "$target/debug/checkin-paymock" >/dev/null 2>&1 & pids+=($!)
API_BIND="127.0.0.1:$api_port" "$target/debug/checkin-api" serve >/dev/null 2>&1 & pids+=($!)
WORKER_METRICS_BIND="127.0.0.1:$metrics_port" "$target/debug/checkin-worker" >/dev/null 2>&1 & pids+=($!)
DASHBOARD_BIND="127.0.0.1:$dash_port" "$target/debug/checkin-dashboard" >/dev/null 2>&1 & pids+=($!)
wait_up() {
    for _ in $(seq 1 600); do curl -fsS "$2" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "browser tests: $1 did not come up within 60 s ($2)" >&2
    exit 1
}
wait_up "payment service" "http://127.0.0.1:$pay_port/healthz"
wait_up API "http://127.0.0.1:$api_port/readyz"
wait_up worker "http://127.0.0.1:$metrics_port/metrics"
wait_up dashboard "http://127.0.0.1:$dash_port/healthz"

# ES modules resolve imports from their own folder: run copies beside node_modules.
cp "$repo/api/tests/browser/checkin-flow.mjs" "$repo/dashboard/tests/browser/overview.mjs" "$work/"
cd "$work"
node checkin-flow.mjs "http://127.0.0.1:$api_port" shots
node overview.mjs "http://127.0.0.1:$dash_port" ops "$DASHBOARD_PASSWORD" shots
