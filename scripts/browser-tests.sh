#!/usr/bin/env bash
# The passenger page and the ops dashboard in headless Chromium (Debian's, driven by PyPI's
# playwright in target/tools-venv, whose wheel carries its own driver: no browser download,
# no npm, no system node), against a real system this script starts on loopback with a
# scratch database. Installs chromium from Debian if missing.
#
#   api/tests/browser/checkin_flow.py  log in, hold, release, pay, boarding pass; its PDF417
#                                      read back from a screenshot by zxing-cpp, every BCBP
#                                      field checked at its IATA position (bcbp_check.py)
#   api/tests/browser/seat_push.py     two pages: a seat held on one greys out on the other
#                                      within a second, pushed, no polling
#   dashboard/tests/browser/overview.py  the dashboard is live
#   dashboard/tests/browser/ops.py     every operator screen and action, and charts showing
#                                      a burst the test sends
# Screenshots: target/browser/shots/.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
target="${CARGO_TARGET_DIR:-target}"

if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 chromium
fi
chromium=$(command -v chromium)
work=target/browser
mkdir -p "$work/shots"
# The same venv as scripts/fuzz-api.sh. Never `playwright install`: it downloads a browser.
venv=target/tools-venv
playwright_version=1.65.2
if [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("playwright"))' 2>/dev/null)" != "$playwright_version" ]; then
    if [ ! -x "$venv/bin/pip" ] && ! python3 -m venv "$venv" 2>/dev/null; then
        # Debian's python3 needs its venv module installed separately.
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 python3-venv
        rm -rf "$venv" && python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install -q "playwright==$playwright_version"
fi
# An independent barcode reader for the boarding pass test.
if ! "$venv/bin/python" -c 'import zxingcpp, PIL' 2>/dev/null; then
    "$venv/bin/pip" install -q "zxing-cpp==3.1.1" "pillow==13.0.0"
fi
cargo build --quiet --workspace --bins

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
db="browser_$$"
api_port=$(free_port); pay_port=$(free_port); dash_port=$(free_port); metrics_port=$(free_port); api_metrics_port=$(free_port)
export DATABASE_URL="mysql://root@127.0.0.1:3306/$db" QUEUE_PREFIX="browser$$" RUST_LOG=error
export PAYMENT_URL="http://127.0.0.1:$pay_port" DASHBOARD_PASSWORD="browser-test-$$"
# The dashboard test makes a stuck check-in for an operator to re-drive: the sweeper must not
# re-drive it first. The overview is rebuilt every second, so the test waits less.
export REDRIVE_AFTER_SECS=600 DASHBOARD_REFRESH_MS=1000
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
"$target/debug/checkin-seed" --flights 1 --bookings 20 >/dev/null
PAYMOCK_DECLINE_RATE=0 PAYMOCK_BIND="127.0.0.1:$pay_port" "$target/debug/checkin-paymock" >/dev/null 2>&1 & pids+=($!)
API_BIND="127.0.0.1:$api_port" API_METRICS_BIND="127.0.0.1:$api_metrics_port" "$target/debug/checkin-api" serve >/dev/null 2>&1 & pids+=($!)
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

export CHROMIUM="$chromium"
"$venv/bin/python" "$repo/api/tests/browser/checkin_flow.py" "http://127.0.0.1:$api_port" "$work/shots"
"$venv/bin/python" "$repo/api/tests/browser/seat_push.py" "http://127.0.0.1:$api_port" "$work/shots"
"$venv/bin/python" "$repo/dashboard/tests/browser/overview.py" "http://127.0.0.1:$dash_port" ops "$DASHBOARD_PASSWORD" "$work/shots"
"$venv/bin/python" "$repo/dashboard/tests/browser/ops.py" "http://127.0.0.1:$dash_port" ops "$DASHBOARD_PASSWORD" "http://127.0.0.1:$api_port" "$work/shots"
echo "browser tests: screenshots in $work/shots/"
