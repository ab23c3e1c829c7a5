#!/usr/bin/env bash
# End-to-end test of instatus-bridge with the real Debian `prometheus` and
# `prometheus-alertmanager` on 127.0.0.1: every process (the emulator, Prometheus, two clustered
# Alertmanagers, a metrics file server, the bridges) is started here on free ports with its own
# temporary data directory, and stopped on exit.
#
# A metrics file drives a threshold from operational to degraded to major outage and back; an
# alert rule fires through Alertmanager to the bridge; the statuses and incidents are asserted on
# the emulator (its API and its request log). Then: two bridge replicas behind the two clustered
# Alertmanagers; the bridge killed with SIGKILL mid-outage and restarted; Prometheus stopped
# mid-run; the emulator answering 503 and 429 for a while.
#
# Needs: apt-get install prometheus prometheus-alertmanager; python3; curl.
# Prints "N passed, M failed" last; exits non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

out=target/test-e2e
rm -rf "$out" && mkdir -p "$out"
source scripts/checks.sh

for tool in prometheus prometheus-alertmanager promtool python3 curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "missing $tool: apt-get install -y prometheus prometheus-alertmanager python3 curl"
    fail "tools present"
    finish
  fi
done

# E2E_PROFILE=debug uses the debug binaries (quicker to build while developing).
profile=${E2E_PROFILE:-release}
echo "== build ($profile)"
source scripts/release-bins.sh
bin_dir=$(build_bins "$profile") || { fail "the $profile build"; finish; }
bridge_bin=$bin_dir/instatus-bridge
emulator_bin=$bin_dir/instatus-emulator

