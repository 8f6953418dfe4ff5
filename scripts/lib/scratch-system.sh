# Sourced: starts a whole system on a scratch database and key prefix, as CI's fuzzing and
# SDK examples need it: the mock payment provider, one worker (holds, payments, the
# sweeper) and the API, each on a free loopback port. Sets API_URL (the API's base URL) and
# SCRATCH_LOGS; `scratch_stop` (run on EXIT by the caller's trap) stops them and drops the
# database and keys. Needs the debug binaries (cargo build --workspace --bins).
# Usage: . scripts/lib/scratch-system.sh; scratch_start <name> [checkin-seed args...]

_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

scratch_start() {
    local name=$1; shift
    local target="${CARGO_TARGET_DIR:-target}/debug"
    SCRATCH_DB="${name}_$$"
    SCRATCH_PREFIX="${name}$$"
    SCRATCH_LOGS="${TMPDIR:-/tmp}/checkin-$SCRATCH_DB"
    SCRATCH_PIDS=()
    mkdir -p "$SCRATCH_LOGS"
    local api_port paymock_port metrics_port api_metrics_port
    api_port=$(_free_port); paymock_port=$(_free_port); metrics_port=$(_free_port); api_metrics_port=$(_free_port)
    export DATABASE_URL="mysql://root@127.0.0.1:3306/$SCRATCH_DB" QUEUE_PREFIX="$SCRATCH_PREFIX"
    export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}" RUST_LOG="${RUST_LOG:-warn}"
    export PAYMENT_URL="http://127.0.0.1:$paymock_port" PAYMENT_API_KEY=scratch-key PAYMOCK_API_KEY=scratch-key
    mariadb -uroot -h127.0.0.1 -e "CREATE DATABASE \`$SCRATCH_DB\`"
    "$target/checkin-api" migrate up >"$SCRATCH_LOGS/migrate.log" 2>&1
    "$target/checkin-seed" "$@" >"$SCRATCH_LOGS/seed.log"
    PAYMOCK_BIND="127.0.0.1:$paymock_port" PAYMOCK_DECLINE_RATE=0 "$target/checkin-paymock" >"$SCRATCH_LOGS/paymock.log" 2>&1 &
    SCRATCH_PIDS+=($!)
    WORKER_METRICS_BIND="127.0.0.1:$metrics_port" "$target/checkin-worker" >"$SCRATCH_LOGS/worker.log" 2>&1 &
    SCRATCH_PIDS+=($!)
    API_BIND="127.0.0.1:$api_port" API_METRICS_BIND="127.0.0.1:$api_metrics_port" "$target/checkin-api" serve >"$SCRATCH_LOGS/api.log" 2>&1 &
    SCRATCH_PIDS+=($!)
    API_URL="http://127.0.0.1:$api_port"
    for _ in $(seq 1 600); do curl -fsS "$API_URL/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fsS "$API_URL/readyz" >/dev/null || { echo "scratch system: the API did not come up within 60 s (logs: $SCRATCH_LOGS)" >&2; return 1; }
}

scratch_stop() {
    if [ -n "${SCRATCH_PIDS:-}" ]; then
        kill "${SCRATCH_PIDS[@]}" 2>/dev/null || true
        wait "${SCRATCH_PIDS[@]}" 2>/dev/null || true
    fi
    [ -n "${SCRATCH_DB:-}" ] && mariadb -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS \`$SCRATCH_DB\`"
    [ -n "${SCRATCH_PREFIX:-}" ] && { redis-cli --scan --pattern "$SCRATCH_PREFIX:*" | xargs -r redis-cli unlink >/dev/null || true; }
    [ "${KEEP_LOGS:-0}" = 1 ] || rm -rf "${SCRATCH_LOGS:-/nonexistent}"
}
