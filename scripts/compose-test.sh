#!/usr/bin/env bash
# The whole docker-compose topology, for real, with faults, on this machine:
#
#   1. images from Debian's packages and the host's binaries (scripts/images.sh);
#   2. docker-compose.yml + docker-compose.ci.yml up under a project of its own
#      (checkin-ci-<pid>), WORKERS workers, host ports chosen free, every service healthy;
#   3. demo data: the `seed` service (profile demo), then a login through the published port;
#   4. a bounded checkin-sim burst (tools image, on the compose network, against
#      http://api:8080); while it runs: one worker killed (SIGKILL), lock2 cut off the
#      network and later reconnected, MariaDB restarted;
#      At +15 s the autoscaler starts (service `autoscaler`, profile autoscale, compose
#      backend, min 1, max AS_MAX_WORKERS, short cooldowns): it takes over the WORKERS
#      workers and, the burst being light, scales them down to 1 while traffic flows;
#   5. after the burst, waits until every accepted check-in has ended (bounded);
#   6. the autoscaler's own burst: with 1 worker running, AS_PASSENGERS passengers arrive
#      at once (a second checkin-sim); it must scale the compose workers up to 2 or more,
#      and back down to 1 once the burst has drained, every worker it stopped exiting 0
#      (SIGTERM, then the worker drains); its decisions (scaling_decisions) are printed;
#   7. the checker's rules on MariaDB over both bursts, and a table of figures: accepted,
#      ended, lost (must be 0), doubled (must be 0), time to drain, the autoscaler's
#      decisions.
# Always removes what it started (containers, network, volumes), also on failure; then it
# prints the last log lines of each service first. Exit status 0 = every check passed.
#
# Env (defaults): PROFILE (debug: the binaries scripts/test.sh builds), WORKERS (3),
#   PASSENGERS (300), SIM_RATE (8 arrivals/s; see below), SIM_SEED (1),
#   SIM_TIMEOUT (240 s), DRAIN_TIMEOUT (120 s), HOLD_TTL_SECS (30, so abandoned holds end
#   soon), CHECKIN_CI_SKIP_CARGO=1 (do not run cargo build; scripts/test.sh built already),
#   COMPOSE ("docker compose" if that works, else docker-compose), AS_MAX_WORKERS (4),
#   AS_PASSENGERS (600), AS_TIMEOUT (120 s: to scale up during the burst, and back down to 1
#   after it).
#
# Why 8 arrivals/s (300 passengers arrive over 37 s) rather than all at once: checkin-sim
# reads its verdict with the database pool it seeded with, and that pool checks a
# connection before use only after 30 s idle (domain/src/db.rs); after the MariaDB restart
# a shorter burst gets a closed connection and checkin-sim ends with "error communicating
# with database" instead of a verdict. Arrivals spread over more than 30 s avoid that, and
# keep traffic flowing through all the faults (at +3 s to +15 s).
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PROFILE="${PROFILE:-debug}"
WORKERS="${WORKERS:-3}"
PASSENGERS="${PASSENGERS:-300}"
SIM_RATE="${SIM_RATE:-8}"
SIM_SEED="${SIM_SEED:-1}"
SIM_TIMEOUT="${SIM_TIMEOUT:-240}"
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-120}"
UP_TIMEOUT="${UP_TIMEOUT:-180}"
HOLD_TTL="${HOLD_TTL_SECS:-30}"
AS_MAX_WORKERS="${AS_MAX_WORKERS:-4}"
AS_PASSENGERS="${AS_PASSENGERS:-600}"
AS_TIMEOUT="${AS_TIMEOUT:-120}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/checkin-target}"

P="checkin-ci-$$"
NET="${P}_default"
SIM="$P-sim"
SIM2="$P-sim2"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/checkin-compose-test.XXXXXX")"
# The env file the autoscaler's compose reads, inside the project directory it mounts.
AS_ENV="target/compose-ci/$P.env"
EVENTS_PID=""
T0=$SECONDS