work=$(mktemp -d /tmp/instatus-e2e.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # Logs are kept for a failed run; the data directories go.
  cp "$work"/*.log "$out"/ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_for SECONDS CMD...: polls CMD every 0.25 s; true once it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  while [ "$SECONDS" -lt "$deadline" ]; do
    "$@" && return 0
    sleep 0.25
  done
  "$@"
}
http_ok() { curl -fs -o /dev/null "$1"; }

# --- the emulator ---------------------------------------------------------------------------
api_key="e2e-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
"$emulator_bin" --port 0 --api-key "$api_key" >"$work/emulator.log" 2>&1 &
pids+=($!)
wait_for 10 grep -q '^instatus-emulator listening on' "$work/emulator.log"
emu=$(sed -n 's/^instatus-emulator listening on \(http[^ ]*\).*/\1/p' "$work/emulator.log")
[ -n "$emu" ] || { fail "the emulator starts"; finish; }
echo "$api_key" >"$work/api-key"
chmod 600 "$work/api-key"

# emu_py CMD ARGS...: reads the emulator's API and request log (python3, no dependencies).
emu_py() {
  EMU=$emu KEY=$api_key python3 - "$@" <<'PY'
import json, os, sys, urllib.request
emu, key = os.environ["EMU"], os.environ["KEY"]
def get(path, auth=True):
    req = urllib.request.Request(emu + path)
    if auth:
        req.add_header("Authorization", "Bearer " + key)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)
def incidents(page, name):
    out, n = [], 1
    while True:
        batch = get(f"/v1/{page}/incidents?page={n}&per_page=100")
        out += [i for i in batch if any(c.get("name") == name for c in i.get("components", []))]
        if len(batch) < 100:
            return out
        n += 1
cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "status":            # status PAGE NAME -> the component's status
    page, name = args
    print(next(c["status"] for c in get(f"/v1/{page}/components?per_page=100") if c["name"] == name))
elif cmd == "incidents":       # incidents PAGE NAME -> "TOTAL UNRESOLVED FIRST-ID"
    page, name = args
    inc = incidents(page, name)
    ids = sorted(inc, key=lambda i: i.get("started") or "")
    print(len(inc), sum(1 for i in inc if i["status"] != "RESOLVED"), ids[0]["id"] if ids else "-")
elif cmd == "updates":         # updates PAGE NAME -> the statuses of the incident's updates
    page, name = args
    inc = incidents(page, name)
    full = get(f"/v1/{page}/incidents/{inc[0]['id']}") if inc else {"updates": []}
    ups = sorted(full.get("updates", []), key=lambda u: (u.get("started") or "", u.get("createdAt") or ""))
    print(" ".join(u["status"] for u in ups))
elif cmd == "seq":             # seq -> the last logged request's sequence number
    log = get("/_emulator/requests", auth=False)
    print(log[-1]["seq"] if log else 0)
elif cmd == "writes":          # writes SINCE PAGE-ID [OPERATION] -> answered writes (status < 300)
    since, page = args[0], args[1]
    op = args[2] if len(args) > 2 else None
    log = get(f"/_emulator/requests?since={since}", auth=False)
    import re
    print(sum(1 for r in log if r["write"] and 200 <= r["status"] < 300 and f"/{page}/" in r["path"]
              and (op is None or re.fullmatch(op, r["operation"] or ""))))
elif cmd == "status_writes":   # status_writes SINCE PAGE-ID -> "CHANGES CARRYING"
    # Answered writes carrying a status (a component PUT with a status, or an incident
    # create/update with statuses), and among them those that changed a component's status as
    # the writes so far left it (from OPERATIONAL).
    since, page = args
    log = get(f"/_emulator/requests?since={since}", auth=False)
    shown, changes, carrying = {}, 0, 0
    for r in log:
        if not (r["write"] and 200 <= r["status"] < 300 and f"/{page}/" in r["path"]):
            continue
        body = r.get("body") or {}
        if r["operation"] == "UpdateComponent" and "status" in body:
            carried = [(r["path"].rsplit("/", 1)[1], body["status"])]
        elif r["operation"] in ("CreateIncident", "CreateIncidentUpdate"):
            carried = [(e["id"], e["status"]) for e in body.get("statuses") or []]
        else:
            carried = []
        changed = [c for c, st in carried if shown.get(c, "OPERATIONAL") != st]
        shown.update(carried)
        changes += bool(changed)
        carrying += bool(carried)
    print(changes, carrying)
elif cmd == "answered":        # answered SINCE STATUS -> requests answered that status
    since, status = args
    log = get(f"/_emulator/requests?since={since}", auth=False)
    print(sum(1 for r in log if r["status"] == int(status)))
elif cmd == "page":            # page SUBDOMAIN -> creates the page and the two components, prints the id
    import urllib.request as u
    def post(path, body, auth=True):
        req = u.Request(emu + path, data=json.dumps(body).encode(), method="POST",
                        headers={"Content-Type": "application/json"})
        if auth:
            req.add_header("Authorization", "Bearer " + key)
        with u.urlopen(req, timeout=5) as r:
            return json.load(r)
    page = post("/_emulator/pages", {"subdomain": args[0], "name": args[0]}, auth=False)
    pid = page.get("id") or page.get("page", {}).get("id")
    for name in ("Execution Client", "Consensus Client"):
        post(f"/v1/{pid}/components", {"name": name, "status": "OPERATIONAL"})
    print(pid)
PY
}
status_is() { [ "$(emu_py status "$1" "$2" 2>/dev/null)" = "$3" ]; }
incidents_are() { [ "$(emu_py incidents "$1" "$2" 2>/dev/null | cut -d' ' -f1-2)" = "$3" ]; }

# --- the metrics file, served over HTTP ----------------------------------------------------
mkdir -p "$work/metrics"
set_metrics() { # set_metrics LAG DOWN: atomically, so a scrape never reads half a file
  printf '# TYPE e2e_lag gauge\ne2e_lag %s\n# TYPE e2e_down gauge\ne2e_down %s\n' "$1" "$2" >"$work/metrics/.m"
  mv "$work/metrics/.m" "$work/metrics/metrics"
}
set_metrics 0 0
metrics_port=$(free_port)
python3 -m http.server "$metrics_port" --bind 127.0.0.1 --directory "$work/metrics" >"$work/metrics-server.log" 2>&1 &
pids+=($!)

