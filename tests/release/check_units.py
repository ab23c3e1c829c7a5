#!/usr/bin/env python3
"""Checks rendered systemd units against systemd-directives.tsv: every directive must be listed
there, and none may be newer than the systemd version given (the oldest the units must load on).

Usage: check_units.py MAX_VERSION UNIT...   Prints one line per unit; exits 1 on any finding.
"""
import pathlib
import re
import sys

table = {}
for line in (pathlib.Path(__file__).parent / "systemd-directives.tsv").read_text().splitlines():
    if line and not line.startswith("#"):
        name, version, _source = line.split("\t", 2)
        table[name] = int(version)

max_version = int(sys.argv[1])
findings = 0
for path in sys.argv[2:]:
    used = []
    for n, line in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
        m = re.match(r"^([A-Za-z]+)=", line)
        if not m:
            continue
        name = m.group(1)
        used.append(name)
        if name not in table:
            print(f"FAIL {path}:{n}: {name}= is not in systemd-directives.tsv (add it with the version that introduced it)")
            findings += 1
        elif table[name] > max_version:
            print(f"FAIL {path}:{n}: {name}= needs systemd {table[name]}, newer than {max_version}")
            findings += 1
    newest = max((table.get(d, 0) for d in used), default=0)
    print(f"{path}: {len(used)} directives, newest needs systemd {newest}")
sys.exit(1 if findings else 0)