say() { printf '[%3ds] %s\n' "$((SECONDS - T0))" "$*"; }
die() { say "FAIL: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# ------------------------------------------------------------------ compose and cleanup
if [ -n "${COMPOSE:-}" ]; then
    read -r -a COMPOSE_CMD <<<"$COMPOSE"
elif docker compose version >/dev/null 2>&1; then
    COMPOSE_CMD=(docker compose)
elif have docker-compose; then
    COMPOSE_CMD=(docker-compose)
else
    die "neither \`docker compose\` nor docker-compose found"
fi
compose() {
    "${COMPOSE_CMD[@]}" -p "$P" --env-file "$WORK/env" \
        -f docker-compose.yml -f docker-compose.ci.yml --profile demo "$@"
}
# Containers of this run, by service (one-off `run` containers excluded).
ids_of() {
    docker ps -aq --filter "label=com.docker.compose.project=$P" \
        --filter "label=com.docker.compose.service=$1" --filter "label=com.docker.compose.oneoff=False"
}
one_of() { ids_of "$1" | head -n 1; }

SERVICES=(mariadb redis lock1 lock2 lock3 migrate paymock api worker dashboard autoscaler)
show_logs() {
    local s id
    for s in "${SERVICES[@]}"; do
        for id in $(ids_of "$s"); do
            printf -- '---- %s (%s): last log lines\n' "$s" "$(docker inspect -f '{{.Name}}' "$id" | tr -d /)"
            docker logs --tail=25 "$id" 2>&1 | cut -c1-400 || true
        done
    done
    for s in "$SIM" "$SIM2"; do
        if docker inspect "$s" >/dev/null 2>&1; then
            printf -- '---- %s: last lines\n' "$s"
            docker logs --tail=40 "$s" 2>&1 | cut -c1-400 || true
        fi
    done
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM ERR
    if [ "$rc" -ne 0 ] && [ -f "$WORK/env" ]; then
        show_logs >&2
    fi
    say "cleaning up $P"
    [ -z "$EVENTS_PID" ] || kill "$EVENTS_PID" 2>/dev/null
    # The autoscaler first: it would start workers again while `down` stops them.
    ids_of autoscaler | xargs -r docker rm -f -v >/dev/null 2>&1
    docker rm -f "$SIM" "$SIM2" >/dev/null 2>&1
    rm -f "$AS_ENV"
    [ -f "$WORK/env" ] && compose down -v --remove-orphans -t 10 >/dev/null 2>&1
    # Whatever `down` left (a network still held by a container, a volume).
    docker ps -aq --filter "label=com.docker.compose.project=$P" | xargs -r docker rm -f -v >/dev/null 2>&1
    docker network ls -q --filter "label=com.docker.compose.project=$P" | xargs -r docker network rm >/dev/null 2>&1
    docker volume ls -q --filter "label=com.docker.compose.project=$P" | xargs -r docker volume rm >/dev/null 2>&1
    rm -rf "$WORK"
    say "$([ "$rc" -eq 0 ] && echo PASS || echo "FAIL (exit $rc)") in $((SECONDS - T0)) s"
    exit "$rc"
}
trap cleanup EXIT
trap 'say "FAIL: line $LINENO: $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# Leftovers of runs that were killed before their cleanup (their process is gone).
for old in $({ docker ps -a --filter label=com.docker.compose.project --format '{{.Label "com.docker.compose.project"}}'
              docker network ls --filter label=com.docker.compose.project --format '{{.Label "com.docker.compose.project"}}'
              docker volume ls --filter label=com.docker.compose.project --format '{{.Label "com.docker.compose.project"}}'
            } | sort -u | grep -E '^checkin-ci-[0-9]+$' || true); do
    if ! kill -0 "${old#checkin-ci-}" 2>/dev/null; then
        say "removing leftovers of $old"
        docker rm -f "$old-sim" "$old-sim2" >/dev/null 2>&1 || true
        rm -f "target/compose-ci/$old.env"
        docker ps -aq --filter "label=com.docker.compose.project=$old" | xargs -r docker rm -f -v >/dev/null 2>&1 || true
        docker network ls -q --filter "label=com.docker.compose.project=$old" | xargs -r docker network rm >/dev/null 2>&1 || true
        docker volume ls -q --filter "label=com.docker.compose.project=$old" | xargs -r docker volume rm >/dev/null 2>&1 || true
    fi
done

# ------------------------------------------------------------------ 1. images
if [ "${CHECKIN_CI_SKIP_CARGO:-0}" != 1 ]; then
    say "cargo build --workspace --bins ($PROFILE)"
    if [ "$PROFILE" = debug ]; then cargo build --workspace --bins --quiet
    else cargo build --workspace --bins --quiet --profile "$PROFILE"; fi
fi
say "images (scripts/images.sh, PROFILE=$PROFILE)"
started=$SECONDS
CHECKIN_CI_IMAGES_ENV="$WORK/images.env" PROFILE="$PROFILE" scripts/images.sh >/dev/null
IMAGES_SECS=$((SECONDS - started))
# shellcheck disable=SC1091
. "$WORK/images.env"

# ------------------------------------------------------------------ 2. up
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rand() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
API_PORT="$(free_port)"
DB_ROOT_PW="$(rand)"
DB_PW="$(rand)"
{
    echo "MARIADB_PASSWORD=$DB_PW"
    echo "MARIADB_ROOT_PASSWORD=$DB_ROOT_PW"
    echo "DASHBOARD_PASSWORD=$(rand)"
    echo "API_HOST_PORT=$API_PORT"
    echo "DASHBOARD_HOST_PORT=$(free_port)"
    echo "PAYMOCK_HOST_PORT=$(free_port)"
    echo "HOLD_TTL_SECS=$HOLD_TTL"
    # The autoscaler (section 6): quick to react, so the test takes a minute, not ten.
    echo "AUTOSCALER_MIN_WORKERS=1"
    echo "AUTOSCALER_MAX_WORKERS=$AS_MAX_WORKERS"
    echo "AUTOSCALER_INTERVAL_MS=500"
    echo "AUTOSCALER_TARGET_PER_WORKER=10"
    echo "AUTOSCALER_TARGET_OLDEST_SECS=2"
    echo "AUTOSCALER_UP_COOLDOWN_SECS=2"
    echo "AUTOSCALER_DOWN_COOLDOWN_SECS=5"
    # Paths inside the autoscaler's container (the project directory is /project there).
    echo "AUTOSCALER_COMPOSE_FILES=/project/docker-compose.yml:/project/docker-compose.ci.yml"
    echo "AUTOSCALER_COMPOSE_ENV_FILE=/project/$AS_ENV"
    # info, but not one line per HTTP request
    echo "RUST_LOG=info,poem::middleware::tracing_mw=warn"
    # checkin-sim logs hundreds of passengers in from one container address.
    echo "LOGIN_PER_ADDRESS_PER_MIN=0"
    cat "$WORK/images.env"
} >"$WORK/env"
mkdir -p "$(dirname "$AS_ENV")"
cp "$WORK/env" "$AS_ENV"
# The same values for compose's own environment (it prefers them to --env-file), so that
# nothing exported in the caller's shell changes this run.
set -a
# shellcheck disable=SC1091
. "$WORK/env"
set +a

say "up: project $P, $("${COMPOSE_CMD[@]}" version --short 2>/dev/null || echo "${COMPOSE_CMD[*]}"), $WORKERS workers, API on 127.0.0.1:$API_PORT"
started=$SECONDS
compose up -d --no-build --scale "worker=$WORKERS" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; die "compose up"; }

