#!/usr/bin/env bash
# Static checks of the Kubernetes manifests in deploy/k8s, offline (no cluster needed):
#   1. yamllint (deploy/k8s/.yamllint.yaml)
#   2. every manifest file against the Kubernetes $K8S_VERSION JSON schemas, strict (unknown
#      fields are errors), with kubernetes-validate; CRD kinds against the schemas vendored
#      in deploy/k8s/schemas (KEDA ScaledObject); any other kind fails
#   3. the ScaledObject file with check-jsonschema against the vendored KEDA schema
#   4. the kustomizations: every listed file exists, every manifest listed exactly once;
#      each entry point (deploy/k8s, overlays/hpa, migrate) rendered with `kubectl kustomize`
#      when kubectl is installed (Debian has no kubectl or kustomize package: otherwise, and
#      always as a cross-check, a small Python loader puts them together) and every rendered
#      object validated as in 2
#   5. project rules in Python (scripts/check-k8s.py): pod security, resources, probes,
#      NetworkPolicies, the docker-compose.yml topology and settings, secrets, autoscaling
# Installs what it needs from PyPI into the venv target/tools-venv (shared with
# scripts/check-compose.sh): kubernetes-validate (bundles the Kubernetes schemas),
# check-jsonschema, yamllint, PyYAML.
#
# Usage: scripts/check-k8s.sh [path/to/deploy/k8s]
#   K8S_VERSION=1.33.0   Kubernetes version to validate against
#   KUBECTL=none         do not use kubectl even if installed (tests the fallback)
# Exit status: 0 if every check passed, 1 otherwise.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
K8S_DIR="$(cd "${1:-deploy/k8s}" && pwd)"
K8S_VERSION="${K8S_VERSION:-1.33.0}"
VENV="$ROOT/target/tools-venv"
KEDA_SCHEMA="$K8S_DIR/schemas/keda.sh/scaledobject_v1alpha1.json"
SCALEDOBJECT="$K8S_DIR/components/autoscaling-keda/scaledobject.yaml"
# Kustomize entry points -> file names in the render directory (check-k8s.py reads them).
ENTRIES=(. overlays/hpa migrate)

passed=0; failed=0; skipped=0
ok()   { passed=$((passed + 1)); printf 'ok   - %s\n' "$*"; }
bad()  { failed=$((failed + 1)); printf 'FAIL - %s\n' "$*"; }
skip() { skipped=$((skipped + 1)); printf 'SKIP - %s\n' "$*"; }
# Indented detail under a FAIL line, at most 25 lines of it.
indent() { awk 'NR <= 25 { print "       " $0 } END { if (NR > 25) printf "       ... (%d more lines)\n", NR - 25 }'; }
have() { command -v "$1" >/dev/null 2>&1; }

summary() {
    local extra=""
    [ "$skipped" -eq 0 ] || extra=", ${skipped} skipped"
    printf 'k8s checks: %d passed, %d failed%s\n' "$passed" "$failed" "$extra"
}

[ -f "$K8S_DIR/kustomization.yaml" ] || { bad "no kustomization.yaml in $K8S_DIR"; summary; exit 1; }

# ------------------------------------------------------------------ tools
SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)
apt_usable() { have apt-get && { [ "$(id -u)" -eq 0 ] || have sudo; }; }
apt_install() {
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null \
        || printf 'warning: apt-get update failed, using the cached package lists\n' >&2
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o DPkg::Lock::Timeout=600 "$@" >/dev/null
}

PIP_PKGS=('kubernetes-validate==1.37.0' 'check-jsonschema>=0.28,<1' 'yamllint>=1.35,<2' 'PyYAML>=6,<7')
ensure_venv() {
    if [ -x "$VENV/bin/check-jsonschema" ] && [ -x "$VENV/bin/yamllint" ] \
        && "$VENV/bin/python" -c 'import kubernetes_validate, yaml, jsonschema' 2>/dev/null \
        && [ "$("$VENV/bin/python" -c 'import kubernetes_validate.version as v; print(v.__version__)' 2>/dev/null)" = 1.37.0 ]; then
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
    "$VENV/bin/pip" install -q --disable-pip-version-check "${PIP_PKGS[@]}" >/dev/null || return 1
}

if ensure_venv; then
    versions="$("$VENV/bin/python" - <<'PY'
