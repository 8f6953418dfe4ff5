#!/usr/bin/env python3
"""The Python half of scripts/check-k8s.sh: schemas, kustomization lists and project rules
for the manifests in deploy/k8s. Run it through scripts/check-k8s.sh, which sets up the venv
(kubernetes-validate, jsonschema, PyYAML) and renders the kustomizations with kubectl when
it can.

    check-k8s.py K8S_DIR ROOT K8S_VERSION RENDER_DIR

RENDER_DIR holds <entry>.yaml files rendered by `kubectl kustomize` (entry names as in
ENTRY_POINTS, with / as _); when it is empty, the entry points are put together by the
small loader below instead (resources, components, namespace, images: the only kustomize
features these files use, and the lists check fails on any other field).

Prints one `ok   - ...` or `FAIL - ...` line per check; exit status 1 if any failed.
"""
import copy
import json
import os
import re
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

K8S_DIR, ROOT, K8S_VERSION, RENDER_DIR = (Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))

# Entry points an operator deploys, and what each must contain.
ENTRY_POINTS = {".": "keda", "overlays/hpa": "hpa", "migrate": "migrate"}
# Manifests deliberately in no kustomization.
UNLISTED = {"base/secrets.example.yaml", "prometheus-adapter/adapter-config.yaml"}
# Vendored CRD schemas: (apiVersion, kind) -> file under deploy/k8s/schemas.
CRD_SCHEMAS = {("keda.sh/v1alpha1", "ScaledObject"): "keda.sh/scaledobject_v1alpha1.json"}
KUSTOMIZE_FIELDS = {"apiVersion", "kind", "namespace", "resources", "components", "images"}
APP_IMAGE = "checkin"          # the name the manifests use; components/images rewrites it
APP_UID = 10001                # the Dockerfile's USER
WORKER_DRAIN_SECS = 20         # shutdown_timeout in worker/src/lib.rs
NAMESPACE = "checkin"

results = []


def check(cond, msg, detail=""):
    results.append(bool(cond))
    line = ("ok   - " if cond else "FAIL - ") + msg
    if not cond and detail:
        line += "\n" + "\n".join("       " + d for d in str(detail).splitlines())
    print(line, flush=True)
    return bool(cond)


def shown(entry):
    return "deploy/k8s" if entry == "." else f"deploy/k8s/{entry}"


def rel(p):
    return str(Path(p).resolve().relative_to(K8S_DIR.resolve()))


def load_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def oid(d):
    return f"{d.get('kind')}/{(d.get('metadata') or {}).get('name')}"


# ---------------------------------------------------------------------------- schemas
crd_validators = {}
for key, fname in CRD_SCHEMAS.items():
    with open(K8S_DIR / "schemas" / fname, encoding="utf-8") as f:
        schema = json.load(f)
    crd_validators[key] = jsonschema.Draft7Validator(schema)