# Every long-running container healthy (the killed worker excepted, when given).
wait_healthy() {   # TIMEOUT [container id to ignore]
    local deadline=$((SECONDS + $1)) skip="${2:-}" id line pending
    while :; do
        pending=()
        for id in $(docker ps -aq --filter "label=com.docker.compose.project=$P" --filter label=com.docker.compose.oneoff=False); do
            line="$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}}' "$id")"
            case "$line" in migrate\ * | seed\ *) continue ;; esac
            [ -n "$skip" ] && [ "${skip:0:12}" = "${id:0:12}" ] && continue
            [ "${line#* }" = running/healthy ] || pending+=("${line// /=}")
        done
        [ "${#pending[@]}" -eq 0 ] && return 0
        [ "$SECONDS" -lt "$deadline" ] || { say "not healthy after $1 s: ${pending[*]}"; return 1; }
        sleep 1
    done
}
wait_healthy "$UP_TIMEOUT" || die "the topology did not become healthy"
UP_SECS=$((SECONDS - started))
[ "$(docker inspect -f '{{.State.ExitCode}}' "$(one_of migrate)")" = 0 ] || die "migrate did not exit 0"
[ "$(ids_of worker | wc -l)" -eq "$WORKERS" ] || die "expected $WORKERS worker containers"
say "healthy in $UP_SECS s: $(docker ps --filter "label=com.docker.compose.project=$P" --format '{{.Label "com.docker.compose.service"}}' | sort | uniq -c | awk '{printf "%s%s%s", sep, $2, ($1 > 1 ? "x" $1 : ""); sep=" "}')"