# --- two clustered Alertmanagers, each sending to its own bridge replica -------------------
echo "e2e-webhook-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >"$work/webhook-token"
chmod 600 "$work/webhook-token"
bridge_a_port=$(free_port)
bridge_b_port=$(free_port)
am1_port=$(free_port) am1_cluster=$(free_port)
am2_port=$(free_port) am2_cluster=$(free_port)
am_config() { # am_config BRIDGE-PORT
  cat <<EOF
route:
  receiver: bridge
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 10s
receivers:
  - name: bridge
    webhook_configs:
      - url: http://127.0.0.1:$1/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials_file: $work/webhook-token
EOF
}
start_am() { # start_am N WEB-PORT CLUSTER-PORT PEER-PORT BRIDGE-PORT
  am_config "$5" >"$work/am$1.yml"
  mkdir -p "$work/am$1-data"
  prometheus-alertmanager --config.file="$work/am$1.yml" --storage.path="$work/am$1-data" \
    --web.listen-address="127.0.0.1:$2" --web.external-url="http://127.0.0.1:$2" \
    --cluster.listen-address="127.0.0.1:$3" --cluster.advertise-address="127.0.0.1:$3" \
    --cluster.peer="127.0.0.1:$4" --cluster.peer-timeout=2s --cluster.gossip-interval=100ms \
    --cluster.pushpull-interval=2s >"$work/am$1.log" 2>&1 &
  pids+=($!)
}
start_am 1 "$am1_port" "$am1_cluster" "$am2_cluster" "$bridge_a_port"
start_am 2 "$am2_port" "$am2_cluster" "$am1_cluster" "$bridge_b_port"

# --- Prometheus ----------------------------------------------------------------------------
prom_port=$(free_port)
cat >"$work/rules.yml" <<'EOF'
groups:
  - name: e2e
    rules:
      - alert: Watchdog
        expr: vector(1)
      - alert: E2EDown
        expr: e2e_down == 1
        for: 1s
        labels: {severity: critical}
        annotations: {summary: "the e2e target reports down"}
EOF
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [$work/rules.yml]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:$am1_port", "127.0.0.1:$am2_port"]
scrape_configs:
  - job_name: e2e
    static_configs:
      - targets: ["127.0.0.1:$metrics_port"]
EOF
prom_pid=
start_prometheus() {
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom-data" \
    --web.listen-address="127.0.0.1:$prom_port" --rules.alert.resend-delay=1s \
    >>"$work/prometheus.log" 2>&1 &
  prom_pid=$!
  pids+=("$prom_pid")
}
start_prometheus

echo "== start-up"
expect "promtool accepts the test's Prometheus config and rules" \
  promtool check config "$work/prometheus.yml"
expect "Prometheus is ready on 127.0.0.1:$prom_port" wait_for 20 http_ok "http://127.0.0.1:$prom_port/-/ready"
expect "both Alertmanagers are ready" wait_for 20 \
  bash -c "curl -fsS -o /dev/null http://127.0.0.1:$am1_port/-/ready && curl -fsS -o /dev/null http://127.0.0.1:$am2_port/-/ready"
cluster_of_two() {
  curl -fsS "http://127.0.0.1:$am1_port/api/v2/status" | python3 -c \
    'import json,sys; c=json.load(sys.stdin)["cluster"]; sys.exit(0 if c["status"]=="ready" and len(c["peers"])==2 else 1)'
}
expect "the Alertmanagers form a settled cluster of two" wait_for 40 cluster_of_two
scraped() {
  curl -fsS "http://127.0.0.1:$prom_port/api/v1/query?query=e2e_lag" | grep -q '"e2e_lag"'
}
expect "Prometheus scrapes the metrics file" wait_for 20 scraped

# Every query of the shipped Ephemery rule set parses as PromQL (promtool, as a recording rule).
if python3 - "$root/examples/bridge/ephemery.yml" "$work/ephemery-queries.yml" <<'PY'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
qs = [r["threshold"]["query"] for comp in c["status"]["components"] for r in comp["rules"] if "query" in r.get("threshold", {})]
qs += [m["query"] for m in c.get("metrics", [])]
rules = {"groups": [{"name": "q", "rules": [{"record": f"q{i}", "expr": q} for i, q in enumerate(qs)]}]}
yaml.safe_dump(rules, open(sys.argv[2], "w"))
PY
then
  expect "every PromQL query of examples/bridge/ephemery.yml parses (promtool)" \
    promtool check rules "$work/ephemery-queries.yml"
else
  fail "read examples/bridge/ephemery.yml (python3 with PyYAML)"
fi
expect "instatus-bridge validate accepts examples/bridge/ephemery.yml (secrets from $work)" \
  bash -c "sed 's#/etc/instatus-bridge/[a-z-]*#$work/webhook-token#' '$root/examples/bridge/ephemery.yml' >'$work/ephemery.yml' && '$bridge_bin' --config '$work/ephemery.yml' validate"

