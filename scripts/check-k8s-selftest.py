#!/usr/bin/env python3
"""Proves that each check of scripts/check-k8s.sh can fail: copies deploy/k8s to a temporary
directory, breaks one thing on purpose, runs the checker on the copy and expects it to exit
non-zero with the named FAIL line. The unbroken copy must pass first (the control).
The real deploy/k8s is never touched.

Usage: scripts/check-k8s-selftest.py [CASE-SUBSTRING ...]   (default: every case)
Needs only python3 (the checker sets up its own venv). Exit status 1 if any case did not
fail as expected.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "deploy" / "k8s"
CHECKER = ROOT / "scripts" / "check-k8s.sh"


def edit(path, old, new, count=1):
    def apply(d):
        p = d / path
        text = p.read_text(encoding="utf-8")
        if text.count(old) < count:
            raise AssertionError(f"self-test is stale: {old!r} not found {count}x in {path}")
        p.write_text(text.replace(old, new, count), encoding="utf-8")
    return apply


def append(path, text):
    def apply(d):
        with open(d / path, "a", encoding="utf-8") as f:
            f.write(text)
    return apply


def write(path, text):
    def apply(d):
        (d / path).write_text(text, encoding="utf-8")
    return apply


def both(*fs):
    def apply(d):
        for f in fs:
            f(d)
    return apply


# (name, mutation, expected substring of a FAIL line, extra env)
CASES = [
    ("yamllint: bad indentation",
     edit("base/api.yaml", "  replicas: 2\n", "  replicas: 2\n   revisionHistoryLimit2: 1\n"),
     "FAIL - yamllint", {}),
    ("yamllint: trailing spaces",
     edit("base/config.yaml", 'QUEUE_PREFIX: "checkin"', 'QUEUE_PREFIX: "checkin"   '),
     "FAIL - yamllint", {}),
    ("YAML: does not parse",
     edit("base/redis.yaml", "  serviceName: redis-headless\n", "  serviceName: [redis-headless\n"),
     "FAIL - YAML parses: base/redis.yaml", {"KUBECTL": "none"}),
    ("k8s schema: unknown field (strict)",
     edit("base/api.yaml", "  replicas: 2\n", "  replicas: 2\n  replica: 2\n"),
     "FAIL - schema (Kubernetes 1.33.0 strict): base/api.yaml", {}),
    ("k8s schema: wrong type",
     edit("base/worker.yaml", "containerPort: 9091", 'containerPort: "9091"'),
     "FAIL - schema (Kubernetes 1.33.0 strict): base/worker.yaml", {}),
    ("k8s schema: unknown field in a rendered object only",
     edit("components/paymock/paymock.yaml", "  replicas: 1\n", "  replicas: 1\n  paused2: true\n"),
     "FAIL - schema (Kubernetes 1.33.0 strict, KEDA CRD): rendered deploy/k8s", {}),
    ("k8s schema: a kind with no schema",
     append("base/worker.yaml", "---\napiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata:\n"
            "  name: worker\n  namespace: checkin\nspec: {}\n"),
     "FAIL - schema (Kubernetes 1.33.0 strict): base/worker.yaml", {}),
    ("KEDA schema (check-jsonschema): misspelt field",
     edit("components/autoscaling-keda/scaledobject.yaml", "  minReplicaCount: 2", "  minReplicas: 2"),
     "FAIL - check-jsonschema", {}),
    ("KEDA schema (Python): misspelt trigger field",
     edit("components/autoscaling-keda/scaledobject.yaml", "      metricType: Value", "      metric_type: Value"),
     "FAIL - schema (Kubernetes 1.33.0 strict, KEDA CRD): components/autoscaling-keda/scaledobject.yaml", {}),
    ("kustomize: a listed file is missing (kubectl)",
     edit("base/kustomization.yaml", "  - dashboard.yaml\n", "  - dashboard.yaml\n  - missing.yaml\n"),
     "FAIL - kustomize: deploy/k8s renders", {}),
    ("kustomization lists: a listed file is missing (no kubectl)",
     edit("base/kustomization.yaml", "  - dashboard.yaml\n", "  - dashboard.yaml\n  - missing.yaml\n"),
     "FAIL - kustomization lists: every resource and component", {"KUBECTL": "none"}),
    ("kustomization lists: a manifest nobody lists",
     write("base/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: checkin\n"),
     "FAIL - kustomization lists: each of", {}),
    ("kustomization lists: a field the loader does not model",
     append("kustomization.yaml", "namePrefix: x-\n"),
     "FAIL - kustomization lists: every resource and component", {}),
    ("kustomize: loader and kubectl disagree",
     append("kustomization.yaml", "namePrefix: x-\n"),
     "FAIL - kustomize: the Python loader agrees with kubectl", {}),
    ("secrets: the template gets applied",
     edit("base/kustomization.yaml", "  - config.yaml\n", "  - config.yaml\n  - secrets.example.yaml\n"),
     "FAIL - no kustomization renders a Secret", {}),
    ("secrets: a real value in the template",
     edit("base/secrets.example.yaml", 'root-password: "REPLACE-ME"', 'root-password: "hunter2"'),
     "FAIL - secrets.example.yaml holds placeholders only", {}),
    ("secrets: a pod reads a key the template lacks",
     edit("base/dashboard.yaml", "name: checkin-dashboard\n                  key: password",
          "name: checkin-dashboard\n                  key: passwd"),
     "FAIL - every Secret key the pods read is in secrets.example.yaml", {}),
    ("security: writable root filesystem",
     edit("base/worker.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"),
     "FAIL - every pod", {}),
    ("security: root user",
     edit("base/dashboard.yaml", "runAsUser: 10001", "runAsUser: 0"),
     "FAIL - every pod", {}),
    ("security: privilege escalation",
     edit("base/lock-nodes.yaml", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"),
     "FAIL - every pod", {}),
    ("resources: a container without limits",
     edit("base/dashboard.yaml", "            limits:\n              cpu: 500m\n              memory: 256Mi\n", ""),
     "FAIL - every container has cpu and memory requests and limits", {}),
    ("pods: service links left on",
     edit("base/api.yaml", "enableServiceLinks: false", "enableServiceLinks: true"),
     "FAIL - every pod: no service-account token", {}),
    ("images: the image component applied before paymock",
     both(edit("kustomization.yaml", "  - components/images\n", ""),
          edit("kustomization.yaml", "  - components/paymock\n", "  - components/images\n  - components/paymock\n")),
     "FAIL - every image is pinned", {}),
    ("images: latest",
     edit("components/images/kustomization.yaml", 'newTag: "0.1.0"', 'newTag: "latest"'),
     "FAIL - every image is pinned", {}),
    ("services: a selector that matches nothing",
     edit("base/dashboard.yaml", "  selector:\n    app.kubernetes.io/name: dashboard",
          "  selector:\n    app.kubernetes.io/name: dashbaord"),
     "FAIL - every Service and PodDisruptionBudget selects pods", {}),
    ("network policy: the dashboard may reach the lock nodes",
     edit("base/network-policies.yaml",
          "              app.kubernetes.io/name: worker\n              app.kubernetes.io/part-of: checkin\n",
          "              app.kubernetes.io/part-of: checkin\n"),
     "FAIL - NetworkPolicies", {}),
    ("network policy: MariaDB open",
     edit("base/network-policies.yaml", "      app.kubernetes.io/name: mariadb\n", "      app.kubernetes.io/name: mariadb-x\n"),
     "FAIL - NetworkPolicies", {}),
    ("api: readiness on /healthz",
     edit("base/api.yaml", "path: /readyz", "path: /healthz"),
     "FAIL - api: readiness GET /readyz", {}),
    ("api: one replica",
     edit("base/api.yaml", "  replicas: 2\n", "  replicas: 1\n"),
     "FAIL - api: Deployment with 2 replicas", {}),
    ("worker: grace period shorter than the drain",
     edit("base/worker.yaml", "terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds: 15"),
     "FAIL - worker: terminationGracePeriodSeconds", {}),
    ("worker: replicas fixed in the Deployment",
     edit("base/worker.yaml", "  revisionHistoryLimit: 5\n", "  replicas: 2\n  revisionHistoryLimit: 5\n"),
     "FAIL - worker: no `replicas`", {}),
    ("migrate: the Job in the system",
     edit("kustomization.yaml", "  - base\n", "  - base\n  - migrate/job.yaml\n"),
     "FAIL - migrations are an explicit step", {}),
    ("mariadb: not durable",
     edit("base/mariadb.yaml", "            - --sync-binlog=1\n", ""),
     "FAIL - mariadb: StatefulSet with docker-compose.yml's durable command line", {}),
    ("redis: no AOF",
     edit("base/redis.yaml", '"--appendonly", "yes"', '"--appendonly", "no"'),
     "FAIL - redis (queue)", {}),
    ("lock nodes: persistence",
     edit("base/lock-nodes.yaml", '"--appendonly", "no"', '"--appendonly", "yes"'),
     "FAIL - lock nodes", {}),
    ("lock nodes: rolling update",
     edit("base/lock-nodes.yaml", "    type: Recreate\n", "    type: RollingUpdate\n"),
     "FAIL - lock nodes", {}),
    ("settings: a default that differs from docker-compose.yml",
     edit("base/config.yaml", 'HOLD_TTL_SECS: "300"', 'HOLD_TTL_SECS: "600"'),
     "FAIL - checkin-config has docker-compose.yml's settings", {}),
    ("settings: a setting of .env.example missing",
     edit("base/config.yaml", '  SWEEP_BATCH: "500"\n', ""),
     "FAIL - every setting in .env.example", {}),
    ("autoscaling: both autoscalers in the default",
     edit("kustomization.yaml", "  - components/autoscaling-keda\n",
          "  - components/autoscaling-keda\n  - components/autoscaling-hpa\n"),
     "FAIL - exactly one worker autoscaler per entry point", {}),
    ("autoscaling: scale to zero",
     edit("components/autoscaling-keda/scaledobject.yaml", "  minReplicaCount: 2", "  minReplicaCount: 0"),
     "FAIL - ScaledObject: 2 <= minReplicaCount", {}),
    ("autoscaling: min above max (KEDA's CEL rule)",
     edit("components/autoscaling-keda/scaledobject.yaml", "  minReplicaCount: 2", "  minReplicaCount: 12"),
     "FAIL - ScaledObject: 2 <= minReplicaCount", {}),
    ("autoscaling: sum() over the workers' copies",
     edit("components/autoscaling-keda/scaledobject.yaml", "query: max(checkin_backlog_oldest_seconds",
          "query: sum(checkin_backlog_oldest_seconds"),
     "FAIL - ScaledObject: Prometheus triggers", {}),
    ("autoscaling: the age averaged per pod",
     edit("components/autoscaling-keda/scaledobject.yaml", "      metricType: Value", "      metricType: AverageValue"),
     "FAIL - ScaledObject: Prometheus triggers", {}),
    ("autoscaling: scale down at once",
     edit("components/autoscaling-keda/scaledobject.yaml", "          stabilizationWindowSeconds: 300",
          "          stabilizationWindowSeconds: 0"),
     "FAIL - ScaledObject: scales down slowly", {}),
    ("autoscaling: the HPA alternative drifts",
     edit("components/autoscaling-hpa/hpa.yaml", 'averageValue: "100"', 'averageValue: "50"'),
     "FAIL - the HPA alternative matches the ScaledObject", {}),
    ("autoscaling: an HPA metric the adapter does not serve",
     edit("prometheus-adapter/adapter-config.yaml", 'as: "checkin_backlog_depth"', 'as: "checkin_backlog_total"'),
     "FAIL - the HPA alternative matches the ScaledObject", {}),
    ("connections: more workers than MariaDB can serve",
     both(edit("components/autoscaling-keda/scaledobject.yaml", "  maxReplicaCount: 10", "  maxReplicaCount: 20"),
          edit("components/autoscaling-hpa/hpa.yaml", "  maxReplicas: 10", "  maxReplicas: 20")),
     "FAIL - MariaDB connection budget", {}),
    ("namespace: objects outside checkin",
     edit("kustomization.yaml", "namespace: checkin\n", "namespace: elsewhere\n"),
     "FAIL - every namespaced object is in namespace checkin", {}),
    ("namespace: not created",
     edit("base/kustomization.yaml", "  - namespace.yaml\n", ""),
     "FAIL - the system creates Namespace checkin", {}),
    ("secrets: a template key nobody reads",
     edit("base/secrets.example.yaml", 'api-key: "REPLACE-ME"', 'api-key: "REPLACE-ME"\n  webhook-secret: "REPLACE-ME"'),
     "FAIL - every key in secrets.example.yaml is read by some pod", {}),
    ("api: metrics annotated on another port",
     edit("base/api.yaml", 'prometheus.io/port: "8080"', 'prometheus.io/port: "9090"'),
     "FAIL - api: metrics scraped from /metrics on the same port 8080", {}),
    ("api: a PodDisruptionBudget that allows losing both",
     edit("base/api.yaml", "  minAvailable: 1\n", "  minAvailable: 0\n"),
     "FAIL - api: a PodDisruptionBudget keeps one of the two up", {}),
    ("api: no Service api",
     edit("base/api.yaml", "kind: Service\nmetadata:\n  name: api\n", "kind: Service\nmetadata:\n  name: api-svc\n"),
     "FAIL - api: Service api", {}),
    ("api: not `serve`",
     edit("base/api.yaml", 'args: ["checkin-api", "serve"]', 'args: ["checkin-api", "spec"]'),
     "FAIL - api: runs `checkin-api serve`", {}),
    ("api: another listen address",
     edit("base/api.yaml", 'value: "0.0.0.0:8080"', 'value: "127.0.0.1:8080"'),
     "FAIL - api: listens on 0.0.0.0:8080", {}),
    ("worker: another command",
     edit("base/worker.yaml", 'args: ["checkin-worker"]', 'args: ["checkin-worker", "--no-sweeper"]'),
     "FAIL - worker: runs `checkin-worker`", {}),
    ("worker: metrics annotated on another port",
     edit("base/worker.yaml", 'prometheus.io/port: "9091"', 'prometheus.io/port: "9092"'),
     "FAIL - worker: metrics on 0.0.0.0:9091 /metrics", {}),
    ("worker: no payment key",
     edit("base/worker.yaml", "            - name: PAYMENT_API_KEY\n              valueFrom:\n                secretKeyRef:\n"
          "                  name: checkin-payment\n                  key: api-key\n", ""),
     "FAIL - worker: gets DATABASE_URL and PAYMENT_API_KEY", {}),
    ("worker: DATABASE_URL without the Secret",
     edit("base/worker.yaml", 'value: "mysql://$(DATABASE_USER):$(MARIADB_PASSWORD)@', 'value: "mysql://$(DATABASE_USER):secret@'),
     "FAIL - app pods build DATABASE_URL", {}),
    ("dashboard: another listen address",
     edit("base/dashboard.yaml", 'value: "0.0.0.0:8081"', 'value: "0.0.0.0:8080"'),
     "FAIL - dashboard: Deployment + Service on 8081", {}),
    ("paymock: not marked development-only",
     edit("components/paymock/paymock.yaml", '    checkin.example.com/development-only: "true"\n  annotations:', "  annotations:"),
     "FAIL - paymock: Deployment + Service, labelled development-only", {}),
    ("paymock: a key other than the workers'",
     edit("components/paymock/paymock.yaml", "name: checkin-payment\n                  key: api-key",
          "name: checkin-dashboard\n                  key: password"),
     "FAIL - paymock accepts the key the workers send", {}),
    ("paymock: a default that differs from docker-compose.yml",
     edit("components/paymock/paymock.yaml", 'PAYMOCK_DECLINE_RATE: "0.01"', 'PAYMOCK_DECLINE_RATE: "0.02"'),
     "FAIL - paymock-config has docker-compose.yml's paymock defaults", {}),
    ("migrate: not `migrate up`",
     edit("migrate/job.yaml", '"migrate", "up"]', '"migrate", "status"]'),
     "FAIL - migrate: a Job running `checkin-api migrate up`", {}),
    ("mariadb: data not on the volume",
     edit("base/mariadb.yaml", "mountPath: /var/lib/mysql", "mountPath: /var/lib/mariadb"),
     "FAIL - mariadb: data on a PersistentVolumeClaim", {}),
    ("mariadb: another image than docker-compose.yml's",
     edit("components/images/kustomization.yaml", 'newTag: "10.11"', 'newTag: "11.4"'),
     "FAIL - mariadb: the image docker-compose.yml uses", {}),
    ("mariadb: another user",
     edit("base/mariadb.yaml", "            - name: MARIADB_USER\n              value: checkin",
          "            - name: MARIADB_USER\n              value: app"),
     "FAIL - mariadb: creates database and user checkin", {}),
    ("lock nodes: ready before their old leases expired",
     edit("base/lock-nodes.yaml", "            initialDelaySeconds: 5\n", "            initialDelaySeconds: 1\n"),
     "FAIL - lock nodes", {}),
    ("autoscaling: the HPA scales something else",
     edit("components/autoscaling-hpa/hpa.yaml", "    name: worker\n", "    name: api\n"),
     "FAIL - both autoscalers target Deployment/worker", {}),
    ("autoscaling: no pollingInterval",
     edit("components/autoscaling-keda/scaledobject.yaml", "  pollingInterval: 15\n", ""),
     "FAIL - ScaledObject: pollingInterval and cooldownPeriod set", {}),
    ("autoscaling: fallback beyond the maximum",
     edit("components/autoscaling-keda/scaledobject.yaml", "    replicas: 4\n", "    replicas: 40\n"),
     "FAIL - ScaledObject: fallback replicas within min..max", {}),
]


def run(tree, env_extra):
    env = dict(os.environ, **env_extra)
    p = subprocess.run([str(CHECKER), str(tree)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout + p.stderr


def main():
    wanted = sys.argv[1:]
    cases = [c for c in CASES if not wanted or any(w in c[0] for w in wanted)]
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="check-k8s-selftest.") as tmp:
        control = Path(tmp) / "control"
        shutil.copytree(SRC, control)
        rc, out = run(control, {})
        if rc == 0:
            passed += 1
            print("ok   - control: the unbroken copy passes")
        else:
            failed += 1
            print("FAIL - control: the unbroken copy passes\n" + out)
        def one(i):
            name, mutate, expect, env = cases[i]
            tree = Path(tmp) / f"case{i}"
            shutil.copytree(SRC, tree)
            try:
                mutate(tree)
            except AssertionError as e:
                return None, str(e)
            return run(tree, env)

        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            outcomes = list(pool.map(one, range(len(cases))))
        for (name, _mutate, expect, _env), (rc, out) in zip(cases, outcomes):
            if rc is None:
                failed += 1
                print(f"FAIL - {name}: {out}")
                continue
            hit = [line for line in out.splitlines() if line.startswith("FAIL - ") and expect in line]
            if rc != 0 and hit:
                passed += 1
                print(f"ok   - {name}: {hit[0][len('FAIL - '):][:110]}")
            else:
                failed += 1
                print(f"FAIL - {name}: expected exit != 0 and a line with {expect!r}; got exit {rc}:\n"
                      + "\n".join("       " + line for line in out.splitlines() if not line.startswith("ok ")))
    print(f"k8s self-test: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
