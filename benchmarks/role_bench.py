"""The role benchmark of scripts/bench-ansible.sh (section 1); run it through that script, which
builds and installs the collection and the emulator first.

Each round starts a fresh instatus-emulator with one page per playbook (`role`, `uri`, `floor`)
and runs, in this order: the floor, the role's first apply, its no-op, the uri baseline's first
apply, its no-op. Rounds interleave the playbooks so that a busy machine slows them all alike.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "bench-ansible")
EMULATOR = os.path.join(os.environ.get("RELEASE_DIR") or os.path.join(ROOT, "target", "x86_64-unknown-linux-gnu", "release"), "instatus-emulator")
KEY = "bench-role-key-0000000000000000"
# (label, playbook, page)
RUNS = [
    ("floor", "floor.yml", "floor"),
    ("role first apply", "role.yml", "role"),
    ("role no-op", "role.yml", "role"),
    ("uri first apply", "uri-baseline.yml", "uri"),
    ("uri no-op", "uri-baseline.yml", "uri"),
]


def role_tree():
    """The role's default component tree without its Grafana links, as uri-baseline.yml takes it."""
    with open(os.path.join(ROOT, "ansible/roles/status_page/defaults/main.yml")) as f:
        tree = yaml.safe_load(f)["status_page_components"]
    for group in tree:
        for c in group["components"]:
            c["description"] = re.sub(r"\{\{.*?\}\}", "", c["description"]).strip()
    return {"components": tree}


def start_emulator():
    proc = subprocess.Popen(
        [EMULATOR, "--port", "0", "--api-key", KEY, "--page", "role=Role", "--page", "uri=Uri", "--page", "floor=Floor"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        m = re.search(r"listening on (http\S+)", line)
        if m:
            return proc, m.group(1)
    raise SystemExit("the emulator did not start")


def requests(url, method="GET"):
    req = urllib.request.Request(f"{url}/_emulator/requests", method=method)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def run(url, playbook, page, spec):
    requests(url, "DELETE")
    env = dict(os.environ, INSTATUS_BASE_URL=url, INSTATUS_API_KEY=KEY)
    cmd = ["ansible-playbook", os.path.join(ROOT, "benchmarks", playbook), "-e", f"bench_page={page}", "-e", f"@{spec}"]
    log = os.path.join(WORK, f"{playbook}.{page}.log")
    start = time.perf_counter()
    with open(log, "w") as out:
        rc = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    if rc != 0:
        raise SystemExit(f"{playbook} failed; see {log}")
    text = open(log).read()
    changed = int(re.search(r"changed=(\d+)", text).group(1))
    log_entries = requests(url)
    return wall, len(log_entries), sum(1 for r in log_entries if r["write"]), changed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tarball", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1, help="rounds run first and not counted")
    ap.add_argument("--before", help="figures of an earlier run (JSON written by --save)")
    ap.add_argument("--save", help="write this run's figures as JSON")
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    spec = os.path.join(WORK, "role-tree.json")
    with open(spec, "w") as f:
        json.dump(role_tree(), f)

    times = {label: [] for label, _, _ in RUNS}
    counts = {}
    for i in range(-args.warmup, args.rounds):
        proc, url = start_emulator()
        try:
            for label, playbook, page in RUNS:
                wall, reqs, writes, changed = run(url, playbook, page, spec)
                if i >= 0:
                    times[label].append(wall)
                counts[label] = (reqs, writes, changed)
        finally:
            proc.terminate()
            proc.wait()
        if i >= 0:
            print(f"  round {i + 1}/{args.rounds}: " + ", ".join(f"{label} {times[label][-1]:.2f}s" for label, _, _ in RUNS),
                  flush=True)
    for label in ("role no-op", "uri no-op"):
        if counts[label][1] or counts[label][2]:
            raise SystemExit(f"{label} wrote or changed something: {counts[label]}")

    med = {label: statistics.median(t) for label, t in times.items()}
    figures = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip(),
        "rounds": args.rounds,
        "median": med,
        "min": {label: min(t) for label, t in times.items()},
        "requests": {label: list(c) for label, c in counts.items()},
        "tarball_bytes": os.path.getsize(args.tarball),
        "per_task_cost": med["role no-op"] - med["floor"],
        "noop_vs_floor": med["role no-op"] / med["floor"],
    }

    print(f"\n{'playbook (own page)':<20} {'median':>8} {'min':>8}  {'requests (writes)':>17}  {'x floor':>8}  {'x uri':>6}")
    for label, _, _ in RUNS:
        reqs, writes, _ = counts[label]
        uri = {"role first apply": "uri first apply", "role no-op": "uri no-op"}.get(label)
        vs_uri = f"{med[label] / med[uri]:6.2f}" if uri else ""
        print(f"{label:<20} {med[label]:7.3f}s {figures['min'][label]:7.3f}s  {reqs:>9} ({writes:>4})  {med[label] / med['floor']:7.2f}x  {vs_uri}")
    print(f"role no-op / floor: {figures['noop_vs_floor']:.2f}x (target <= 1.15x)")
    print(f"per-task cost of the role (role no-op - floor, medians): {figures['per_task_cost'] * 1000:.0f} ms")
    print(f"collection tarball: {figures['tarball_bytes'] / 1e6:.2f} MB ({os.path.basename(args.tarball)})")

    if args.before and os.path.exists(args.before):
        before = json.load(open(args.before))
        print(f"\nbefore ({before['commit']}, {before['date']}, {before['machine']}) -> now ({figures['commit']}):")
        rows = [(f"{label} (median)", before["median"][label], med[label], "s") for label, _, _ in RUNS]
        rows += [("role no-op / floor", before["noop_vs_floor"], figures["noop_vs_floor"], "x"),
                 ("per-task cost", before["per_task_cost"] * 1000, figures["per_task_cost"] * 1000, " ms"),
                 ("tarball", before["tarball_bytes"] / 1e6, figures["tarball_bytes"] / 1e6, " MB")]
        for name, b, a, unit in rows:
            print(f"  {name:<26} {b:8.3f}{unit} -> {a:8.3f}{unit}")
    if args.save:
        with open(args.save, "w") as f:
            json.dump(figures, f, indent=2)
            f.write("\n")
        print(f"saved to {args.save}")


if __name__ == "__main__":
    sys.exit(main())
