#!/usr/bin/env bash
# Runs every check and test against real MariaDB and Redis on this machine:
# formatting, clippy (warnings are errors), unit tests and the system suite,
# then the static docker-compose and Kubernetes manifest checks, then the whole
# docker-compose topology for real with faults (scripts/compose-test.sh; needs a Docker
# Engine, no image registry; skip it with SKIP_COMPOSE_TEST=1). Installs/starts MariaDB and
# Redis if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_cargo() {
    if ! command -v cargo >/dev/null 2>&1; then
        echo "test: cargo not found. Install Rust 1.94 or newer (rustup), then run this again." >&2
        exit 1
    fi
}
need_cargo
scripts/ensure-services.sh

# One warm target directory shared by every run on this machine, so a fresh clone does
# not rebuild the dependency tree (override with CARGO_TARGET_DIR).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/checkin-target}"
export RUST_BACKTRACE="${RUST_BACKTRACE:-0}"

# Databases left by test runs that were killed mid-way: those made more than three hours ago.
# Test databases are named `t_<ULID>`, whose first ten characters are the creation time in
# milliseconds (Crockford's base 32, turned here into CONV's base 32). Dropping every `t_`
# database also dropped those of test runs going on at the same time in other checkouts on
# this machine (a fault-test soak lost its tables mid-run: "Table ... doesn't exist").
mariadb -uroot -h127.0.0.1 -N -e "
    SELECT CONCAT('DROP DATABASE \`', schema_name, '\`;') FROM information_schema.schemata
    WHERE schema_name LIKE 't\\_%' AND CHAR_LENGTH(schema_name) = 28
      AND CONV(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
               REPLACE(REPLACE(REPLACE(REPLACE(LOWER(SUBSTRING(schema_name, 3, 10)),
               'j', 'i'), 'k', 'j'), 'm', 'k'), 'n', 'l'), 'p', 'm'), 'q', 'n'), 'r', 'o'),
               's', 'p'), 't', 'q'), 'v', 'r'), 'w', 's'), 'x', 't'), 'y', 'u'), 'z', 'v'), 32, 10)
          < (UNIX_TIMESTAMP() - 3 * 3600) * 1000" \
    | mariadb -uroot -h127.0.0.1

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== unused dependencies (cargo-machete)"
command -v cargo-machete >/dev/null 2>&1 || cargo install --locked --quiet cargo-machete
cargo machete
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo build (the binaries the fault tests, the fuzzing and the browser tests run)"
cargo build --workspace --bins --quiet
echo "== cargo test"
log="${TMPDIR:-/tmp}/checkin-test.log"
cargo test --workspace 2>&1 | tee "$log"
echo "== API fuzzing from the OpenAPI spec (schemathesis, every check, stateful)"
t0=$(date +%s)
scripts/fuzz-api.sh
echo "== (fuzzing took $(( $(date +%s) - t0 )) s)"
echo "== SDKs: the served spec validated, the three SDKs regenerated from it (no drift), each example to a boarding pass"
t0=$(date +%s)
scripts/sdk-test.sh
echo "== (SDKs took $(( $(date +%s) - t0 )) s)"
echo "== passenger page and dashboard in headless Chromium"
scripts/browser-tests.sh
if [ -x scripts/check-compose.sh ]; then
    echo "== docker-compose static checks"
    scripts/check-compose.sh
fi
echo "== Prometheus alert rules and the Grafana dashboard (promtool, JSON check)"
scripts/check-monitoring.sh
if [ -x scripts/check-k8s.sh ]; then
    echo "== Kubernetes manifest static checks (deploy/k8s)"
    scripts/check-k8s.sh
fi
if [ "${SKIP_COMPOSE_TEST:-0}" = 1 ]; then
    echo "== docker-compose topology with faults: SKIPPED (SKIP_COMPOSE_TEST=1)"
else
    echo "== docker-compose topology with faults (images from Debian's packages and the debug binaries above)"
    # The debug binaries were built above: no second build.
    CHECKIN_CI_SKIP_CARGO=1 PROFILE=debug scripts/compose-test.sh
fi
# One closing line for the whole cargo run (it prints one line per test target, many of
# them empty doc-test targets).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
