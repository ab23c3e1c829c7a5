"""The benchmark of scripts/bench-page.sh; run it through that script, which builds and installs
the collection (release binaries) and the emulator first.

One instatus-emulator (release) on 127.0.0.1 with two pages. First the two declarations are held
to each other: on page `role` the status_page role applies examples/ephemery-status-page.yaml and
then `instatus-bridge page plan examples/ephemery-page.yaml` must exit 0; on page `native` the
native apply runs first and then the role must report changed=0. Then, ROUNDS times, interleaved
on page `native` (already as declared): the native no-op apply, the role's no-op apply through
ansible-playbook, the floor of each (the two GETs alone with one curl, and an empty play), each
timed from start to exit with its requests counted in the emulator's request log.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "bench-page")
KEY = "bench-page-key-0000000000000000"
PLAYBOOK = os.path.join(ROOT, "examples", "ephemery-status-page.yaml")
INVENTORY = os.path.join(ROOT, "examples", "inventory.yaml")
DECLARATION = os.path.join(ROOT, "examples", "ephemery-page.yaml")
TARGET_MS = 50.0


def start_emulator(emulator):
    proc = subprocess.Popen(
        [emulator, "--port", "0", "--api-key", KEY, "--page", "native=Native", "--page", "role=Role"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        m = re.search(r"listening on (http\S+)", line)
        if m:
            return proc, m.group(1)
    raise SystemExit("the emulator did not start")


def control(url, method="GET"):
    req = urllib.request.Request(f"{url}/_emulator/requests", method=method)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def timed(url, cmd, env, log):
    """(wall seconds, exit code, requests, writes) of one run, its output in `log`."""
    control(url, "DELETE")
    with open(log, "w") as out:
        start = time.perf_counter()
        rc = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        wall = time.perf_counter() - start
    entries = control(url)
    return wall, rc, len(entries), sum(1 for r in entries if r["write"])


def role_changed(log):
    m = re.search(r"changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)", open(log).read())
    if not m or m.group(2) != "0":
        raise SystemExit(f"the role failed; see {log}")
    return int(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bridge", required=True, help="the instatus-bridge binary (release)")
    ap.add_argument("--emulator", required=True, help="the instatus-emulator binary (release)")
    ap.add_argument("--rounds", type=int, default=11)
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    proc, url = start_emulator(args.emulator)
    try:
        env = dict(os.environ, INSTATUS_API_KEY=KEY, INSTATUS_BASE_URL=url,
                   XDG_CACHE_HOME=os.path.join(WORK, "cache"))
        role = dict(env, INSTATUS_PAGE="role")
        native = dict(env, INSTATUS_PAGE="native")
        play = ["ansible-playbook", "-i", INVENTORY, PLAYBOOK]
        page = lambda verb: [args.bridge, "page", verb, DECLARATION]
        log = lambda name: os.path.join(WORK, f"{name}.log")

        # The two declarations are the same page: each is a no-op where the other applied.
        _, rc, _, writes = timed(url, play, role, log("role-first-apply"))
        if rc != 0 or role_changed(log("role-first-apply")) != 1:
            raise SystemExit(f"the role's first apply did not change the page; see {log('role-first-apply')}")
        _, rc, reqs, _ = timed(url, page("plan"), role, log("native-plan-after-role"))
        if rc != 0:
            raise SystemExit(f"native plan after the role exited {rc}, not 0; see {log('native-plan-after-role')}")
        _, rc, _, native_writes = timed(url, page("apply"), native, log("native-first-apply"))
        if rc != 2:
            raise SystemExit(f"native first apply exited {rc}, not 2; see {log('native-first-apply')}")
        _, rc, _, _ = timed(url, play, native, log("role-after-native"))
        if rc != 0 or role_changed(log("role-after-native")) != 0:
            raise SystemExit(f"the role changed a page the native apply declared; see {log('role-after-native')}")
        print(f"declarations agree: native plan on the role's page exits 0; role on the native page changed=0 "
              f"(first applies: role {writes} writes, native {native_writes} writes)")

        # The floors: the two GETs of a no-op (one curl, one connection), and an empty play.
        page_id = next(p["id"] for p in json.load(urllib.request.urlopen(urllib.request.Request(
            f"{url}/v2/pages", headers={"Authorization": f"Bearer {KEY}"}))) if p["subdomain"] == "native")
        curl = ["curl", "-sf", "-o", "/dev/null", "-o", "/dev/null", "-H", f"Authorization: Bearer {KEY}",
                f"{url}/v2/pages?page=1&per_page=100", f"{url}/v1/{page_id}/components?page=1&per_page=100"]
        empty = os.path.join(WORK, "empty.yml")
        with open(empty, "w") as f:
            f.write("- name: Empty play\n  hosts: localhost\n  gather_facts: false\n  tasks: []\n")
        runs = [
            ("native no-op apply", page("apply"), native, 0),
            ("role no-op apply (ansible-playbook)", play, native, 0),
            ("floor: the 2 GETs (curl)", curl, native, 0),
            ("floor: an empty play", ["ansible-playbook", "-i", INVENTORY, empty], native, 0),
        ]
        times = {label: [] for label, *_ in runs}
        counts = {}
        for i in range(-1, args.rounds):  # one warm-up round, not counted
            for label, cmd, e, want in runs:
                name = re.sub(r"\W+", "-", label).strip("-")
                wall, rc, reqs, writes = timed(url, cmd, e, log(name))
                if rc != want:
                    raise SystemExit(f"{label} exited {rc}, not {want}; see {log(name)}")
                if cmd is play and role_changed(log(name)) != 0:
                    raise SystemExit(f"{label} changed something; see {log(name)}")
                if writes:
                    raise SystemExit(f"{label} wrote {writes} times; see {log(name)}")
                if i >= 0:
                    times[label].append(wall * 1000)
                counts[label] = reqs
    finally:
        proc.terminate()
        proc.wait()

    print(f"\nno-op apply of the Ephemery page on loopback, {args.rounds} rounds (interleaved, 1 warm-up):")
    print(f"{'':<38} {'median':>9} {'min':>9} {'max':>9}  {'requests':>8}")
    for label, *_ in runs:
        t = times[label]
        print(f"{label:<38} {statistics.median(t):7.1f}ms {min(t):7.1f}ms {max(t):7.1f}ms  {counts[label]:>8}")
    native_ms = statistics.median(times["native no-op apply"])
    role_ms = statistics.median(times["role no-op apply (ansible-playbook)"])
    print(f"native / role: {native_ms / role_ms:.3f} ({role_ms / native_ms:.0f}x faster); "
          f"native - curl floor: {native_ms - statistics.median(times['floor: the 2 GETs (curl)']):.1f} ms")
    ok = native_ms <= TARGET_MS and counts["native no-op apply"] == 2
    print(f"target: native no-op <= {TARGET_MS:.0f} ms with 2 requests: "
          f"{'met' if ok else 'MISSED'} ({native_ms:.1f} ms, {counts['native no-op apply']} requests)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
