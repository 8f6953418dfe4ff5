#!/usr/bin/env python3
"""Turn one version of a CustomResourceDefinition into a strict JSON Schema.

Usage: crd-to-jsonschema.py CRD.yaml VERSION SOURCE-NOTE > kind_version.json

What it does to spec.versions[name=VERSION].schema.openAPIV3Schema:
  * every object that lists `properties` and says nothing about extra fields gets
    `additionalProperties: false` (the API server would silently prune a misspelt field;
    here it is an error), except `metadata` and objects marked
    `x-kubernetes-preserve-unknown-fields`;
  * `x-kubernetes-int-or-string: true` without a type becomes `type: [integer, string]`;
  * `nullable: true` adds "null" to the type;
  * the root requires `apiVersion` = GROUP/VERSION and `kind` = the CRD's kind.
CEL rules (`x-kubernetes-validations`) are left in place but not evaluated by JSON Schema
validators; scripts/check-k8s.sh checks the ones that matter to this project itself.
Needs PyYAML.
"""
import json
import sys

import yaml


def strict(node, path=""):
    if isinstance(node, list):
        return [strict(n, path) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: strict(v, f"{path}/{k}") for k, v in node.items()}
    if out.get("x-kubernetes-int-or-string") and "type" not in out:
        out["type"] = ["integer", "string"]
    if out.get("nullable"):
        t = out.get("type")
        if isinstance(t, str):
            out["type"] = [t, "null"]
        elif isinstance(t, list) and "null" not in t:
            out["type"] = t + ["null"]
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
        and not path.endswith("/properties/metadata")
    ):
        out["additionalProperties"] = False
    return out


def main():
    crd_path, version, source = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(crd_path, encoding="utf-8") as f:
        crd = yaml.safe_load(f)
    group = crd["spec"]["group"]
    kind = crd["spec"]["names"]["kind"]
    (ver,) = [v for v in crd["spec"]["versions"] if v["name"] == version]
    schema = strict(ver["schema"]["openAPIV3Schema"])
    schema["properties"]["apiVersion"] = {"type": "string", "enum": [f"{group}/{version}"]}
    schema["properties"]["kind"] = {"type": "string", "enum": [kind]}
    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
    out = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$comment": source,
        "title": f"{kind} ({group}/{version})",
        **schema,
    }
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
