#!/usr/bin/env bash
# The main job on the embedded default: builds what it needs, starts the local Instatus emulator,
# applies the Ephemery status page with ansible-playbook (--diff shows every change), applies it
# again (no change, 2 requests), and prints where to open the rendered preview of the page.
# Then the bridge (Debian's prometheus is installed when missing, as the test command does, when run
# as root; otherwise the exact command is printed): a local Prometheus scrapes a metrics file,
# instatus-bridge runs, one metric flips and the component's status and incident change on the
# emulator, then it flips back and the incident resolves (about 20 s).
# In a terminal the emulator keeps running until Ctrl-C; otherwise it stops at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh
source scripts/emulator.sh
source scripts/release-bins.sh
source scripts/debian-packages.sh

echo "== building the emulator and the ephemery.instatus collection (the first run takes a few minutes)"
scripts/build-collection.sh --install >/dev/null

mkdir -p target/demo
trap emulator_stop EXIT
emulator_start --page "ephemery=Ephemery" --state target/demo/emulator-state.json
export INSTATUS_BASE_URL=$EMULATOR_URL INSTATUS_API_KEY=$EMULATOR_API_KEY INSTATUS_PAGE=ephemery
echo "== emulator at $EMULATOR_URL"

echo "== apply the Ephemery page"
ansible-playbook -i examples/inventory.yaml examples/ephemery-status-page.yaml --diff

echo "== apply again: nothing to change"
ansible-playbook -i examples/inventory.yaml examples/ephemery-status-page.yaml

# The heart of it: a local Prometheus scrapes a metrics file, instatus-bridge keeps the page true.
# Skipped (with how to install it) when Prometheus is missing.
# page_line NAME: the component's status and the automation's incidents on it, in one line.
page_line() {
  python3 - "$1" <<'PY'
import json, os, sys, urllib.request
base, key, name = os.environ["INSTATUS_BASE_URL"], os.environ["INSTATUS_API_KEY"], sys.argv[1]
def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + key})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)
page = next(p["id"] for p in get("/v2/pages") if p["subdomain"] == "ephemery")
comp = next(c for c in get(f"/v1/{page}/components?per_page=100") if c["name"] == name)
incs = [i for i in get(f"/v1/{page}/incidents?per_page=100")
        if any(c.get("name") == name for c in i.get("components", []))]
last = max(incs, key=lambda i: i.get("started") or "", default=None)
print(comp["status"], "| incident:", f"{last['name']!r} {last['status']}" if last else "none")
PY
}
# show_until WANT...: waits (at most 20 s) until the line has every word WANT, then prints it.
# (The latest incident only: the emulator's state, and earlier runs' incidents, are kept.)
show_until() {
  local line i w ok
  for i in $(seq 1 80); do
    line=$(page_line "Consensus Client" 2>/dev/null)
    ok=true
    for w in "$@"; do [[ $line == *"$w"* ]] || ok=false; done
    $ok && break
    sleep 0.25
  done
  echo "   Consensus Client: $line"
}
bridge_demo() {
  local work prom_port metrics_port
  if ! ensure_debian_packages prometheus; then
    echo "== (skipped) the live part needs Prometheus; install it as above, then run scripts/demo.sh again"
    bridge_shown=false
    return 0
  fi
  echo "== the bridge: Prometheus scrapes a metrics file, instatus-bridge keeps the page true"
  local started=$SECONDS
  work=$(mktemp -d /tmp/instatus-demo.XXXXXX)
  prom_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  metrics_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/metrics" "$work/state"
  set_lag() { printf 'demo_head_slot_lag %s\n' "$1" >"$work/metrics/.m" && mv "$work/metrics/.m" "$work/metrics/metrics"; }
  set_lag 1
  python3 -m http.server "$metrics_port" --bind 127.0.0.1 --directory "$work/metrics" >/dev/null 2>&1 &
  demo_pids+=($!)
  printf 'global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n  - {job_name: lighthouse, static_configs: [{targets: ["127.0.0.1:%s"]}]}\n' \
    "$metrics_port" >"$work/prometheus.yml"
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom-data" \
    --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
  demo_pids+=($!)
  printf '%s\n' "$INSTATUS_API_KEY" >"$work/api-key"
  chmod 600 "$work/api-key"
  # One rule with short holds for the demo; examples/bridge/ephemery.yml is the real rule set.
  cat >"$work/bridge.yml" <<YML
instatus: {base_url: "$INSTATUS_BASE_URL", api_key_file: "$work/api-key", page: ephemery, writes_per_second: 5}
prometheus: {url: "http://127.0.0.1:$prom_port", interval_secs: 1}
server: {listen: "127.0.0.1:0"}
state_dir: $work/state
status:
  components:
    - path: Ethereum Services/Consensus Client
      rules:
        - threshold:
            query: 'max(demo_head_slot_lag{job="lighthouse"})'
            op: ">"
            levels:
              - {level: degraded, enter: 4, exit: 2}
              - {level: major_outage, enter: 32, exit: 8}
            enter_for_secs: 1
            exit_for_secs: 2
  incidents: {open_at: major_outage, resolve_after_secs: 3}
YML
  echo "   config: $work/bridge.yml (instatus-bridge --config ... serve)"
  "$RELEASE_DIR/instatus-bridge" --config "$work/bridge.yml" serve >"$work/bridge.log" 2>&1 &
  demo_pids+=($!)
  show_until OPERATIONAL
  echo "-- head slot lag 40: the beacon node falls behind"
  set_lag 40
  show_until MAJOROUTAGE INVESTIGATING
  echo "   see it: $INSTATUS_BASE_URL/_emulator/preview/ephemery"
  echo "-- head slot lag 1: caught up"
  set_lag 1
  show_until OPERATIONAL RESOLVED
  echo "   (the bridge part took $((SECONDS - started)) s)"
  demo_stop
  rm -rf "$work"
}
demo_pids=()
bridge_shown=true
demo_stop() {
  local pid
  for pid in "${demo_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${demo_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  demo_pids=()
}
trap 'demo_stop; emulator_stop' EXIT
bridge_demo

cat <<TXT

What you just saw:
  1. ansible-playbook declared the Ephemery page (groups, components, settings) on the emulator,
     --diff showing each change; the second run read the page (2 requests) and wrote nothing.
TXT
if $bridge_shown; then
cat <<TXT
  2. instatus-bridge read a Prometheus metric, set Consensus Client to major outage and opened
     an incident; when the metric recovered it set the component back and resolved the incident.
TXT
fi
cat <<TXT

Look next:
  the page as Instatus would show it  $EMULATOR_URL/_emulator/preview/ephemery
  its public summary                  $EMULATOR_URL/summary.json
  the page declaration                examples/ephemery-status-page.yaml (docs/getting-started.md)
  the bridge's Ephemery rules         examples/bridge/ephemery.yml (docs/bridge.md)
  every test                          scripts/test.sh
TXT
if [ -t 0 ] && [ -t 1 ]; then
  echo "The emulator keeps running; press Ctrl-C to stop it (its state is saved to target/demo/)."
  wait "$EMULATOR_PID" || true
fi
