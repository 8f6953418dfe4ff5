#!/usr/bin/env bash
# Checks (or, with --update, refreshes) the vendored uPlot in dashboard/static/vendor/uplot
# against the release bundled in the PyPI wheel metaflow-card-uplot 1.0.0 (no npm registry
# here). Prints the SHA-256 sums; fails if they differ from the ones in its README.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=dashboard/static/vendor/uplot
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --no-deps -q -d "$tmp" metaflow-card-uplot==1.0.0
(cd "$tmp" && python3 -m zipfile -e ./*.whl x)
src="$tmp/x/metaflow_extensions/card_uplot/plugins/cards/uplot/uplot"
if [ "${1:-}" = --update ]; then cp "$src/uPlot.iife.min.js" "$src/uPlot.min.css" "$dest/"; fi
for f in uPlot.iife.min.js uPlot.min.css; do
    want=$(grep -E "  $f\$" "$dest/README.md" | awk '{print $1}')
    got=$(sha256sum "$src/$f" | awk '{print $1}')
    have=$(sha256sum "$dest/$f" | awk '{print $1}')
    echo "$f: wheel $got, vendored $have"
    [ "$got" = "$want" ] && [ "$have" = "$want" ] || { echo "vendor-uplot: $f differs from README's sum" >&2; exit 1; }
done