from importlib.metadata import version
print(", ".join(f"{p} {version(p)}" for p in ("kubernetes-validate", "check-jsonschema", "yamllint")))
PY
)"
    ok "tools: venv target/tools-venv with $versions"
else
    bad "tools: could not set up $VENV with ${PIP_PKGS[*]}"
    summary; exit 1
fi

# ------------------------------------------------------------------ 1. yamllint
nfiles=$(find "$K8S_DIR" -name '*.yaml' -not -path '*/schemas/*' | wc -l)
if out="$("$VENV/bin/yamllint" --strict -c "$K8S_DIR/.yamllint.yaml" "$K8S_DIR" 2>&1)"; then
    ok "yamllint --strict: $nfiles YAML files under deploy/k8s"
else
    bad "yamllint --strict: YAML files under deploy/k8s"; printf '%s\n' "$out" | indent
fi

# ------------------------------------------------------------------ 3. KEDA schema, with check-jsonschema
keda_version="$("$VENV/bin/python" -c 'import json,re,sys; print(re.search(r"tag (\S+)", json.load(open(sys.argv[1]))["$comment"]).group(1))' "$KEDA_SCHEMA" 2>/dev/null || echo '?')"
if out="$("$VENV/bin/check-jsonschema" --schemafile "$KEDA_SCHEMA" "$SCALEDOBJECT" 2>&1)"; then
    ok "check-jsonschema: ${SCALEDOBJECT#"$K8S_DIR"/} against KEDA $keda_version's ScaledObject schema"
else
    bad "check-jsonschema: ${SCALEDOBJECT#"$K8S_DIR"/} against KEDA $keda_version's ScaledObject schema"
    printf '%s\n' "$out" | indent
fi

# ------------------------------------------------------------------ 4. kustomize render
RENDER_DIR="$(mktemp -d)"
trap 'rm -rf "$RENDER_DIR"' EXIT
kubectl_bin=""
if [ "${KUBECTL:-}" = none ]; then
    :
elif [ -n "${KUBECTL:-}" ]; then
    kubectl_bin="$KUBECTL"
elif have kubectl; then
    kubectl_bin="$(command -v kubectl)"
fi
if [ -n "$kubectl_bin" ]; then
    kver="$("$kubectl_bin" version --client 2>/dev/null | tr '\n' ' ' | sed -E 's/Client Version: ([^ ]+) *Kustomize Version: ([^ ]+).*/kubectl \1, kustomize \2/')"
    render_failed=0
    for e in "${ENTRIES[@]}"; do
        name="${e//\//_}"; [ "$name" != . ] || name=root
        shown="deploy/k8s"; [ "$e" = . ] || shown="deploy/k8s/$e"
        if out="$("$kubectl_bin" kustomize "$K8S_DIR/$e" 2>&1 > "$RENDER_DIR/$name.yaml")"; then
            n=$(grep -c '^kind:' "$RENDER_DIR/$name.yaml" || true)
            ok "kustomize: $shown renders ($kver, $n object$([ "$n" = 1 ] || echo s))"
        else
            bad "kustomize: $shown renders ($kver)"; printf '%s\n' "$out" | indent
            render_failed=1
        fi
    done
    # A failed render must not fall back silently to the Python loader.
    [ "$render_failed" -eq 0 ] || { summary; exit 1; }
else
    skip "kustomize render with kubectl: no kubectl here (Debian packages neither kubectl nor kustomize); the entry points are put together by check-k8s.py's loader instead"
fi

# ------------------------------------------------------------------ 2, 4, 5. schemas, lists, rules (Python)
py_rc=0
py_out="$("$VENV/bin/python" "$ROOT/scripts/check-k8s.py" "$K8S_DIR" "$ROOT" "$K8S_VERSION" "$RENDER_DIR" 2>&1)" || py_rc=$?
printf '%s\n' "$py_out"
py_ok=$(printf '%s\n' "$py_out" | grep -c '^ok   - ' || true)
py_bad=$(printf '%s\n' "$py_out" | grep -c '^FAIL - ' || true)
passed=$((passed + py_ok)); failed=$((failed + py_bad))
if [ "$py_rc" -ne 0 ] && [ "$py_bad" -eq 0 ]; then bad "check-k8s.py crashed (exit $py_rc)"; fi

summary
[ "$failed" -eq 0 ]
