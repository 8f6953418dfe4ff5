#!/usr/bin/env bash
# Property-based fuzzing of the API from its own OpenAPI spec (schemathesis, pinned in
# scripts/lib/tools-requirements.txt), against a whole system with a worker and the mock
# payment provider running on a scratch database:
# - every check (`--checks all`): no 5xx, only documented statuses and headers, bodies
#   matching their schemas, schema-valid requests accepted and schema-invalid ones refused
#   (the spec is the exact contract), `Allow` on every 405, authentication not ignored;
# - every phase: the spec's examples, coverage, fuzzing (FUZZ_EXAMPLES per operation, 100 by
#   default) and the stateful phase, which follows the spec's links from create_session to
#   create_checkin and on to get_checkin, pay_checkin, cancel_checkin and get_boarding_pass.
# Requests carry the demo booking's session token. Zero failures or it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/checkin-target}"
target="$CARGO_TARGET_DIR/debug"
[ -x "$target/checkin-api" ] && [ -x "$target/checkin-seed" ] && [ -x "$target/checkin-worker" ] \
    && [ -x "$target/checkin-paymock" ] || cargo build --workspace --bins
. scripts/lib/tools-venv.sh
. scripts/lib/scratch-system.sh
trap scratch_stop EXIT
scratch_start fuzz --flights 1 --bookings 20
token=$(curl -fsS -X POST "$API_URL/v1/sessions" -H 'content-type: application/json' \
    -d '{"pnr":"DEMO01","last_name":"Smith"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
started=$(date +%s)
fuzz() {
    schemathesis --config-file scripts/schemathesis.toml run "$API_URL/openapi.json" \
        --url "$API_URL" \
        -H "Authorization: Bearer $token" \
        --checks all ${FUZZ_ARGS:-} \
        --max-examples "${FUZZ_EXAMPLES:-100}" --seed "${FUZZ_SEED:-1}" \
        --request-timeout 40 --no-color "$@"
}
set +e
# delete_session ends the very session the other requests carry: it is fuzzed on its own,
# last (its stateful phase needs links to it, and nothing links to a logout).
fuzz --phases examples,coverage,fuzzing,stateful --exclude-operation-id delete_session \
    >"$SCRATCH_LOGS/schemathesis.txt" 2>&1
rc=$?
fuzz --phases examples,coverage,fuzzing --include-operation-id delete_session \
    >"$SCRATCH_LOGS/schemathesis-logout.txt" 2>&1
rc_logout=$?
set -e
# The summary (operations, phases, checks, failures) and any failure's details.
for f in schemathesis schemathesis-logout; do
    sed -n '/^ *[✅🚫❌⏭].*(in \|^=* *\(SUMMARY\|FAILURES\|ERRORS\)/,$p' "$SCRATCH_LOGS/$f.txt" | head -120
done
echo "fuzz: schemathesis exited $rc (all but logout) and $rc_logout (logout) after $(( $(date +%s) - started )) s"
if [ "$rc" != 0 ] || [ "$rc_logout" != 0 ]; then
    echo "fuzz: the API's last log lines:"; tail -20 "$SCRATCH_LOGS/api.log"
    cp "$SCRATCH_LOGS"/schemathesis*.txt "${TMPDIR:-/tmp}/" 2>/dev/null || true
    exit 1
fi
