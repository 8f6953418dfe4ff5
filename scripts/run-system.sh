#!/usr/bin/env bash
# Runs the whole system on this machine: installs/starts MariaDB and Redis if missing,
# creates and migrates the `checkin` database, seeds a demo flight the first time, then
# starts the mock payment provider, the API, the autoscaler with its workers (local
# processes, 2 at least, more when a backlog builds up) and the dashboard, and prints their
# URLs. Ctrl-C stops them all (the autoscaler stops its workers with SIGTERM first). Settings come from the environment (see .env.example);
# a .env file beside this repository's Cargo.toml is read first if present.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f .env ]; then set -a; . ./.env; set +a; fi
command -v cargo >/dev/null 2>&1 || { echo "run: install Rust 1.94 or newer (rustup) first." >&2; exit 1; }
scripts/ensure-services.sh

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/checkin-target}"
PROFILE="${PROFILE:-debug}"
if [ "$PROFILE" = release ]; then cargo build --release --workspace --bins; else cargo build --workspace --bins; fi
BIN="$CARGO_TARGET_DIR/$PROFILE"

export DATABASE_URL="${DATABASE_URL:-mysql://root@127.0.0.1:3306/checkin}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export PAYMENT_URL="${PAYMENT_URL:-http://127.0.0.1:8090}"
export PAYMOCK_BIND="${PAYMOCK_BIND:-127.0.0.1:8090}"
export API_BIND="${API_BIND:-127.0.0.1:8080}"
export API_METRICS_BIND="${API_METRICS_BIND:-127.0.0.1:9090}"
# checkin-sim sends a whole flight's logins from this machine's one address: no address
# limit here unless asked (the per-PNR limit stays; docs/security.md).
export LOGIN_PER_ADDRESS_PER_MIN="${LOGIN_PER_ADDRESS_PER_MIN:-0}"
export DASHBOARD_BIND="${DASHBOARD_BIND:-127.0.0.1:8081}"
export DASHBOARD_USER="${DASHBOARD_USER:-ops}"
export AUTOSCALER_METRICS_BIND="${AUTOSCALER_METRICS_BIND:-127.0.0.1:9089}"
if [ -z "${DASHBOARD_PASSWORD:-}" ]; then
    DASHBOARD_PASSWORD="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
fi
export DASHBOARD_PASSWORD

db_name="${DATABASE_URL##*/}"; db_name="${db_name%%\?*}"
mariadb -uroot -h127.0.0.1 -e "CREATE DATABASE IF NOT EXISTS \`$db_name\`"
"$BIN/checkin-api" migrate up
if [ "$(mariadb -uroot -h127.0.0.1 -N -e "SELECT COUNT(*) FROM \`$db_name\`.flights")" = 0 ]; then
    "$BIN/checkin-seed" --flights 1 --bookings 150
fi

logs=target/run; mkdir -p "$logs"
pids=()
start() { local name=$1; shift; "$@" >"$logs/$name.log" 2>&1 & pids+=($!); }
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; echo "stopped."; }
trap stop EXIT INT TERM

start paymock "$BIN/checkin-paymock"
start api "$BIN/checkin-api" serve
# The workers are the autoscaler's children: worker-<slot>.log in $logs, metrics on 9091 for
# slot 1, 9092 for slot 2, and so on.
start autoscaler env AUTOSCALER_BACKEND=processes \
    AUTOSCALER_MIN_WORKERS="${AUTOSCALER_MIN_WORKERS:-2}" \
    AUTOSCALER_WORKER_BIN="$BIN/checkin-worker" AUTOSCALER_WORKER_LOG_DIR="$logs" \
    AUTOSCALER_WORKER_METRICS_BASE_PORT="${AUTOSCALER_WORKER_METRICS_BASE_PORT:-9091}" \
    "$BIN/checkin-autoscaler"
start dashboard "$BIN/checkin-dashboard"

for _ in $(seq 1 50); do curl -fsS "http://$API_BIND/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
cat <<MSG

The check-in system is running (logs in $logs/):
  passenger page   http://$API_BIND/            (demo booking: PNR DEMO01, last name Smith)
  API docs         http://$API_BIND/docs        (spec: http://$API_BIND/openapi.json)
  API metrics      http://$API_METRICS_BIND/metrics  (its own listener; workers: http://127.0.0.1:${AUTOSCALER_WORKER_METRICS_BASE_PORT:-9091}/metrics, then one port up per worker)
  autoscaler       http://$AUTOSCALER_METRICS_BIND/metrics  (workers ${AUTOSCALER_MIN_WORKERS:-2} to ${AUTOSCALER_MAX_WORKERS:-8}; decisions in $logs/autoscaler.log)
  dashboard        http://$DASHBOARD_BIND/       (user $DASHBOARD_USER, password $DASHBOARD_PASSWORD)
  payment mock     http://$PAYMOCK_BIND/_stats

Press Ctrl-C to stop.
MSG
wait