def schema_errors(doc):
    """None if valid, else a message. Built-in kinds: kubernetes-validate's strict schemas
    for K8S_VERSION; CRD kinds: the vendored schema; any other kind is an error."""
    key = (doc.get("apiVersion"), doc.get("kind"))
    if key in crd_validators:
        errs = sorted(crd_validators[key].iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errs:
            return "; ".join(f"{'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errs[:5])
        return None
    try:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as e:
        return f"{'.'.join(map(str, e.path)) or '(root)'}: {e.message}"
    except kubernetes_validate.SchemaNotFoundError as e:
        return e.message + " (and no vendored CRD schema in deploy/k8s/schemas)"
    except Exception as e:  # noqa: BLE001 - report, do not crash
        return f"{type(e).__name__}: {e}"
    return None


def validate_docs(label, docs):
    bad = []
    for d in docs:
        err = schema_errors(d)
        if err:
            bad.append(f"{oid(d)}: {err}")
    kinds = sorted({d.get("kind") for d in docs})
    check(docs and not bad, f"schema (Kubernetes {K8S_VERSION} strict{', KEDA CRD' if 'ScaledObject' in kinds else ''}): "
          f"{label} ({len(docs)} object{'s' if len(docs) != 1 else ''})", "\n".join(bad) or "no objects")


manifest_files = sorted(
    p for p in K8S_DIR.rglob("*.yaml")
    if p.name != "kustomization.yaml" and not p.name.startswith(".") and "schemas" not in p.relative_to(K8S_DIR).parts
)
file_docs = {}
for p in manifest_files:
    try:
        file_docs[rel(p)] = load_docs(p)
    except yaml.YAMLError as e:
        check(False, f"YAML parses: {rel(p)}", e)
        continue
    validate_docs(rel(p), file_docs[rel(p)])
if len(file_docs) < len(manifest_files):
    print("       (the remaining checks need every manifest to parse; stopping here)")
    sys.exit(1)

# ---------------------------------------------------------------------------- kustomizations
kust_files = sorted(K8S_DIR.rglob("kustomization.yaml"))
kusts = {}
problems = []
listed = {}
for kf in kust_files:
    kdir = kf.parent
    k = load_docs(kf)[0]
    kusts[rel(kdir) if kdir != K8S_DIR else "."] = k
    extra = set(k) - KUSTOMIZE_FIELDS
    if extra:
        problems.append(f"{rel(kf)}: fields this check does not model: {sorted(extra)}")
    for entry in k.get("resources") or []:
        target = (kdir / entry).resolve()
        if not target.exists():
            problems.append(f"{rel(kf)}: resource {entry} does not exist")
        elif target.is_dir():
            if not (target / "kustomization.yaml").exists():
                problems.append(f"{rel(kf)}: resource directory {entry} has no kustomization.yaml")
            elif load_docs(target / "kustomization.yaml")[0].get("kind") == "Component":
                problems.append(f"{rel(kf)}: {entry} is a Component, listed under resources")
        else:
            listed.setdefault(rel(target), []).append(rel(kf))
    for entry in k.get("components") or []:
        target = (kdir / entry).resolve()
        ck = target / "kustomization.yaml"
        if not ck.exists():
            problems.append(f"{rel(kf)}: component {entry} has no kustomization.yaml")
        elif load_docs(ck)[0].get("kind") != "Component":
            problems.append(f"{rel(kf)}: component {entry} is not kind: Component")
    want_kind = "Component" if "components" in kf.relative_to(K8S_DIR).parts else "Kustomization"
    if k.get("kind") != want_kind:
        problems.append(f"{rel(kf)}: kind {k.get('kind')}, expected {want_kind}")
check(not problems, f"kustomization lists: every resource and component of {len(kust_files)} kustomization.yaml exists "
      "and is of the right kind", "\n".join(problems))

unlisted = sorted(set(file_docs) - set(listed) - UNLISTED)
twice = sorted(f"{f}: {v}" for f, v in listed.items() if len(v) > 1)
should_not = sorted(set(listed) & UNLISTED)
check(not unlisted and not twice and not should_not,
      f"kustomization lists: each of {len(file_docs) - len(UNLISTED)} manifests is listed exactly once; "
      f"{', '.join(sorted(UNLISTED))} in none",
      "\n".join([f"not listed: {u}" for u in unlisted] + [f"listed twice: {t}" for t in twice]
                + [f"must not be listed: {s}" for s in should_not]))


def image_transform(docs, images):
    for d in docs:
        for c in containers_of(d):
            img = c.get("image", "")
            name, _, tag = img.partition(":")
            for rule in images:
                if name == rule["name"]:
                    new = rule.get("newName", name)
                    if rule.get("digest"):
                        c["image"] = f"{new}@{rule['digest']}"
                    else:
                        c["image"] = f"{new}:{rule.get('newTag', tag or 'latest')}"


CLUSTER_SCOPED = {"Namespace"}


def mini_build(kdir):
    """resources, then each component (its resources, then its images), then own images and
    namespace: the order kustomize applies them in."""
    k = load_docs(kdir / "kustomization.yaml")[0]
    docs = []
    for entry in k.get("resources") or []:
        t = (kdir / entry).resolve()
        docs += mini_build(t) if t.is_dir() else copy.deepcopy(load_docs(t))
    for entry in k.get("components") or []:
        c = (kdir / entry).resolve()
        docs += mini_build(c)  # a component's own images apply to its resources ...
        ck = load_docs(c / "kustomization.yaml")[0]
        image_transform(docs, ck.get("images") or [])  # ... and to all accumulated so far
    image_transform(docs, k.get("images") or [])
    if k.get("namespace"):
        for d in docs:
            if d.get("kind") not in CLUSTER_SCOPED:
                d.setdefault("metadata", {})["namespace"] = k["namespace"]
    return docs


def pod_spec(d):
    spec = d.get("spec") or {}
    if d.get("kind") in ("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"):
        return (spec.get("template") or {}).get("spec") or {}
    if d.get("kind") == "CronJob":
        return (((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("spec") or {}
    if d.get("kind") == "Pod":
        return spec
    return None


def pod_labels(d):
    if d.get("kind") == "Pod":
        return (d.get("metadata") or {}).get("labels") or {}
    return (((d.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}


def containers_of(d):
    ps = pod_spec(d)
    if not ps:
        return []
    return list(ps.get("initContainers") or []) + list(ps.get("containers") or [])


renders = {}
used_kubectl = any(RENDER_DIR.glob("*.yaml"))
for entry in ENTRY_POINTS:
    fname = RENDER_DIR / (entry.replace("/", "_").replace(".", "root") + ".yaml")
    mini = mini_build((K8S_DIR / entry).resolve())
    if used_kubectl:
        docs = load_docs(fname)
        got = sorted(f"{d.get('kind')}/{d['metadata'].get('namespace', '-')}/{d['metadata']['name']}" for d in docs)
        exp = sorted(f"{d.get('kind')}/{d['metadata'].get('namespace', '-')}/{d['metadata']['name']}" for d in mini)
        img_k = sorted(c.get("image") for d in docs for c in containers_of(d))
        img_m = sorted(c.get("image") for d in mini for c in containers_of(d))
        check(got == exp and img_k == img_m,
              f"kustomize: the Python loader agrees with kubectl on {shown(entry)} (objects, namespaces, images)",
              f"kubectl only: {sorted(set(got) - set(exp))}\nloader only: {sorted(set(exp) - set(got))}\n"
              f"images kubectl {img_k}\nimages loader  {img_m}")
    else:
        docs = mini
    renders[entry] = docs
    validate_docs(f"rendered {shown(entry)}" + ("" if used_kubectl else " (Python loader)"), docs)

# ---------------------------------------------------------------------------- project rules
with open(ROOT / "docker-compose.yml", encoding="utf-8") as f:
    compose = yaml.safe_load(f)
services = compose.get("services") or {}


def find(docs, kind, name):
    for d in docs:
        if d.get("kind") == kind and (d.get("metadata") or {}).get("name") == name:
            return d
    return None


def container(d, name=None):
    cs = (pod_spec(d) or {}).get("containers") or []
    if name is None:
        return cs[0] if cs else {}
    return next((c for c in cs if c.get("name") == name), {})


def env_names(c):
    return {e.get("name") for e in c.get("env") or []}


def env_value(c, name):
    return next((e.get("value") for e in c.get("env") or [] if e.get("name") == name), None)


def selects(selector, labels):
    if not selector:
        return True  # an empty selector selects everything
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        k, op, vals = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and labels.get(k) in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


system = renders["."]
hpa_system = renders["overlays/hpa"]
migrate_docs = renders["migrate"]
workloads = [d for d in system + migrate_docs if pod_spec(d) is not None]

# --- one namespace
wrong_ns = [oid(d) for e in renders.values() for d in e
            if d.get("kind") not in CLUSTER_SCOPED and (d.get("metadata") or {}).get("namespace") != NAMESPACE]
check(not wrong_ns, f"every namespaced object is in namespace {NAMESPACE}", wrong_ns)
check(find(system, "Namespace", NAMESPACE) is not None, f"the system creates Namespace {NAMESPACE}")

# --- no secrets in the repo
secrets_in = [f"{e}: {oid(d)}" for e, docs in renders.items() for d in docs if d.get("kind") == "Secret"]
check(not secrets_in, "no kustomization renders a Secret (the operator creates them)", secrets_in)
tmpl = file_docs.get("base/secrets.example.yaml") or []
tmpl_keys = {(d["metadata"]["name"], k) for d in tmpl if d.get("kind") == "Secret"
             for k in list((d.get("stringData") or {})) + list((d.get("data") or {}))}
not_placeholder = [f"{d['metadata']['name']}.{k}" for d in tmpl if d.get("kind") == "Secret"
                   for k, v in (d.get("stringData") or {}).items() if v != "REPLACE-ME"]
not_placeholder += [f"{d['metadata']['name']}.{k} (data:)" for d in tmpl for k in (d.get("data") or {})]
check(tmpl and not not_placeholder, "secrets.example.yaml holds placeholders only (stringData: REPLACE-ME)", not_placeholder)
refs = set()
for d in system + hpa_system + migrate_docs:
    for c in containers_of(d):
        for e in c.get("env") or []:
            ref = ((e.get("valueFrom") or {}).get("secretKeyRef")) or None
            if ref:
                refs.add((ref.get("name"), ref.get("key")))
        for ef in c.get("envFrom") or []:
            if ef.get("secretRef"):
                refs.add((ef["secretRef"].get("name"), "*"))
check(refs and refs <= tmpl_keys, f"every Secret key the pods read is in secrets.example.yaml ({len(refs)} keys)",
      f"missing from the template: {sorted(refs - tmpl_keys)}")
check(tmpl_keys <= refs, "every key in secrets.example.yaml is read by some pod", f"unused: {sorted(tmpl_keys - refs)}")

# --- pod security (restricted) and resources, every pod
sec_bad, res_bad, misc_bad = [], [], []
for d in workloads:
    ps = pod_spec(d)
    psc = ps.get("securityContext") or {}
    if psc.get("runAsNonRoot") is not True or not isinstance(psc.get("runAsUser"), int) or psc.get("runAsUser") == 0:
        sec_bad.append(f"{oid(d)}: pod securityContext needs runAsNonRoot: true and a non-zero runAsUser")
    if (psc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        sec_bad.append(f"{oid(d)}: seccompProfile RuntimeDefault")
    if ps.get("automountServiceAccountToken") is not False:
        misc_bad.append(f"{oid(d)}: automountServiceAccountToken: false")
    if ps.get("enableServiceLinks") is not False:
        misc_bad.append(f"{oid(d)}: enableServiceLinks: false (no REDIS_PORT=tcp://... style variables)")
    for c in containers_of(d):
        csc = c.get("securityContext") or {}
        if csc.get("allowPrivilegeEscalation") is not False:
            sec_bad.append(f"{oid(d)}/{c.get('name')}: allowPrivilegeEscalation: false")
        if "ALL" not in ((csc.get("capabilities") or {}).get("drop") or []) or (csc.get("capabilities") or {}).get("add"):
            sec_bad.append(f"{oid(d)}/{c.get('name')}: capabilities drop ALL, add none")
        if csc.get("readOnlyRootFilesystem") is not True:
            sec_bad.append(f"{oid(d)}/{c.get('name')}: readOnlyRootFilesystem: true")
        if csc.get("privileged") or csc.get("runAsUser") == 0:
            sec_bad.append(f"{oid(d)}/{c.get('name')}: privileged or root")
        r = c.get("resources") or {}
        for part in ("requests", "limits"):
            for res in ("cpu", "memory"):
                if not (r.get(part) or {}).get(res):
                    res_bad.append(f"{oid(d)}/{c.get('name')}: resources.{part}.{res}")
        if c.get("image", "").split("/")[-1].split(":")[0].split("@")[0] == APP_IMAGE:
            if psc.get("runAsUser") != APP_UID or psc.get("runAsGroup") != APP_UID:
                sec_bad.append(f"{oid(d)}: the app image runs as uid/gid {APP_UID} (the Dockerfile's USER)")
check(not sec_bad, f"every pod ({len(workloads)}): non-root, seccomp RuntimeDefault, no privilege escalation, "
      "capabilities dropped, read-only root filesystem", "\n".join(sec_bad))
check(not res_bad, "every container has cpu and memory requests and limits", "\n".join(res_bad))
check(not misc_bad, "every pod: no service-account token, no service-link variables", "\n".join(misc_bad))

# --- images
img_bad = []
for d in workloads:
    for c in containers_of(d):
        img = c.get("image", "")
        last = img.split("/")[-1]
        if "@" not in img and (":" not in last or last.endswith(":latest")):
            img_bad.append(f"{oid(d)}: {img} (no tag, or latest)")
        if last.split(":")[0].split("@")[0] == APP_IMAGE and "/" not in img:
            img_bad.append(f"{oid(d)}: {img} is the bare placeholder: components/images did not rewrite it")
check(not img_bad, "every image is pinned (tag or digest, not latest) and the app image points at a registry",
      "\n".join(img_bad))

# --- Services and PDBs select pods, named target ports exist
svc_bad = []
for docs, label in ((system, "."), (hpa_system, "overlays/hpa")):
    pods = [d for d in docs if pod_spec(d) is not None]
    for s in (d for d in docs if d.get("kind") == "Service"):
        sel = (s.get("spec") or {}).get("selector") or {}
        matched = [p for p in pods if sel and selects({"matchLabels": sel}, pod_labels(p))]
        if not matched:
            svc_bad.append(f"{label}: Service/{s['metadata']['name']} selects no pod")
        for port in (s.get("spec") or {}).get("ports") or []:
            tp = port.get("targetPort", port.get("port"))
            for p in matched:
                names = {cp.get("name") for c in containers_of(p) for cp in c.get("ports") or []}
                nums = {cp.get("containerPort") for c in containers_of(p) for cp in c.get("ports") or []}
                if tp not in names and tp not in nums:
                    svc_bad.append(f"{label}: Service/{s['metadata']['name']} port {tp} not on {oid(p)}")
    for b in (d for d in docs if d.get("kind") == "PodDisruptionBudget"):
        if not any(selects((b.get("spec") or {}).get("selector"), pod_labels(p)) for p in pods):
            svc_bad.append(f"{label}: PodDisruptionBudget/{b['metadata']['name']} selects no pod")
check(not svc_bad, "every Service and PodDisruptionBudget selects pods, and every target port exists",
      "\n".join(svc_bad))

# --- NetworkPolicies: the stores are reachable only from the app pods that use them
app_pods = {pod_labels(d).get("app.kubernetes.io/name"): d for d in workloads}
expected_clients = {
    "mariadb": {"api", "worker", "dashboard", "migrate"},
    "redis": {"api", "worker", "dashboard"},
    "lock1": {"worker"}, "lock2": {"worker"}, "lock3": {"worker"},
    "paymock": {"worker"},
}
np_bad = []
policies = [d for d in system if d.get("kind") == "NetworkPolicy"]
for target, want in expected_clients.items():
    t = app_pods.get(target)
    if t is None:
        np_bad.append(f"no pod named {target}")
        continue
    pols = [p for p in policies if selects(p["spec"].get("podSelector"), pod_labels(t))
            and "Ingress" in (p["spec"].get("policyTypes") or ["Ingress"])]
    if not pols:
        np_bad.append(f"{target}: no Ingress NetworkPolicy selects it (open to every pod in the cluster)")
        continue
    allowed = set()
    for p in pols:
        for rule in p["spec"].get("ingress") or []:
            froms = rule.get("from")
            if not froms:
                np_bad.append(f"{target}: {oid(p)} has a rule without `from` (any source)")
                continue
            for fr in froms:
                if "ipBlock" in fr or "namespaceSelector" in fr:
                    np_bad.append(f"{target}: {oid(p)} admits sources outside this namespace's pods: {fr}")
                    continue
                allowed |= {n for n, d in app_pods.items() if selects(fr.get("podSelector"), pod_labels(d))}
    if allowed != want:
        np_bad.append(f"{target}: reachable from {sorted(allowed)}, expected {sorted(want)}")
check(not np_bad, "NetworkPolicies: mariadb from api/worker/dashboard/migrate, redis from api/worker/dashboard, "
      "lock1-3 and paymock from worker only", "\n".join(np_bad))

# --- the API
api = find(system, "Deployment", "api")
ac = container(api) if api else {}
ports = {p.get("name"): p.get("containerPort") for p in ac.get("ports") or []}


def probe_ok(probe, path):
    g = (probe or {}).get("httpGet") or {}
    port = g.get("port")
    return g.get("path") == path and (port == 8080 or ports.get(port) == 8080)


check(api and api["spec"].get("replicas") == 2, "api: Deployment with 2 replicas")
check(ac.get("args") == ["checkin-api", "serve"], "api: runs `checkin-api serve`", ac.get("args"))
check(ports == {"http": 8080, "metrics": 9090} and env_value(ac, "API_BIND") == "0.0.0.0:8080"
      and env_value(ac, "API_METRICS_BIND") == "0.0.0.0:9090",
      "api: listens on 0.0.0.0:8080 (port http), metrics on a listener of their own, 0.0.0.0:9090 (port metrics)",
      f"ports {ports}, API_BIND {env_value(ac, 'API_BIND')}, API_METRICS_BIND {env_value(ac, 'API_METRICS_BIND')}")
check(probe_ok(ac.get("readinessProbe"), "/readyz") and probe_ok(ac.get("livenessProbe"), "/healthz"),
      "api: readiness GET /readyz, liveness GET /healthz, on 8080",
      f"readiness {ac.get('readinessProbe')}\nliveness {ac.get('livenessProbe')}")
ann = ((api or {}).get("spec", {}).get("template", {}).get("metadata") or {}).get("annotations") or {}
check(ann.get("prometheus.io/port") == "9090" and ann.get("prometheus.io/path") == "/metrics",
      "api: metrics scraped from /metrics on their own port 9090, not the public 8080", ann)
pdb = find(system, "PodDisruptionBudget", "api")
check(pdb and selects(pdb["spec"].get("selector"), pod_labels(api or {}))
      and (pdb["spec"].get("minAvailable") == 1 or pdb["spec"].get("maxUnavailable") == 1),
      "api: a PodDisruptionBudget keeps one of the two up")
check(find(system, "Service", "api") is not None, "api: Service api")

# --- the workers
worker = find(system, "Deployment", "worker")
wc = container(worker) if worker else {}
wps = pod_spec(worker) if worker else {}
wann = ((worker or {}).get("spec", {}).get("template", {}).get("metadata") or {}).get("annotations") or {}
check(wc.get("args") == ["checkin-worker"], "worker: runs `checkin-worker`", wc.get("args"))
check(env_value(wc, "WORKER_METRICS_BIND") == "0.0.0.0:9091" and {p.get("containerPort") for p in wc.get("ports") or []} == {9091}
      and wann.get("prometheus.io/port") == "9091" and wann.get("prometheus.io/path") == "/metrics",
      "worker: metrics on 0.0.0.0:9091 /metrics, annotated for scraping", f"{wc.get('ports')} {wann}")
grace = (wps or {}).get("terminationGracePeriodSeconds") or 30
check(grace >= WORKER_DRAIN_SECS + 10,
      f"worker: terminationGracePeriodSeconds {grace} >= the {WORKER_DRAIN_SECS} s drain + 10 s margin")
check(worker and "replicas" not in worker["spec"], "worker: no `replicas` in the Deployment (the autoscaler owns it)",
      (worker or {}).get("spec", {}).get("replicas"))
check({"PAYMENT_API_KEY", "DATABASE_URL", "MARIADB_PASSWORD"} <= env_names(wc), "worker: gets DATABASE_URL and PAYMENT_API_KEY")

# --- the dashboard, paymock, migrate
dash = find(system, "Deployment", "dashboard")
dc = container(dash) if dash else {}
check(dc.get("args") == ["checkin-dashboard"] and env_value(dc, "DASHBOARD_BIND") == "0.0.0.0:8081"
      and "DASHBOARD_PASSWORD" in env_names(dc) and find(system, "Service", "dashboard"),
      "dashboard: Deployment + Service on 8081, password from a Secret")
pm = find(system, "Deployment", "paymock")
pmc = container(pm) if pm else {}
check(pm and pmc.get("args") == ["checkin-paymock"] and find(system, "Service", "paymock")
      and (pm["metadata"].get("labels") or {}).get("checkin.example.com/development-only") == "true",
      "paymock: Deployment + Service, labelled development-only")
ref = lambda c, n: next(((e.get("valueFrom") or {}).get("secretKeyRef") for e in c.get("env") or [] if e.get("name") == n), None)  # noqa: E731
check(ref(pmc, "PAYMOCK_API_KEY") == ref(wc, "PAYMENT_API_KEY") and ref(wc, "PAYMENT_API_KEY"),
      "paymock accepts the key the workers send (same Secret key)")
job = find(migrate_docs, "Job", "migrate")
jc = container(job) if job else {}
check(job and jc.get("args") == ["checkin-api", "migrate", "up"] and pod_spec(job).get("restartPolicy") == "Never",
      "migrate: a Job running `checkin-api migrate up` (deploy/k8s/migrate)")
check(not any(d.get("kind") == "Job" for d in system + hpa_system),
      "migrations are an explicit step: no Job in the system's kustomizations")
url_bad = []
for d in workloads:
    for c in containers_of(d):
        if c.get("image", "").split("/")[-1].startswith(APP_IMAGE + ":") and "DATABASE_URL" in env_names(c):
            v = env_value(c, "DATABASE_URL") or ""
            names = [e.get("name") for e in c.get("env") or []]
            if "$(MARIADB_PASSWORD)" not in v or names.index("MARIADB_PASSWORD") > names.index("DATABASE_URL"):
                url_bad.append(f"{oid(d)}: {v}")
            if not any((ef.get("configMapRef") or {}).get("name") == "checkin-config" for ef in c.get("envFrom") or []):
                url_bad.append(f"{oid(d)}: no envFrom checkin-config")
check(not url_bad, "app pods build DATABASE_URL from checkin-config and the Secret, password defined before use",
      "\n".join(url_bad))

# --- mirror docker-compose.yml: MariaDB, Redis, lock nodes


def compose_cmd(name):
    cmd = (services.get(name) or {}).get("command")
    return [str(x) for x in cmd] if isinstance(cmd, list) else str(cmd or "").split()


maria = find(system, "StatefulSet", "mariadb")
mc = container(maria) if maria else {}
check(maria and mc.get("args") == compose_cmd("mariadb"),
      "mariadb: StatefulSet with docker-compose.yml's durable command line", f"k8s {mc.get('args')}\ncompose {compose_cmd('mariadb')}")
check(maria and maria["spec"].get("volumeClaimTemplates") and any(
    m.get("mountPath") == "/var/lib/mysql" for m in mc.get("volumeMounts") or []),
      "mariadb: data on a PersistentVolumeClaim at /var/lib/mysql")
check(mc.get("image") == services.get("mariadb", {}).get("image"), "mariadb: the image docker-compose.yml uses",
      f"{mc.get('image')} vs {services.get('mariadb', {}).get('image')}")
menv = {e["name"]: e.get("value") for e in mc.get("env") or []}
check(menv.get("MARIADB_DATABASE") == "checkin" and menv.get("MARIADB_USER") == "checkin"
      and {"MARIADB_PASSWORD", "MARIADB_ROOT_PASSWORD"} <= set(menv),
      "mariadb: creates database and user checkin, passwords from the Secret")
redis = find(system, "StatefulSet", "redis")
rc = container(redis) if redis else {}
check(redis and rc.get("args") == compose_cmd("redis") and "--appendonly" in rc.get("args", [])
      and rc["args"][rc["args"].index("--appendonly") + 1] == "yes" and redis["spec"].get("volumeClaimTemplates"),
      "redis (queue): StatefulSet with AOF (docker-compose.yml's command) on a PersistentVolumeClaim",
      f"k8s {rc.get('args')}\ncompose {compose_cmd('redis')}")
lock_bad = []
for n in ("lock1", "lock2", "lock3"):
    dep = find(system, "Deployment", n)
    if not dep:
        lock_bad.append(f"{n}: no Deployment")
        continue
    c = container(dep)
    vols = (pod_spec(dep).get("volumes") or [])
    if c.get("args") != compose_cmd(n):
        lock_bad.append(f"{n}: args {c.get('args')} != compose {compose_cmd(n)}")
    if any("emptyDir" not in v for v in vols) or dep["spec"].get("replicas") != 1:
        lock_bad.append(f"{n}: must be one pod with no persistent volume")
    if (dep["spec"].get("strategy") or {}).get("type") != "Recreate":
        lock_bad.append(f"{n}: strategy Recreate (never two pods behind one lock node)")
    if any(x in " ".join(c.get("args") or []) for x in ("replicaof", "slaveof")):
        lock_bad.append(f"{n}: replication")
    if not find(system, "Service", n):
        lock_bad.append(f"{n}: no Service")
    rp = c.get("readinessProbe") or {}
    if (rp.get("initialDelaySeconds") or 0) * 1000 <= 2000:
        lock_bad.append(f"{n}: readiness initialDelaySeconds must exceed LOCK_TTL_MS (2 s)")
cm = find(system, "ConfigMap", "checkin-config") or {"data": {}}
hosts = sorted(re.sub(r"^redis://", "", u).split(":")[0] for u in cm["data"].get("LOCK_REDIS_URLS", "").split(",") if u)
if hosts != ["lock1", "lock2", "lock3"]:
    lock_bad.append(f"LOCK_REDIS_URLS names {hosts}")
check(not lock_bad, "lock nodes: three independent Deployments + Services, no persistence, no replication, "
      "as docker-compose.yml", "\n".join(lock_bad))

# --- settings: the ConfigMap against .env.example and docker-compose.yml
env_example = []
with open(ROOT / ".env.example", encoding="utf-8") as f:
    for line in f:
        m = re.match(r"^([A-Z][A-Z0-9_]*)=", line)
        if m:
            env_example.append(m.group(1))
pm_cm = find(system, "ConfigMap", "paymock-config") or {"data": {}}
secret_env = {e.get("name") for d in workloads for c in containers_of(d) for e in c.get("env") or [] if e.get("valueFrom")}
container_env = {e.get("name") for d in workloads for c in containers_of(d) for e in c.get("env") or [] if "value" in e}
# The host ports are where docker compose publishes on 127.0.0.1; on Kubernetes the
# Services and an Ingress do that.
elsewhere = {"CHECKIN_IMAGE": "components/images", "API_HOST_PORT": "Service api",
             "DASHBOARD_HOST_PORT": "Service dashboard", "PAYMOCK_HOST_PORT": "Service paymock"}
# checkin-autoscaler's settings are for docker compose and local processes only: on
# Kubernetes KEDA (or the HPA) scales the workers.
unaccounted = [k for k in env_example if k not in cm["data"] and k not in pm_cm["data"] and k not in secret_env
               and k not in container_env and k not in elsewhere and not k.startswith("AUTOSCALER_")]
check(not unaccounted, f"every setting in .env.example ({len(env_example)}) is in a ConfigMap, a Secret, a container's "
      "env or the image component", f"unaccounted: {unaccounted}")
x_env = (services.get("worker") or {}).get("environment") or {}
diff = []
for k, v in x_env.items():
    v = str(v)
    m = re.fullmatch(r"\$\{([A-Z_]+):-(.*)\}", v)
    if m:
        want = m.group(2)
    elif "${" in v or k in ("DATABASE_URL", "WORKER_METRICS_BIND"):
        continue
    else:
        want = v
    have = cm["data"].get(k)
    if k == "PAYMENT_API_KEY":
        continue  # a Secret here
    if have != want:
        diff.append(f"{k}: compose {want!r}, ConfigMap {have!r}")
check(x_env and not diff, "checkin-config has docker-compose.yml's settings and defaults for the app services", "\n".join(diff))
for k, v in ((services.get("paymock") or {}).get("environment") or {}).items():
    m = re.fullmatch(r"\$\{([A-Z_]+):-(.*)\}", str(v))
    if k.startswith("PAYMOCK_") and m and k != "PAYMOCK_API_KEY" and pm_cm["data"].get(k) != m.group(2):
        diff.append(f"paymock {k}: compose {m.group(2)!r}, ConfigMap {pm_cm['data'].get(k)!r}")
check(not diff, "paymock-config has docker-compose.yml's paymock defaults", "\n".join(diff))

# --- autoscaling: exactly one autoscaler per system, and the two alternatives agree


def autoscalers(docs):
    return [d for d in docs if d.get("kind") in ("ScaledObject", "HorizontalPodAutoscaler")]


keda_as = autoscalers(system)
hpa_as = autoscalers(hpa_system)
check([d.get("kind") for d in keda_as] == ["ScaledObject"] and [d.get("kind") for d in hpa_as] == ["HorizontalPodAutoscaler"],
      "exactly one worker autoscaler per entry point: deploy/k8s -> KEDA ScaledObject, overlays/hpa -> HPA",
      f"deploy/k8s: {[oid(d) for d in keda_as]}\noverlays/hpa: {[oid(d) for d in hpa_as]}")
so = keda_as[0] if keda_as else {"spec": {}}
hpa = hpa_as[0] if hpa_as else {"spec": {}}
sos, hs = so["spec"], hpa["spec"]
check((sos.get("scaleTargetRef") or {}).get("name") == "worker" and (sos.get("scaleTargetRef") or {}).get("kind", "Deployment") == "Deployment"
      and (hs.get("scaleTargetRef") or {}).get("name") == "worker" and (hs.get("scaleTargetRef") or {}).get("kind") == "Deployment",
      "both autoscalers target Deployment/worker")
mn, mx = sos.get("minReplicaCount", 0), sos.get("maxReplicaCount", 100)
check(2 <= mn <= mx, f"ScaledObject: 2 <= minReplicaCount ({mn}) <= maxReplicaCount ({mx}) (the sweeper and the "
      "gauges need running workers; KEDA's CEL rule min <= max, which JSON Schema cannot express)")
check(sos.get("cooldownPeriod") is not None and sos.get("pollingInterval") is not None,
      "ScaledObject: pollingInterval and cooldownPeriod set")
triggers = sos.get("triggers") or []
by_metric = {}
for t in triggers:
    q = (t.get("metadata") or {}).get("query", "")
    for name in ("checkin_backlog_oldest_seconds", "checkin_backlog"):
        if re.search(rf"\b{name}\b(?!_)", q):
            by_metric[name] = t
            break
tr_bad = [f"{t.get('name')}: type {t.get('type')}" for t in triggers if t.get("type") != "prometheus"]
tr_bad += [f"{t.get('name')}: query without max(): {(t.get('metadata') or {}).get('query')}" for t in triggers
           if "max(" not in re.sub(r"max by \([^)]*\) \(", "max(", (t.get("metadata") or {}).get("query", ""))]
tr_bad += [f"{t.get('name')}: threshold {(t.get('metadata') or {}).get('threshold')!r} is not a positive number"
           for t in triggers if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", str((t.get("metadata") or {}).get("threshold", "")))
           or float((t.get("metadata") or {}).get("threshold")) <= 0]
old, depth = by_metric.get("checkin_backlog_oldest_seconds"), by_metric.get("checkin_backlog")
if not old or old.get("metricType") != "Value":
    tr_bad.append("a trigger on checkin_backlog_oldest_seconds with metricType Value (age does not divide by pods)")
elif 'queue="hold"' not in (old.get("metadata") or {}).get("query", ""):
    tr_bad.append("the age trigger limited to queue=\"hold\" (payments wait on the provider; pods do not help)")
if not depth or depth.get("metricType", "AverageValue") != "AverageValue":
    tr_bad.append("a trigger on checkin_backlog with metricType AverageValue (waiting requests per worker)")
for t in triggers:
    q = (t.get("metadata") or {}).get("query", "")
    if f'namespace="{NAMESPACE}"' not in q:
        tr_bad.append(f"{t.get('name')}: query not limited to namespace {NAMESPACE}: {q}")
check(not tr_bad, "ScaledObject: Prometheus triggers on the oldest age (Value) and the depth (AverageValue), "
      "max() over the workers' copies", "\n".join(tr_bad))
beh = ((sos.get("advanced") or {}).get("horizontalPodAutoscalerConfig") or {}).get("behavior") or {}
down, up = beh.get("scaleDown") or {}, beh.get("scaleUp") or {}
down_rate = max((p["value"] / p["periodSeconds"] for p in down.get("policies") or [] if p.get("type") == "Pods"), default=None)
up_rate = max((p["value"] / p["periodSeconds"] for p in up.get("policies") or [] if p.get("type") == "Pods"), default=0)
check((down.get("stabilizationWindowSeconds") or 0) >= 120 and down_rate is not None and down_rate < up_rate,
      "ScaledObject: scales down slowly (stabilization >= 120 s, fewer pods per second than up)",
      f"scaleDown {down}\nscaleUp {up}")
check(sos.get("fallback") is None or sos["fallback"].get("replicas", 0) <= mx,
      "ScaledObject: fallback replicas within min..max")
# The two alternatives must say the same thing.
same = []
if (hs.get("minReplicas"), hs.get("maxReplicas")) != (mn, mx):
    same.append(f"min/max: HPA {hs.get('minReplicas')}/{hs.get('maxReplicas')}, KEDA {mn}/{mx}")
if hs.get("behavior") != beh:
    same.append(f"behavior differs:\nHPA  {hs.get('behavior')}\nKEDA {beh}")
ext = {((m.get("external") or {}).get("metric") or {}).get("name"): (m.get("external") or {}).get("target") or {}
       for m in hs.get("metrics") or [] if m.get("type") == "External"}
adapter = yaml.safe_load(((file_docs.get("prometheus-adapter/adapter-config.yaml") or [{}])[0].get("data") or {}).get("config.yaml", "") or "{}")
rules = {((r.get("name") or {}).get("as")): r for r in (adapter or {}).get("externalRules") or []}
for name, target in ext.items():
    r = rules.get(name)
    if not r:
        same.append(f"HPA metric {name} has no prometheus-adapter external rule (name.as)")
        continue
    series = re.match(r"'?([a-z_]+)", r.get("seriesQuery", "")).group(1)
    kt = by_metric.get(series)
    if not kt:
        same.append(f"{name}: series {series} has no KEDA trigger")
        continue
    want_type = kt.get("metricType", "AverageValue")
    want_val = (kt.get("metadata") or {}).get("threshold")
    got_val = target.get("value") if target.get("type") == "Value" else target.get("averageValue")
    if target.get("type") != want_type or str(got_val) != str(want_val):
        same.append(f"{name}: HPA {target}, KEDA {want_type} {want_val}")
    if "max(" not in r.get("metricsQuery", "") and "max by" not in r.get("metricsQuery", ""):
        same.append(f"{name}: adapter metricsQuery without max(): {r.get('metricsQuery')}")
    if (((r.get("resources") or {}).get("overrides") or {}).get("namespace") or {}).get("resource") != "namespace":
        same.append(f"{name}: adapter rule without the namespace override (HPAs ask per namespace)")
if len(ext) != len(triggers):
    same.append(f"HPA has {len(ext)} external metrics, KEDA {len(triggers)} triggers")
check(not same, "the HPA alternative matches the ScaledObject (min/max, behavior, targets) and every HPA metric has a "
      "prometheus-adapter rule", "\n".join(same))

# --- connection budget
max_conn = next((int(a.split("=", 1)[1]) for a in mc.get("args") or [] if a.startswith("--max-connections=")), 0)
per = int(cm["data"].get("DB_MAX_CONNECTIONS", "0") or 0)
dash_n = (dash or {}).get("spec", {}).get("replicas", 1)
api_n = (api or {}).get("spec", {}).get("replicas", 1)
need = per * (api_n + dash_n + 1 + max(mx, hs.get("maxReplicas") or 0))
check(per and need <= max_conn, f"MariaDB connection budget: {per} x (api {api_n} + dashboard {dash_n} + migrate 1 + "
      f"workers {mx}) = {need} <= max-connections {max_conn}")

sys.exit(0 if all(results) else 1)
