#!/usr/bin/env bash
# The Prometheus alert rules and the Grafana dashboard, checked offline: promtool (Debian's
# prometheus package, installed if missing) checks the rules and runs their unit tests
# (deploy/prometheus/alerts.test.yml: each alert fires on what it watches, after its `for`);
# scripts/check-monitoring.py checks the dashboard's JSON, that its queries parse, and that
# every metric named is one the code exports.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v promtool >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 prometheus >/dev/null
fi
promtool --version 2>&1 | head -1
(cd deploy/prometheus && promtool check rules alerts.yml && promtool test rules alerts.test.yml)
python3 scripts/check-monitoring.py "$(pwd)" "$(command -v promtool)"
