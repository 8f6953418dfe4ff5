"""Checks deploy/grafana/*.json and deploy/prometheus/alerts.yml beyond what promtool does.

- every Grafana dashboard is valid JSON with a uid, a title, a Prometheus datasource
  variable, unique panel ids, a grid position and at least one query per panel;
- every query parses as PromQL: the queries are written as recording rules into a
  temporary file that `promtool check rules` reads (Grafana's $__rate_interval and
  $__interval become 5m and 1m);
- every metric the alerts and dashboards name is one the code exports (a string literal in
  the Rust sources), or one of the few exported elsewhere (EXTERNAL).

Usage: python3 scripts/check-monitoring.py <repo root> <promtool>
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

# Exported by Prometheus itself (up) or by the autoscaler, built beside this project.
EXTERNAL = {"up", "autoscaler_workers", "autoscaler_decisions_total"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
            "bool", "offset", "inf", "nan"}


def metric_names(expr):
    e = re.sub(r'"[^"]*"', '""', expr)
    e = re.sub(r"\{[^}]*\}", "", e)
    e = re.sub(r"\[[^\]]*\]", "", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        name, rest = m.group(0), e[m.end():].lstrip()
        if rest.startswith("(") or name.lower() in KEYWORDS:
            continue
        names.add(re.sub(r"_(bucket|sum|count)$", "", name))
    return names


def main():
    root, promtool = sys.argv[1], sys.argv[2]
    errors = []
    exprs = []  # (where, expr)
    for path in sorted(glob.glob(os.path.join(root, "deploy/grafana/*.json"))):
        rel = os.path.relpath(path, root)
        try:
            d = json.load(open(path))
        except ValueError as e:
            errors.append(f"{rel}: not JSON: {e}")
            continue
        for key in ("uid", "title", "panels", "schemaVersion"):
            if key not in d:
                errors.append(f"{rel}: no {key}")
        if not any(v.get("type") == "datasource" and v.get("query") == "prometheus"
                   for v in d.get("templating", {}).get("list", [])):
            errors.append(f"{rel}: no Prometheus datasource variable")
        ids = [p.get("id") for p in d.get("panels", [])]
        if len(ids) != len(set(ids)) or None in ids:
            errors.append(f"{rel}: panel ids missing or repeated: {ids}")
        for p in d.get("panels", []):
            where = f"{rel} panel {p.get('id')} ({p.get('title')!r})"
            if not {"x", "y", "w", "h"} <= set(p.get("gridPos", {})):
                errors.append(f"{where}: no gridPos")
            if not p.get("targets"):
                errors.append(f"{where}: no query")
            for t in p.get("targets", []):
                exprs.append((where, t.get("expr", "")))
    with open(os.path.join(root, "deploy/prometheus/alerts.yml")) as f:
        text = f.read()
    # The alert expressions (folded or plain scalars after `expr:`).
    for m in re.finditer(r"^\s*expr:\s*(>-\n(?:\s{10,}.*\n)+|.*\n)", text, re.M):
        body = m.group(1)
        expr = " ".join(l.strip() for l in body.splitlines()[1:]) if body.startswith(">-") else body.strip()
        exprs.append(("alerts.yml", expr))

    rules = {"groups": [{"name": "grafana-queries", "rules": []}]}
    for i, (where, expr) in enumerate(exprs):
        if where.startswith("deploy/grafana"):
            q = expr.replace("$__rate_interval", "5m").replace("$__interval", "1m")
            rules["groups"][0]["rules"].append({"record": f"grafana:query_{i}", "expr": q})
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        json.dump(rules, f)  # JSON is YAML
        tmp = f.name
    try:
        r = subprocess.run([promtool, "check", "rules", tmp], capture_output=True, text=True)
        if r.returncode != 0:
            errors.append("a Grafana query does not parse as PromQL:\n" + r.stdout + r.stderr)
    finally:
        os.unlink(tmp)

    sources = ""
    for path in glob.glob(os.path.join(root, "*/src/**/*.rs"), recursive=True):
        if "/vendor/" not in path and "/target/" not in path:
            sources += open(path).read()
    exported = set(re.findall(r'"([a-z_][a-z0-9_]*)"', sources))
    used = set()
    for where, expr in exprs:
        for name in metric_names(expr):
            used.add(name)
            if name not in exported and name not in EXTERNAL:
                errors.append(f"{where}: metric {name} is exported by nothing here")
    if errors:
        print("check-monitoring: FAILED", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        sys.exit(1)
    print(f"check-monitoring: {len(exprs)} queries parse; metrics used, all exported: {', '.join(sorted(used))}")


if __name__ == "__main__":
    main()