MARIADB="$(one_of mariadb)"
sql() { docker exec -e MYSQL_PWD="$DB_ROOT_PW" "$MARIADB" mariadb -uroot -N -B checkin -e "$1"; }
durable="$(sql 'SELECT CONCAT_WS(" ", @@innodb_flush_log_at_trx_commit, @@sync_binlog, @@log_bin, @@binlog_format, @@tx_isolation)')"
[ "$durable" = "1 1 ON ROW READ-COMMITTED" ] || die "mariadb runs without the durable settings of docker-compose.yml: $durable"
for port in 3306 6379; do
    if docker ps --filter "label=com.docker.compose.project=$P" --format '{{.Ports}}' | grep -q -- "->$port/"; then
        die "a container publishes $port on the host"
    fi
done

# ------------------------------------------------------------------ 3. demo data
say "seed: checkin-seed (service seed, profile demo)"
compose run --rm --no-deps -T seed >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; die "seed"; }
code="$(curl -s -o "$WORK/login.json" -w '%{http_code}' -H 'content-type: application/json' \
    -d '{"pnr":"DEMO01","last_name":"Smith"}' "http://127.0.0.1:$API_PORT/v1/sessions")"
if [ "$code" != 201 ] || ! grep -q '"token"' "$WORK/login.json"; then
    die "login DEMO01/Smith through 127.0.0.1:$API_PORT answered $code: $(cat "$WORK/login.json")"
fi
say "login DEMO01/Smith through the published port: $code"

# ------------------------------------------------------------------ the autoscaler
# Started during the fault burst (after the faults): the `autoscaler` service of
# docker-compose.yml (profile autoscale) with the compose backend, running the compose CLI in
# its container against this project. From then on every worker container that stops is
# watched (`docker events`): the autoscaler stops them with compose (SIGTERM and the
# stop_grace_period), and each must exit 0.
running_workers() {
    docker ps -q --filter "label=com.docker.compose.project=$P" \
        --filter label=com.docker.compose.service=worker --filter status=running | wc -l
}
autoscaler_start() {
    local deadline id
    docker events --filter "label=com.docker.compose.project=$P" \
        --filter label=com.docker.compose.service=worker --filter event=die \
        --format '{{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}' >"$WORK/worker-exits.log" 2>&1 &
    EVENTS_PID=$!
    AS_WORKERS_AT_START="$(running_workers)"
    compose --profile autoscale up -d --no-build --no-deps autoscaler >"$WORK/autoscaler-up.log" 2>&1 \
        || { cat "$WORK/autoscaler-up.log" >&2; die "compose up autoscaler"; }
    id="$(one_of autoscaler)"
    deadline=$((SECONDS + 60))
    until [ "$(docker inspect -f '{{.State.Health.Status}}' "$id")" = healthy ]; do
        if [ "$(docker inspect -f '{{.State.Running}}' "$id")" != true ]; then
            docker logs --tail=30 "$id" >&2
            die "the autoscaler stopped at start"
        fi
        [ "$SECONDS" -lt "$deadline" ] || { docker logs --tail=30 "$id" >&2; die "the autoscaler not healthy within 60 s"; }
        sleep 0.5
    done
    say "autoscaler running (compose backend, min 1, max $AS_MAX_WORKERS), $AS_WORKERS_AT_START workers running"
}

# ------------------------------------------------------------------ 4. burst with faults
say "checkin-sim: $PASSENGERS passengers, 1 flight, rate $SIM_RATE/s, against http://api:8080"
if ! python3 -c 'import sys; n, r = map(float, sys.argv[1:]); sys.exit(0 if r > 0 and n / r >= 32 else 1)' "$PASSENGERS" "$SIM_RATE"; then
    say "warning: arrivals span less than 32 s; checkin-sim may lose its verdict to the MariaDB restart (see the top of this script)"