# --- the bridges ---------------------------------------------------------------------------
bridge_config() { # bridge_config NAME PAGE-ID AM-PORT [REPLICA] -> the config file's path
  local f=$work/bridge-$1.yml
  mkdir -p "$work/state-$1"
  cat >"$f" <<EOF
instatus:
  base_url: $emu
  api_key_file: $work/api-key
  page: $2
  writes_per_second: 5
  timeout_secs: 5
  replica: ${4:-0}
  replica_wait_secs: 2
prometheus:
  url: http://127.0.0.1:$prom_port
  interval_secs: 1
  timeout_secs: 2
alertmanager:
  url: http://127.0.0.1:$3
server:
  listen: 127.0.0.1:0
  auth:
    bearer_token_file: $work/webhook-token
state_dir: $work/state-$1
status:
  components:
    - path: Execution Client
      rules:
        - threshold:
            query: max(e2e_lag)
            op: ">"
            levels:
              - {level: degraded, enter: 10, exit: 8}
              - {level: major_outage, enter: 100, exit: 80}
            enter_for_secs: 2
            exit_for_secs: 3
    - path: Consensus Client
      rules:
        - alert:
            matchers: ['alertname="E2EDown"']
            level: partial_outage
            exit_for_secs: 2
  incidents:
    open_at: degraded
    resolve_after_secs: 4
    marker: "(Posted by the e2e test.)"
  freshness:
    max_sample_age_secs: 5
    heartbeat: {matchers: ['alertname="Watchdog"'], max_silence_secs: 60}
EOF
  echo "$f"
}
declare -A bridge_pid
start_bridge() { # start_bridge NAME CONFIG PORT
  "$bridge_bin" --config "$2" serve --listen "127.0.0.1:$3" >>"$work/bridge-$1.log" 2>&1 &
  bridge_pid[$1]=$!
  pids+=($!)
  wait_for 10 http_ok "http://127.0.0.1:$3/readyz"
}
stop_bridge() { # stop_bridge NAME [SIGNAL]
  kill "-${2:-TERM}" "${bridge_pid[$1]}" 2>/dev/null || true
  wait "${bridge_pid[$1]}" 2>/dev/null || true
}
unknown_gauge() { # unknown_gauge PORT COMPONENT -> the bridge's instatus_bridge_component_unknown
  curl -fsS "http://127.0.0.1:$1/metrics" |
    sed -n "s/^instatus_bridge_component_unknown{component=\"$2\"} \([0-9.]*\).*/\1/p"
}

# --- 1. one bridge: operational -> degraded -> major outage -> back, and an alert ----------
echo "== 1. one bridge: a threshold walk and an alert through Alertmanager"
page=$(emu_py page e2e-walk)
cfg=$(bridge_config a "$page" "$am1_port")
expect "instatus-bridge validate accepts the test config" "$bridge_bin" --config "$cfg" validate
expect "the bridge serves and is ready" start_bridge a "$cfg" "$bridge_a_port"
seq0=$(emu_py seq)
set_metrics 50 0
expect "lag 50: Execution Client DEGRADEDPERFORMANCE" wait_for 20 status_is "$page" "Execution Client" DEGRADEDPERFORMANCE
expect "one incident open" wait_for 5 incidents_are "$page" "Execution Client" "1 1"
set_metrics 500 0
expect "lag 500: Execution Client MAJOROUTAGE" wait_for 20 status_is "$page" "Execution Client" MAJOROUTAGE
expect "still one incident, open" incidents_are "$page" "Execution Client" "1 1"
set_metrics 0 0
expect "lag 0: Execution Client OPERATIONAL" wait_for 20 status_is "$page" "Execution Client" OPERATIONAL
expect "the incident resolves after its dwell; still one" wait_for 20 incidents_are "$page" "Execution Client" "1 0"
ups=$(emu_py updates "$page" "Execution Client")
echo "     incident updates: $ups"
opened_updated_resolved() { [[ $ups == INVESTIGATING*' '*RESOLVED ]] && [ "$(wc -w <<<"$ups")" -ge 3 ]; }
expect "the incident was opened, updated and resolved" opened_updated_resolved
sets=$(emu_py status_writes "$seq0" "$page")
echo "     status writes (changes, writes carrying a status): $sets"
expect "three transitions written once each, and the resolve restating them (saw $sets)" [ "$sets" = "3 4" ]
puts=$(emu_py writes "$seq0" "$page" UpdateComponent)
expect "no component PUT beside the incident's writes, which carry the statuses (saw $puts)" [ "$puts" -eq 0 ]
set_metrics 0 1
expect "E2EDown fires through Alertmanager: Consensus Client PARTIALOUTAGE" \
  wait_for 40 status_is "$page" "Consensus Client" PARTIALOUTAGE
