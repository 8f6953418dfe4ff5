#!/usr/bin/env bash
# Generates the three client SDKs under sdk/ from the OpenAPI spec; they are never edited by
# hand. Tools, pinned: progenitor (cargo-progenitor 0.15.1, installed under ~/.cache) for
# Rust, openapi-python-client for Python and OpenAPI Generator's typescript-fetch for
# TypeScript (both from PyPI, scripts/lib/tools-requirements.txt; the generator's jar runs
# on the machine's Java 17).
#
#   scripts/sdk-generate.sh [SPEC]           regenerate sdk/{rust,python,typescript}
#   scripts/sdk-generate.sh --check [SPEC]   generate elsewhere, fail on any difference
#
# SPEC is a file or a URL (CI passes the running API's /openapi.json); default
# docs/openapi.json.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
spec="${1:-docs/openapi.json}"

PROGENITOR_VERSION=0.15.1
tools="${CHECKIN_TOOLS_CACHE:-$HOME/.cache/checkin-tools}"
# (cargo-progenitor has no --version; cargo install's own record says what is installed.)
if [ ! -x "$tools/cargo/bin/cargo-progenitor" ] \
    || ! grep -q "\"cargo-progenitor $PROGENITOR_VERSION " "$tools/cargo/.crates.toml" 2>/dev/null; then
    echo "sdk: installing cargo-progenitor $PROGENITOR_VERSION under $tools/cargo (once per machine)"
    CARGO_TARGET_DIR="$tools/cargo-build" cargo install --quiet --locked --force \
        --root "$tools/cargo" cargo-progenitor --version "$PROGENITOR_VERSION"
fi
. scripts/lib/tools-venv.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$spec" in
    http://*|https://*) curl -fsS "$spec" -o "$work/openapi.json" ;;
    *) cp "$spec" "$work/openapi.json" ;;
esac
out="$work/sdk"
mkdir -p "$out"

"$tools/cargo/bin/cargo-progenitor" progenitor -i "$work/openapi.json" -o "$out/rust" \
    -n checkin-client -v 0.1.0 --license-name "MIT OR Apache-2.0" --interface builder >/dev/null
openapi-python-client generate --path "$work/openapi.json" --output-path "$out/python" \
    --config sdk/generator-config/python.yaml --overwrite >"$work/python.log" 2>&1 \
    || { cat "$work/python.log" >&2; exit 1; }
# Its post-hooks (ruff) leave a cache beside the code; it is not part of the SDK.
rm -rf "$out/python/.ruff_cache"
# A generator warning means a part of the spec was dropped from the client: fail on it.
if grep -q "Warning" "$work/python.log"; then cat "$work/python.log" >&2; exit 1; fi
# --skip-validate-spec: OpenAPI Generator's parser wants a link's `requestBody` to be a string
# (a runtime expression), while OpenAPI 3.0.3 allows any value there (4.7.20), which the
# links from create_session and get_booking use; openapi-spec-validator checks the spec.
openapi-generator-cli generate --skip-validate-spec -g typescript-fetch \
    -i "$work/openapi.json" -o "$out/typescript" \
    --additional-properties=npmName=checkin-client,npmVersion=0.1.0,supportsES6=true \
    >"$work/typescript.log" 2>&1 || { cat "$work/typescript.log" >&2; exit 1; }

status=0
for lang in rust python typescript; do
    if [ "$check" = 1 ]; then
        if ! diff -r "sdk/$lang" "$out/$lang" >"$work/diff-$lang" 2>&1; then
            echo "sdk: sdk/$lang differs from what $spec generates (run scripts/sdk-generate.sh and commit):" >&2
            head -40 "$work/diff-$lang" >&2
            status=1
        else
            echo "sdk: sdk/$lang matches the spec"
        fi
    else
        rm -rf "sdk/$lang" && cp -r "$out/$lang" "sdk/$lang"
        echo "sdk: generated sdk/$lang"
    fi
done
exit "$status"