fi
sim_args=(--url http://api:8080 --passengers "$PASSENGERS" --flights 1 --rate "$SIM_RATE" --seed "$SIM_SEED" --out /tmp/report.json)
# Newer checkin-sim builds also check the mock provider's ledger; tell them where it is.
# (The help is read whole first: `docker run ... | grep -q` under pipefail fails whenever grep
# stops reading before docker is done, and the sim was then not told: "reading the provider's
# ledger" in CI.)
sim_help=$(docker run --rm "$CHECKIN_CI_TOOLS_IMAGE" checkin-sim --help 2>/dev/null || true)
if grep -q -- '--paymock-url' <<<"$sim_help"; then
    sim_args+=(--paymock-url http://paymock:8090)
fi
docker run -d --name "$SIM" --network "$NET" --label "checkin.ci.run=$P" \
    -e "DATABASE_URL=mysql://checkin:$DB_PW@mariadb:3306/checkin" -e RUST_LOG=warn \
    "$CHECKIN_CI_TOOLS_IMAGE" checkin-sim "${sim_args[@]}" >/dev/null
sim_running() { [ "$(docker inspect -f '{{.State.Running}}' "$SIM")" = true ]; }

# The sim seeds its flight first; the traffic starts when it prints its plan.
deadline=$((SECONDS + 120))
until docker logs "$SIM" 2>&1 | grep -q 'passengers on'; do
    sim_running || die "checkin-sim stopped before its burst"
    [ "$SECONDS" -lt "$deadline" ] || die "checkin-sim did not start its burst within 120 s"
    sleep 0.2
done
BURST0=$SECONDS
at() { while [ $((SECONDS - BURST0)) -lt "$1" ]; do sleep 0.2; done; }
FAULTS=()
fault() { FAULTS+=("+$((SECONDS - BURST0))s $*"); say "fault: $*"; }

at 3
KILLED="$(ids_of worker | head -n 1)"
docker kill -s KILL "$KILLED" >/dev/null
fault "worker ${KILLED:0:12} killed (SIGKILL)"

at 5
LOCK2="$(one_of lock2)"
docker network disconnect "$NET" "$LOCK2"
fault "lock2 disconnected from $NET"

at 8
fault "mariadb restart"
started=$SECONDS
docker restart -t 30 "$MARIADB" >/dev/null
deadline=$((SECONDS + 90))
until [ "$(docker inspect -f '{{.State.Health.Status}}' "$MARIADB")" = healthy ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "mariadb not healthy within 90 s of its restart"
    sleep 0.5
done
DB_BACK_SECS=$((SECONDS - started))
say "mariadb healthy again after $DB_BACK_SECS s"

at 15
docker network connect --alias lock2 "$NET" "$LOCK2"
docker exec "$(one_of api)" getent hosts lock2 >/dev/null || die "lock2 does not resolve after reconnecting"
fault "lock2 reconnected"

autoscaler_start

deadline=$((SECONDS + SIM_TIMEOUT))
while sim_running; do
    [ "$SECONDS" -lt "$deadline" ] || die "checkin-sim still running after $SIM_TIMEOUT s"
    sleep 0.5
done
BURST_SECS=$((SECONDS - BURST0))
SIM_RC="$(docker inspect -f '{{.State.ExitCode}}' "$SIM")"
docker logs "$SIM" >"$WORK/sim.log" 2>&1 || true
docker cp "$SIM:/tmp/report.json" "$WORK/report.json" >/dev/null 2>&1 || true
say "checkin-sim ended (exit $SIM_RC) after $BURST_SECS s of traffic"
sed -n '/passengers, .* flight/,$p' "$WORK/sim.log" | sed 's/^/    /'

# ------------------------------------------------------------------ 5. drain
if [ -s "$WORK/report.json" ]; then
    FLIGHTS="$(python3 -c 'import json,sys; print(",".join(map(str, json.load(open(sys.argv[1]))["flights"])))' "$WORK/report.json")"
else
    FLIGHTS="$(sql "SELECT GROUP_CONCAT(id) FROM flights WHERE code LIKE 'SM%'")"
fi
[ -n "$FLIGHTS" ] && [ "$FLIGHTS" != NULL ] || die "no flight of checkin-sim in the database"

q() { sql "SELECT CAST(($1) AS SIGNED)" | tail -n 1; }
unfinished() { q "SELECT COUNT(*) FROM checkins WHERE state NOT IN ('confirmed', 'rejected', 'payment_failed', 'expired', 'cancelled') AND flight_id IN ($FLIGHTS)"; }
started=$SECONDS
deadline=$((SECONDS + DRAIN_TIMEOUT))
left="$(unfinished)"
while [ "$left" != 0 ] && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 1
    left="$(unfinished)"
done
DRAIN_SECS=$((SECONDS - started))

# ------------------------------------------------------------------ 6. the autoscaler's burst
# The fault burst is light (8 arrivals/s): the autoscaler has been taking the workers down to
# its minimum. Then a burst one worker cannot carry, everyone at once.
deadline=$((SECONDS + AS_TIMEOUT))
until [ "$(running_workers)" -eq 1 ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "the autoscaler did not bring the workers down to 1 within $AS_TIMEOUT s of the fault burst's end ($(running_workers) running)"
    sleep 1
done
AS_BEFORE="$(q "SELECT COALESCE(MAX(id), 0) FROM scaling_decisions")"
AS_FLIGHTS=$(((AS_PASSENGERS + 149) / 150))
# As for the first burst: a checkin-sim that checks the provider's ledger must be told where
# it is (without it, it looked on 127.0.0.1 inside its container and failed).
sim2_extra=()
if [[ " ${sim_args[*]} " == *" --paymock-url "* ]]; then sim2_extra=(--paymock-url http://paymock:8090); fi
say "autoscaler burst: 1 worker running; $AS_PASSENGERS passengers at once on $AS_FLIGHTS flights"
docker run -d --name "$SIM2" --network "$NET" --label "checkin.ci.run=$P" \
    -e "DATABASE_URL=mysql://checkin:$DB_PW@mariadb:3306/checkin" -e RUST_LOG=warn \
    "$CHECKIN_CI_TOOLS_IMAGE" checkin-sim --url http://api:8080 --passengers "$AS_PASSENGERS" \
    --flights "$AS_FLIGHTS" --rate 0 --seed "$((SIM_SEED + 1))" --out /tmp/report.json \
    "${sim2_extra[@]}" >/dev/null
AS_PEAK=1
peak() { local n; n="$(running_workers)"; [ "$n" -le "$AS_PEAK" ] || AS_PEAK=$n; }
started=$SECONDS
deadline=$((SECONDS + SIM_TIMEOUT))
while [ "$(docker inspect -f '{{.State.Running}}' "$SIM2")" = true ]; do
    peak
    [ "$SECONDS" -lt "$deadline" ] || die "the autoscaler burst's checkin-sim still running after $SIM_TIMEOUT s"
    sleep 0.5
done
AS_BURST_SECS=$((SECONDS - started))
SIM2_RC="$(docker inspect -f '{{.State.ExitCode}}' "$SIM2")"
docker logs "$SIM2" >"$WORK/sim2.log" 2>&1 || true
docker cp "$SIM2:/tmp/report.json" "$WORK/report2.json" >/dev/null 2>&1 || true
say "autoscaler burst: checkin-sim ended (exit $SIM2_RC) after $AS_BURST_SECS s, at most $AS_PEAK workers seen running"
sed -n '/passengers, .* flight/,$p' "$WORK/sim2.log" | sed 's/^/    /'
FLIGHTS2="$(python3 -c 'import json,sys; print(",".join(map(str, json.load(open(sys.argv[1]))["flights"])))' "$WORK/report2.json" 2>/dev/null || true)"
[ -n "$FLIGHTS2" ] || die "no report from the autoscaler burst's checkin-sim"
FLIGHTS="$FLIGHTS,$FLIGHTS2"
SIM2_OK="$(python3 -c 'import json,sys; print("yes" if (json.load(open(sys.argv[1])).get("verdict") or {}).get("ok") else "no")' "$WORK/report2.json")"

# Back to one worker once the burst has drained (nothing queued or paying).
last_to() { q "SELECT COALESCE((SELECT to_workers FROM scaling_decisions ORDER BY id DESC LIMIT 1), 0)"; }
deadline=$((SECONDS + AS_TIMEOUT))
until [ "$(running_workers)" -eq 1 ] && [ "$(last_to)" -eq 1 ] \
    && [ "$(q "SELECT COUNT(*) FROM scaling_decisions WHERE id > $AS_BEFORE AND to_workers < from_workers")" -gt 0 ]; do
    peak
    [ "$SECONDS" -lt "$deadline" ] || break
    sleep 1
done
AS_DOWN_SECS=$((SECONDS - started - AS_BURST_SECS))
kill "$EVENTS_PID" 2>/dev/null || true
wait "$EVENTS_PID" 2>/dev/null || true
EVENTS_PID=""

echo
echo "autoscaler decisions (scaling_decisions; +s from the first):"
sql "SELECT CONCAT('  +', LPAD(FORMAT(TIMESTAMPDIFF(MICROSECOND, (SELECT MIN(decided_at) FROM scaling_decisions), decided_at) / 1e6, 1), 6, ' '),
            ' s  ', from_workers, ' -> ', to_workers, '  backlog ', LPAD(backlog, 4, ' '), ', oldest hold ',
            FORMAT(oldest_secs, 1), ' s  ', IF(id > $AS_BEFORE, '[burst] ', ''), reason)
     FROM scaling_decisions ORDER BY id"
echo
AS_UPS="$(q "SELECT COUNT(*) FROM scaling_decisions WHERE id > $AS_BEFORE AND to_workers > from_workers")"
AS_MAX="$(q "SELECT COALESCE(MAX(to_workers), 0) FROM scaling_decisions WHERE id > $AS_BEFORE")"
AS_DOWN_STEPS="$(q "SELECT COALESCE(SUM(from_workers - to_workers), 0) FROM scaling_decisions WHERE to_workers < from_workers")"
AS_ROWS="$(q "SELECT COUNT(*) FROM scaling_decisions")"
AS_LAST="$(last_to)"
AS_RUNNING="$(running_workers)"
# Every worker that stopped since the autoscaler started: stopped by compose for it (SIGTERM).
AS_STOPS="$(grep -c . "$WORK/worker-exits.log" || true)"
AS_BAD_EXITS="$(awk '$2 != 0' "$WORK/worker-exits.log")"
as_failures=()
[ "$AS_UPS" -gt 0 ] && [ "$AS_MAX" -ge 2 ] || as_failures+=("autoscaler: the burst did not scale the workers up (most decided: $AS_MAX, seen running: $AS_PEAK)")
[ "$AS_LAST" -eq 1 ] && [ "$AS_RUNNING" -eq 1 ] || as_failures+=("autoscaler: not back to 1 worker $AS_TIMEOUT s after the burst (last decision: $AS_LAST, running: $AS_RUNNING)")
[ -z "$AS_BAD_EXITS" ] || as_failures+=("autoscaler: workers it stopped exited non-zero: $(echo "$AS_BAD_EXITS" | tr '\n' ';')")
# At least one stop per worker its decisions removed. One more clean stop (exit 0) has been
# seen once (4 stops for 3 removed, 2026-12-01; compose replacing a container while it
# scaled, cause not pinned down): counted and printed, not failed; a non-zero exit still fails.
[ "$AS_STOPS" -ge "$AS_DOWN_STEPS" ] || as_failures+=("autoscaler: $AS_STOPS worker containers stopped, but its decisions removed $AS_DOWN_STEPS")
[ "$AS_STOPS" -eq "$AS_DOWN_STEPS" ] || say "note: $AS_STOPS worker containers stopped (all exit 0 above), its decisions removed $AS_DOWN_STEPS"
[ "$SIM2_OK" = yes ] || as_failures+=("the autoscaler burst's checkin-sim: no report, or its checker found seats/passengers doubled or confirmed != booked")
AUTOSCALER_NOTE="$AS_WORKERS_AT_START -> 1 after the fault burst; burst of $AS_PASSENGERS: 1 -> $AS_MAX (seen $AS_PEAK) -> $AS_LAST in $((AS_BURST_SECS + AS_DOWN_SECS)) s; $AS_ROWS decisions; $AS_STOPS workers stopped, exit codes: $(awk '{print $2}' "$WORK/worker-exits.log" | sort | uniq -c | awk '{printf "%s%sx %s", sep, $1, $2; sep=", "}')"

# ------------------------------------------------------------------ 7. verdict (both bursts)
started=$SECONDS
deadline=$((SECONDS + DRAIN_TIMEOUT))
left="$(unfinished)"
while [ "$left" != 0 ] && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 1
    left="$(unfinished)"
done

ACCEPTED="$(q "SELECT COUNT(*) FROM checkins WHERE flight_id IN ($FLIGHTS)")"
ENDED="$(q "SELECT COUNT(*) FROM checkins WHERE state IN ('confirmed', 'rejected', 'payment_failed', 'expired', 'cancelled') AND flight_id IN ($FLIGHTS)")"
LOST=$((ACCEPTED - ENDED))
# The checker's rules (tools/src/checker.rs), after the drain.
SEATS_DOUBLED="$(q "SELECT COUNT(*) FROM (SELECT flight_id, seat_code FROM boarding_passes WHERE flight_id IN ($FLIGHTS) GROUP BY 1, 2 HAVING COUNT(*) > 1) x")"
PAX_DOUBLED=$(($(q "SELECT COUNT(*) FROM (SELECT flight_id, passenger_id FROM seats WHERE passenger_id IS NOT NULL AND flight_id IN ($FLIGHTS) GROUP BY 1, 2 HAVING COUNT(*) > 1) x") \
    + $(q "SELECT COUNT(*) FROM (SELECT flight_id, passenger_id FROM boarding_passes WHERE flight_id IN ($FLIGHTS) GROUP BY 1, 2 HAVING COUNT(*) > 1) x")))
DOUBLED=$((SEATS_DOUBLED + PAX_DOUBLED))
CONFIRMED="$(q "SELECT COUNT(*) FROM checkins WHERE state = 'confirmed' AND flight_id IN ($FLIGHTS)")"
BOOKED="$(q "SELECT COUNT(*) FROM seats WHERE state = 'booked' AND flight_id IN ($FLIGHTS)")"
BY_STATE="$(sql "SELECT GROUP_CONCAT(CONCAT(state, ' ', n) ORDER BY n DESC SEPARATOR ', ') FROM (SELECT state, COUNT(*) n FROM checkins WHERE flight_id IN ($FLIGHTS) GROUP BY state) x")"
RESTARTS="$(docker inspect -f '{{.State.Status}}, restarted {{.RestartCount}}x' "$KILLED" 2>/dev/null)" \
    || RESTARTS="removed since (the autoscaler's scale-down)"
# What the system saw of the faults (informational): the deployment-wide lock counters
# the workers keep in Redis (checkin:stats), and the jobs they retried.
LOCKS="$(docker exec "$(one_of redis)" redis-cli HGETALL checkin:stats 2>/dev/null \
    | paste - - | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}' || true)"
# Jobs the workers retried after an error (the MariaDB restart shows here), from the logs
# of every worker, the killed one included.
RETRIED=0
for id in $(ids_of worker); do
    RETRIED=$((RETRIED + $(docker logs "$id" 2>&1 | grep -c 'will be retried' || true)))
done

# checkin-sim's own verdict is read the moment its clients stop; a client that gave up
# while MariaDB was down leaves its check-in held until the hold expires, so `unfinished`
# there is settled by the drain above. Seats or passengers doubled, or no verdict, fail.
SIM_VERDICT="$({ grep -o 'verdict .*' "$WORK/sim.log" || true; } | tail -n 1 | sed 's/^verdict *//')"
read -r SIM_OK SIM_UNFINISHED SIM_REQUESTS < <(python3 - "$WORK/report.json" 2>/dev/null <<'PY' || echo "- - -"
import json, sys
r = json.load(open(sys.argv[1]))
v = r.get("verdict") or {}
print("yes" if v.get("ok") else "no", v.get("unfinished", 0), r.get("requests", "-"))
PY
)

failures=()
[ "$SIM_OK" = yes ] || failures+=("checkin-sim: no report, or its checker found seats/passengers doubled or confirmed != booked (${SIM_VERDICT:-no verdict})")
if [ "$SIM_RC" != 0 ] && [ "$SIM_UNFINISHED" = 0 ]; then failures+=("checkin-sim exited $SIM_RC"); fi
[ "$LOST" -eq 0 ] || failures+=("$LOST accepted check-ins not ended $DRAIN_TIMEOUT s after the burst")
[ "$DOUBLED" -eq 0 ] || failures+=("doubled: seats $SEATS_DOUBLED, passengers $PAX_DOUBLED")
[ "$CONFIRMED" = "$BOOKED" ] || failures+=("confirmed check-ins ($CONFIRMED) differ from booked seats ($BOOKED)")
[ "$ACCEPTED" -gt 0 ] || failures+=("no check-in accepted")
failures+=(${as_failures[@]+"${as_failures[@]}"})

row() { printf '  %-34s %s\n' "$1" "$2"; }
echo
echo "compose-test $P: ${COMPOSE_CMD[*]}, $WORKERS workers, $PASSENGERS passengers at ${SIM_RATE}/s, then $AS_PASSENGERS at once (autoscaled), PROFILE=$PROFILE"
row "figure" "value"
row "----------------------------------" "-----"
row "requests accepted (check-ins, 202)" "$ACCEPTED"
row "ended" "$ENDED ($BY_STATE)"
row "lost" "$LOST"
row "doubled (seats + passengers)" "$DOUBLED"
row "confirmed = seats booked" "$CONFIRMED = $BOOKED"
row "time to drain after the fault burst" "${DRAIN_SECS} s"
row "burst (checkin-sim traffic)" "${BURST_SECS} s, ${SIM_REQUESTS} HTTP requests"
row "checkin-sim verdict (exit $SIM_RC)" "${SIM_VERDICT:-none}"
faults="$(IFS=';'; echo "${FAULTS[*]}")"
row "faults" "${faults//;/; }"
row "mariadb back healthy after" "${DB_BACK_SECS} s"
row "killed worker" "$RESTARTS"
row "lock use (all workers)" "${LOCKS:--}"
row "jobs retried (worker logs)" "$RETRIED"
row "autoscaler" "$AUTOSCALER_NOTE"
row "images / up to healthy" "${IMAGES_SECS} s / ${UP_SECS} s"
echo
if [ "${#failures[@]}" -gt 0 ]; then
    printf 'FAILED: %s\n' "${failures[@]}" >&2
    exit 1
fi