set_metrics 0 0
expect "E2EDown resolves: Consensus Client OPERATIONAL" wait_for 40 status_is "$page" "Consensus Client" OPERATIONAL
expect "its one incident resolves" wait_for 20 incidents_are "$page" "Consensus Client" "1 0"
stop_bridge a

# --- 2. two bridge replicas behind the two clustered Alertmanagers -------------------------
echo "== 2. two Alertmanagers clustered, two bridge replicas"
page=$(emu_py page e2e-ha)
cfg_a=$(bridge_config a2 "$page" "$am1_port")
cfg_b=$(bridge_config b2 "$page" "$am2_port" 1)
expect "replica A is ready" start_bridge a2 "$cfg_a" "$bridge_a_port"
expect "replica B is ready" start_bridge b2 "$cfg_b" "$bridge_b_port"
seq0=$(emu_py seq)
set_metrics 500 1
expect "both replicas: Execution Client MAJOROUTAGE" wait_for 20 status_is "$page" "Execution Client" MAJOROUTAGE
expect "both replicas: Consensus Client PARTIALOUTAGE" wait_for 40 status_is "$page" "Consensus Client" PARTIALOUTAGE
sleep 3 # both replicas evaluate several times meanwhile
expect "one incident for Execution Client" incidents_are "$page" "Execution Client" "1 1"
expect "one incident for Consensus Client" incidents_are "$page" "Consensus Client" "1 1"
set_metrics 0 0
both_operational() { status_is "$page" "Execution Client" OPERATIONAL && status_is "$page" "Consensus Client" OPERATIONAL; }
both_resolved() { incidents_are "$page" "Execution Client" "1 0" && incidents_are "$page" "Consensus Client" "1 0"; }
expect "both back to OPERATIONAL" wait_for 40 both_operational
expect "both incidents resolved, still one each" wait_for 20 both_resolved
sleep 2
sets=$(emu_py status_writes "$seq0" "$page")
creates=$(emu_py writes "$seq0" "$page" CreateIncident)
writes=$(emu_py writes "$seq0" "$page")
echo "     writes by both replicas: $writes (status writes, changes and carrying: $sets; $creates incident creates)"
# The writes, for a failed run: which replica wrote what (target/test-e2e/ha-writes.txt).
curl -fsS "$emu/_emulator/requests?since=$seq0" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r["write"]:
        print(r["seq"], r["method"], r["path"], r["status"], r["operation"], json.dumps(r["body"])[:160])
' >"$out/ha-writes.txt"
expect "no duplicate incident created (saw $creates creates for 2 outages)" [ "$creates" -eq 2 ]
expect "no extra status writes: 4 transitions and 2 resolves, saw $sets" [ "$sets" = "4 6" ]
puts=$(emu_py writes "$seq0" "$page" UpdateComponent)
expect "no component PUT beside the incidents' writes (saw $puts)" [ "$puts" -eq 0 ]
stop_bridge a2
stop_bridge b2

# --- 3. SIGKILL mid-outage, restart: the same incident continues ---------------------------
echo "== 3. the bridge killed with SIGKILL mid-outage and restarted"
page=$(emu_py page e2e-kill)
cfg=$(bridge_config a3 "$page" "$am1_port")
expect "the bridge is ready" start_bridge a3 "$cfg" "$bridge_a_port"
set_metrics 500 0
expect "Execution Client MAJOROUTAGE" wait_for 20 status_is "$page" "Execution Client" MAJOROUTAGE
# The incident follows the status write (writes are spaced by the write rate): wait for it.
incident_open() { [ "$(emu_py incidents "$page" "Execution Client" | cut -d' ' -f3)" != "-" ]; }
expect "its incident is open" wait_for 20 incident_open
first=$(emu_py incidents "$page" "Execution Client" | cut -d' ' -f3)
stop_bridge a3 KILL
set_metrics 50 0
expect "the restarted bridge is ready" start_bridge a3 "$cfg" "$bridge_a_port"
expect "after the restart: DEGRADEDPERFORMANCE" wait_for 20 status_is "$page" "Execution Client" DEGRADEDPERFORMANCE
incidents_full() { [ "$(emu_py incidents "$page" "Execution Client" 2>/dev/null)" = "$1" ]; }
expect "the outage continues in the same incident ($first)" incidents_full "1 1 $first"
set_metrics 0 0
expect "recovered and resolved: one incident, the first" wait_for 30 incidents_full "1 0 $first"
stop_bridge a3

