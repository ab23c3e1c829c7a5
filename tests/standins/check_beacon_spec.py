#!/usr/bin/env python3
"""Holds a Beacon API server to the published spec (beacon-apis/, vendored from
ethereum/beacon-APIs at 7a58b5a, CC0): for each route the probe reads, GET it and check the
answer against the route's 200 response schema (required fields, types, `$ref`s to the
primitive types, their patterns). Prints one line per route; exits 1 on any mismatch.

  check_beacon_spec.py http://127.0.0.1:5052 [--routes finality]
"""
import json
import os
import re
import sys
import urllib.request

import yaml

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "beacon-apis")
NODE = [("/eth/v1/node/syncing", "apis/node/syncing.yaml", "200"),
        ("/eth/v1/node/peer_count", "apis/node/peer_count.yaml", "200"),
        ("/eth/v1/node/health", "apis/node/health.yaml", None)]
FINALITY = [("/eth/v1/beacon/genesis", "apis/beacon/genesis.yaml", "200"),
            ("/eth/v1/config/spec", "apis/config/spec.yaml", "200"),
            ("/eth/v1/beacon/states/head/finality_checkpoints", "apis/beacon/states/finality_checkpoints.yaml", "200")]


def load(path):
    with open(os.path.join(HERE, path)) as f:
        return yaml.safe_load(f)


def resolve(ref, base):
    file, _, pointer = ref.partition("#")
    path = os.path.normpath(os.path.join(os.path.dirname(base), file)) if file else base
    node = load(os.path.relpath(path, HERE) if os.path.isabs(path) else path)
    for part in [p for p in pointer.split("/") if p]:
        node = node[part]
    return node, path


def check(value, schema, base, where, errors):
    while "$ref" in schema:
        schema, base = resolve(schema["$ref"], base)
    t = schema.get("type")
    if t == "object":
        if not isinstance(value, dict):
            return errors.append(f"{where}: not an object")
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{where}.{key}: required, missing")
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                check(value[key], sub, base, f"{where}.{key}", errors)
    elif t == "string":
        if not isinstance(value, str):
            return errors.append(f"{where}: {value!r} is not a string")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
    elif t == "boolean" and not isinstance(value, bool):
        errors.append(f"{where}: {value!r} is not a boolean")
    elif t == "integer" and not isinstance(value, int):
        errors.append(f"{where}: {value!r} is not an integer")


def main():
    url = sys.argv[1].rstrip("/")
    routes = FINALITY if "--routes" in sys.argv and sys.argv[-1] == "finality" else NODE + FINALITY
    failed = 0
    for route, file, code in routes:
        base = os.path.join(HERE, file)
        op = load(file)
        op = op.get("get", op)
        try:
            with urllib.request.urlopen(url + route, timeout=5) as r:
                status, body = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        errors = []
        if code is None:  # /node/health: a status the spec lists, no body
            if str(status) not in op["responses"]:
                errors.append(f"HTTP {status} is not one of {sorted(op['responses'])}")
        elif str(status) != code:
            errors.append(f"HTTP {status}, expected {code}")
        else:
            schema = op["responses"][code]["content"]["application/json"]["schema"]
            check(json.loads(body), schema, base, "body", errors)
        failed += bool(errors)
        print(("ok   " if not errors else "FAIL ") + route + ("" if not errors else ": " + "; ".join(errors)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