# --- 4. Prometheus stopped mid-run: nothing turns green ------------------------------------
echo "== 4. Prometheus stopped mid-run"
page=$(emu_py page e2e-prom)
cfg=$(bridge_config a4 "$page" "$am1_port")
expect "the bridge is ready" start_bridge a4 "$cfg" "$bridge_a_port"
set_metrics 50 0
expect "Execution Client DEGRADEDPERFORMANCE" wait_for 20 status_is "$page" "Execution Client" DEGRADEDPERFORMANCE
kill "$prom_pid"
wait "$prom_pid" 2>/dev/null
set_metrics 0 0
sleep 10 # longer than exit_for_secs + resolve_after_secs
expect "with Prometheus down the component stays DEGRADEDPERFORMANCE" \
  status_is "$page" "Execution Client" DEGRADEDPERFORMANCE
reports_unknown() { [ "$(unknown_gauge "$bridge_a_port" "Execution Client")" = "${1:-1}" ]; }
expect "the bridge reports the component unknown on /metrics" reports_unknown
# once beside the running serve: its own state_dir (one bridge per folder: the lock refuses a second).
sed "s|^state_dir: .*|state_dir: $work/state-a4-once|" "$cfg" >"$work/a4-once.yml"
"$bridge_bin" --config "$work/a4-once.yml" once >"$work/once-prom-down.log" 2>&1
rc=$?
expect "once exits 2 (not converged: a source is unknown), saw $rc" [ "$rc" -eq 2 ]
start_prometheus
expect "Prometheus is back" wait_for 20 http_ok "http://127.0.0.1:$prom_port/-/ready"
expect "a fresh healthy reading: OPERATIONAL" wait_for 30 status_is "$page" "Execution Client" OPERATIONAL
expect "and no longer unknown" wait_for 10 reports_unknown 0
stop_bridge a4

# --- 5. the emulator answers 503, then 429, for a while ------------------------------------
echo "== 5. Instatus answering 503 and 429"
page=$(emu_py page e2e-faults)
cfg=$(bridge_config a5 "$page" "$am1_port")
expect "the bridge is ready" start_bridge a5 "$cfg" "$bridge_a_port"
seq0=$(emu_py seq)
curl -fsS -X POST "$emu/_emulator/faults" -H 'Content-Type: application/json' \
  -d '{"method": "*", "path": "/v1/**", "action": {"status": 503}, "times": 6}' >/dev/null
curl -fsS -X POST "$emu/_emulator/faults" -H 'Content-Type: application/json' \
  -d '{"method": "*", "path": "/v2/**", "action": {"status": 503}, "times": 6}' >/dev/null
curl -fsS -X PUT "$emu/_emulator/rate-limit" -H 'Content-Type: application/json' \
  -d '{"limit": 3, "window_ms": 2000, "retry_after": true}' >/dev/null
set_metrics 500 0
expect "through the faults: Execution Client MAJOROUTAGE" wait_for 60 status_is "$page" "Execution Client" MAJOROUTAGE
curl -fsS -X PUT "$emu/_emulator/rate-limit" -H 'Content-Type: application/json' -d 'null' >/dev/null
curl -fsS -X DELETE "$emu/_emulator/faults" >/dev/null
n503=$(emu_py answered "$seq0" 503)
n429=$(emu_py answered "$seq0" 429)
echo "     the emulator answered 503 x$n503 and 429 x$n429"
faults_hit() { [ "$n503" -gt 0 ] && [ "$n429" -gt 0 ]; }
expect "the faults were hit (503 x$n503, 429 x$n429)" faults_hit
expect "one incident despite the retries" wait_for 10 incidents_are "$page" "Execution Client" "1 1"
set_metrics 0 0
expect "recovered: OPERATIONAL" wait_for 30 status_is "$page" "Execution Client" OPERATIONAL
expect "resolved, still one incident" wait_for 20 incidents_are "$page" "Execution Client" "1 0"
creates=$(emu_py writes "$seq0" "$page" CreateIncident)
expect "one incident created (saw $creates)" [ "$creates" -eq 1 ]
stop_bridge a5

finish
