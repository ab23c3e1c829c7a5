#!/usr/bin/env bash
# The built-in probes and the Ephemery defaults, end to end on one Ephemery-like host.
#
# 1. examples/bridge/ephemery.yml is the role template's rendering (scripts/gen-ephemery-example.sh --check).
# 2. (The probe tests with real parts, cargo test -p instatus --test it probes:: with a real anvil from
#    npm and -p instatus-bridge --test it probes::, run with the workspace's tests in scripts/test.sh.)
# 3. A single host set up like the real Ephemery repository's: a real execution client (anvil,
#    JSON-RPC on a free port), stand-ins for the beacon node, the validator client's metrics,
#    Grafana and the checkpoint sync provider (tests/standins), a real Prometheus with that
#    repository's scrape config and alert rules (tests/fixtures/ephemery) and no Alertmanager,
#    the emulator with the page's ten components, and `instatus-bridge serve` with the config the
#    status_sync role renders (its template and defaults; only URLs, ports and paths set).
#    Checked: `plan --sources` lists the ten components, nine answering and Alert Manager in
#    observe; a healthy host writes nothing; the repository's ChainIDMismatch alert, firing on a
#    healthy node, changes nothing public; the execution client stopped -> Execution Client
#    MAJOROUTAGE and one incident; an allowlisted alert moves its component.
#
# Needs: prometheus (Debian), python3 with PyYAML, curl, npm; the venv of scripts/python-env.sh.
# Prints "N passed, M failed" last; exits non-zero on any failure. E2E_PROFILE=debug for debug binaries.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

out=target/test-probes
rm -rf "$out" && mkdir -p "$out"
source scripts/checks.sh
for tool in prometheus promtool python3 curl npm; do
  command -v "$tool" >/dev/null || { fail "$tool present (apt-get install prometheus python3 curl npm)"; finish; }
done

echo "== the example is the role template's rendering"
expect "scripts/gen-ephemery-example.sh --check" scripts/gen-ephemery-example.sh --check
source scripts/python-env.sh


profile=${E2E_PROFILE:-release}
echo "== build ($profile)"
source scripts/release-bins.sh
bin_dir=$(build_bins "$profile") || { fail "the $profile build"; finish; }
bridge_bin=$bin_dir/instatus-bridge
emulator_bin=$bin_dir/instatus-emulator
anvil_bin=$root/tests/node/node_modules/@foundry-rs/anvil-linux-$([ "$(uname -m)" = aarch64 ] && echo arm64 || echo amd64)/bin/anvil
[ -x "$anvil_bin" ] || (cd tests/node && npm ci --no-audit --no-fund >/dev/null) || { fail "npm ci in tests/node"; finish; }

work=$(mktemp -d /tmp/instatus-probes.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  cp "$work"/*.log "$work"/*.yml "$out"/ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for SECONDS CMD...
  local deadline=$((SECONDS + $1))
  shift
  while [ "$SECONDS" -lt "$deadline" ]; do
    "$@" && return 0
    sleep 0.5
  done
  "$@"
}
listening() { python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$1" 2>/dev/null; }

# --- the host's services -------------------------------------------------------------------
now=$(date +%s)
chain_id=$((39438160 + (now - 1780599600) / 2419200))
el_port=$(free_port)
"$anvil_bin" --host 127.0.0.1 --port "$el_port" --chain-id "$chain_id" --block-time 2 >"$work/anvil.log" 2>&1 &
anvil_pid=$!
pids+=("$anvil_pid")
# standin PORT NAME ARGS...: started in this shell (not in a $(...) subshell), so cleanup stops it.
standin() {
  local port=$1 name=$2
  shift 2
  python3 tests/standins/standin.py "$@" --port "$port" >"$work/$name.log" 2>&1 &
  pids+=($!)
}
bn_port=$(free_port) vc_port=$(free_port) grafana_port=$(free_port) cp_port=$(free_port)
geth_metrics_port=$(free_port) lh_metrics_port=$(free_port)
standin "$bn_port" beacon beacon --genesis-time $((now - 7200)) --deposit-chain-id "$chain_id"
standin "$vc_port" validator validator
standin "$grafana_port" grafana grafana
standin "$cp_port" checkpoint checkpoint --genesis-time $((now - 7200))
standin "$geth_metrics_port" geth-metrics metrics --text "eth_chain_id $chain_id\nchain_head_block 10\np2p_peers 5"
standin "$lh_metrics_port" lighthouse-metrics metrics --text "beacon_head_slot 600\nlibp2p_peers 50"
for p in "$el_port" "$bn_port" "$vc_port" "$grafana_port" "$cp_port" "$geth_metrics_port" "$lh_metrics_port"; do
  wait_for 15 listening "$p" || { fail "a service listens on $p"; finish; }
done
expect "the beacon stand-in answers as the Beacon API spec says" \
  python3 tests/standins/check_beacon_spec.py "http://127.0.0.1:$bn_port"

# --- Prometheus with the Ephemery repository's config and alert rules, no Alertmanager -------
prom_port=$(free_port)
mkdir -p "$work/prom-data"
python3 - "$root/tests/fixtures/ephemery/prometheus.yaml" "$work/prometheus.yml" "$work" <<PY
import sys, yaml
src, dst, work = sys.argv[1:]
c = yaml.safe_load(open(src))
c.pop("alerting")                      # the repository deploys no Alertmanager
c["global"] = {"scrape_interval": "2s", "evaluation_interval": "2s"}
# The repository's rules with their "for" shortened to 4 s: the test waits for firing, not a minute.
rules = yaml.safe_load(open("$root/tests/fixtures/ephemery/jwt_authentication_alerts.yaml"))
for g in rules["groups"]:
    for r in g["rules"]:
        if "for" in r:
            r["for"] = "4s"
yaml.safe_dump(rules, open(work + "/ephemery-alerts.yml", "w"), sort_keys=False)
c["rule_files"] = [work + "/ephemery-alerts.yml"]
targets = {"localhost:9090": "127.0.0.1:$prom_port", "ephemery-lighthouse:5054": "127.0.0.1:$lh_metrics_port",
           "ephemery-geth:6060": "127.0.0.1:$geth_metrics_port", "node-exporter:9100": "127.0.0.1:9",
           "localhost:8009": "127.0.0.1:$vc_port", "localhost:9301": "127.0.0.1:9"}
for job in c["scrape_configs"]:
    for sc in job["static_configs"]:
        sc["targets"] = [targets[t] for t in sc["targets"]]
yaml.safe_dump(c, open(dst, "w"), sort_keys=False)
PY
expect "promtool accepts the Ephemery alert rules" promtool check rules tests/fixtures/ephemery/jwt_authentication_alerts.yaml
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom-data" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_for 30 curl -fs -o /dev/null "http://127.0.0.1:$prom_port/-/ready" || { fail "Prometheus starts"; finish; }

# --- the emulator and the page's ten components ---------------------------------------------
api_key="probes-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
echo "$api_key" >"$work/api-key"
"$emulator_bin" --port 0 --api-key "$api_key" >"$work/emulator.log" 2>&1 &
pids+=($!)
wait_for 10 grep -q '^instatus-emulator listening on' "$work/emulator.log"
emu=$(sed -n 's/^instatus-emulator listening on \(http[^ ]*\).*/\1/p' "$work/emulator.log")
emu_py() {
  EMU=$emu KEY=$api_key python3 - "$@" <<'PY'
import json, os, sys, urllib.request
emu, key = os.environ["EMU"], os.environ["KEY"]
def call(path, body=None, auth=True):
    req = urllib.request.Request(emu + path, data=None if body is None else json.dumps(body).encode(),
                                 method="GET" if body is None else "POST", headers={"Content-Type": "application/json"})
    if auth:
        req.add_header("Authorization", "Bearer " + key)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)
cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "page":
    page = call("/_emulator/pages", {"subdomain": "ephemery", "name": "Ephemery"}, auth=False)
    pid = page.get("id") or page.get("page", {}).get("id")
    tree = {"Ethereum Services": ["Execution Client", "Consensus Client", "Validator Client", "Checkpoint Sync Service"],
            "Monitoring Systems": ["Prometheus", "Grafana", "Alert Manager"],
            "Infrastructure": ["Network", "Storage", "Server Health"]}
    for group, children in tree.items():
        g = call(f"/v1/{pid}/components", {"name": group, "status": "OPERATIONAL"})
        for name in children:
            call(f"/v1/{pid}/components", {"name": name, "status": "OPERATIONAL", "group": g["id"]})
    print(pid)
elif cmd == "statuses":        # "Name=STATUS ..." of every child component
    comps = call(f"/v1/{args[0]}/components?per_page=100")
    print(" ".join(f"{c['name']}={c['status']}" for c in sorted(comps, key=lambda c: c["name"])))
elif cmd == "status":
    print(next(c["status"] for c in call(f"/v1/{args[0]}/components?per_page=100") if c["name"] == args[1]))
elif cmd == "incidents":       # "COMPONENT:STATUS ..." of every incident
    inc = call(f"/v1/{args[0]}/incidents?per_page=100")
    print(" ".join(sorted(",".join(c["name"] for c in i.get("components", [])) + ":" + i["status"] for i in inc)))
elif cmd == "writes":          # answered writes so far
    print(sum(1 for r in call("/_emulator/requests", auth=False) if r["write"] and r["status"] < 300))
PY
}
page_id=$(emu_py page) || { fail "the page is created"; finish; }
status_is() { [ "$(emu_py status "$page_id" "$1" 2>/dev/null)" = "$2" ]; }
base=$(emu_py writes) # creating the page
new_writes() { echo $(($(emu_py writes) - base)); }

# --- the config the status_sync role renders ------------------------------------------------
bridge_port=$(free_port)
am_port=$(free_port) # nothing listens there until the end: the repository deploys no Alertmanager
# Storage watches /dev/shm (tmpfs): the rule set is under test, not this shared machine's disk.
mkdir -p "$work/render" "$work/state"
ln -s "$root/ansible/roles/status_sync/templates" "$work/render/templates"
cat >"$work/render/render.yml" <<'PLAY'
- name: Render the status_sync role's bridge config
  hosts: localhost
  gather_facts: false
  vars_files:
    - "{{ root }}/ansible/roles/status_sync/defaults/main.yml"
    - "{{ root }}/ansible/roles/status_sync/vars/main.yml"
  tasks:
    - name: Write it
      ansible.builtin.copy:
        content: "{{ _status_sync_config | ansible.builtin.to_nice_yaml(indent=2, sort_keys=false) }}"
        dest: "{{ dest }}"
        mode: "0644"
PLAY
cat >"$work/vars.json" <<EOF
{"root": "$root", "dest": "$work/bridge.yml", "role_path": "$root/ansible/roles/status_sync",
 "ansible_python_interpreter": "$(command -v python3)",
 "status_sync_base_url": "$emu", "status_sync_page": "ephemery", "status_sync_interval_secs": 2,
 "status_sync_prometheus_url": "http://127.0.0.1:$prom_port", "status_sync_listen": "127.0.0.1:$bridge_port",
 "status_sync_webhook_auth": "none", "status_sync_alerts_enabled": true,
 "status_sync_data_path": "/dev/shm",
 "status_sync_probe_urls": {"execution": "http://127.0.0.1:$el_port", "beacon": "http://127.0.0.1:$bn_port",
   "validator_metrics": "http://127.0.0.1:$vc_port/metrics", "checkpoint_sync": "http://127.0.0.1:$cp_port",
   "prometheus": "http://127.0.0.1:$prom_port", "grafana": "http://127.0.0.1:$grafana_port",
   "alertmanager": "http://127.0.0.1:$am_port"},
 "_status_sync_state_dir": "$work/state", "_status_sync_api_key_file": "$work/api-key"}
EOF
if ! ansible-playbook -i localhost, -c local "$work/render/render.yml" -e "@$work/vars.json" >"$work/render.log" 2>&1; then
  cat "$work/render.log"
  fail "the status_sync role renders the config"
  finish
fi
pass "the status_sync role renders the config (webhook receiver, alert allowlist, no Alertmanager)"
# The rendered holds of the two "up" probes the test turns bad (the execution client, the absent
# Alertmanager), shortened to 4 s: the test waits for the change,
# not the 90 s a real host waits (the hold itself is the engine's, tested in the Rust suites).
python3 - "$work/bridge.yml" <<'PY'
import sys, yaml
path = sys.argv[1]
c = yaml.safe_load(open(path))
for comp in c["status"]["components"]:
    for r in comp["rules"]:
        t = r.get("threshold", {})
        if t.get("probe") in ("execution.up", "alertmanager.ok"):
            t["enter_for_secs"] = 4
yaml.safe_dump(c, open(path, "w"), sort_keys=False)
PY
expect "instatus-bridge validate accepts it" "$bridge_bin" --config "$work/bridge.yml" validate

# The opt-in Prometheus layer: rendered too, every query parses (promtool) and the config is valid.
python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); v.update(dest=sys.argv[2], status_sync_prometheus_rules=True); json.dump(v, open(sys.argv[3], "w"))' \
  "$work/vars.json" "$work/bridge-prom.yml" "$work/vars-prom.json"
if ansible-playbook -i localhost, -c local "$work/render/render.yml" -e "@$work/vars-prom.json" >"$work/render-prom.log" 2>&1 &&
  python3 - "$work/bridge-prom.yml" "$work/prom-queries.yml" <<'PY'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
qs = [r["threshold"]["query"] for comp in c["status"]["components"] for r in comp["rules"] if "query" in r.get("threshold", {})]
qs += [m["query"] for m in c.get("metrics", [])]
assert len(qs) >= 8, qs
yaml.safe_dump({"groups": [{"name": "q", "rules": [{"record": f"q{i}", "expr": q} for i, q in enumerate(qs)]}]}, open(sys.argv[2], "w"))
PY
then
  expect "every PromQL query of the Prometheus layer parses (promtool)" promtool check rules "$work/prom-queries.yml"
  expect "instatus-bridge validate accepts the config with the Prometheus layer" "$bridge_bin" --config "$work/bridge-prom.yml" validate
else
  fail "render the config with status_sync_prometheus_rules: true"
fi

# One list drops a component from both roles: status_page's tree and status_sync's rule set.
cat >"$work/render/drop.yml" <<'PLAY'
- name: Render both roles with instatus_components_drop
  hosts: localhost
  gather_facts: false
  vars_files:
    - "{{ root }}/ansible/roles/status_page/defaults/main.yml"
    - "{{ root }}/ansible/roles/status_page/vars/main.yml"
    - "{{ root }}/ansible/roles/status_sync/defaults/main.yml"
    - "{{ root }}/ansible/roles/status_sync/vars/main.yml"
  tasks:
    - name: Write what each role would use
      ansible.builtin.copy:
        content: "{{ {'page': _status_page_components, 'sync': _status_sync_config} | ansible.builtin.to_json }}"
        dest: "{{ dest }}"
        mode: "0644"
PLAY
python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); v.update(dest=sys.argv[2], instatus_components_drop=["Monitoring Systems/Alert Manager", "Infrastructure/Storage"]); json.dump(v, open(sys.argv[3], "w"))' \
  "$work/vars.json" "$work/drop.json" "$work/vars-drop.json"
if ansible-playbook -i localhost, -c local "$work/render/drop.yml" -e "@$work/vars-drop.json" >"$work/render-drop.log" 2>&1; then
  expect "instatus_components_drop leaves Alert Manager and Storage off the page and out of the rules (and their probes)" python3 - "$work/drop.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
page = {g["name"]: [c["name"] for c in g.get("components", [])] for g in d["page"]}
paths = [c["path"] for c in d["sync"]["status"]["components"]]
probes = [list(p.values())[0]["name"] for p in d["sync"]["probes"]]
ok = (page["Monitoring Systems"] == ["Prometheus", "Grafana"] and page["Infrastructure"] == ["Network", "Server Health"]
      and len(paths) == 8 and "Monitoring Systems/Alert Manager" not in paths and "Infrastructure/Storage" not in paths
      and "alertmanager" not in probes and "host" in probes)
print(page, paths, probes)
sys.exit(0 if ok else 1)
PY
else
  cat "$work/render-drop.log"
  fail "render both roles with instatus_components_drop"
fi

# --- before going live: plan --sources -------------------------------------------------------
"$bridge_bin" --config "$work/bridge.yml" plan --sources >"$out/plan-sources.txt" 2>&1
cat "$out/plan-sources.txt"
components=$(grep -cE '^[A-Z][^ ].*  \[(automatic|observe|off)\]' "$out/plan-sources.txt")
expect "plan --sources lists the ten components (got $components)" [ "$components" = 10 ]
expect "nine are automatic" [ "$(grep -c '  \[automatic\]' "$out/plan-sources.txt")" = 9 ]
expect "Alert Manager (no Alertmanager on the host) is in observe and says why" \
  grep -q '^Monitoring Systems/Alert Manager  \[observe\] (none of its sources has answered yet)' "$out/plan-sources.txt"
expect "plan writes nothing" [ "$(new_writes)" = 0 ]

# --- live ------------------------------------------------------------------------------------
"$bridge_bin" --config "$work/bridge.yml" serve >"$work/bridge.log" 2>&1 &
pids+=($!)
wait_for 20 curl -fs -o /dev/null "http://127.0.0.1:$bridge_port/readyz" || { fail "the bridge serves"; finish; }
sleep 8
writes_healthy=$(new_writes)
expect "a healthy host writes nothing (got $writes_healthy writes)" [ "$writes_healthy" = 0 ]

# The execution client stops. Meanwhile ChainIDMismatch becomes firing in Prometheus (for: 1m).
kill "$anvil_pid"
echo "== anvil stopped; waiting for the (shortened) hold of execution.up"
wait_for 60 status_is 'Execution Client' MAJOROUTAGE
expect "Execution Client is MAJOROUTAGE" [ "$(emu_py status "$page_id" 'Execution Client')" = MAJOROUTAGE ]
sleep 6
incidents=$(emu_py incidents "$page_id")
echo "incidents: $incidents"
expect "one incident, on Execution Client" [ "$incidents" = "Execution Client:INVESTIGATING" ]
statuses=$(emu_py statuses "$page_id")
echo "statuses: $statuses"
for name in "Consensus Client" "Validator Client" "Checkpoint Sync Service" Prometheus Grafana "Alert Manager" Network Storage "Server Health"; do
  expect "$name stays OPERATIONAL" [ "$(emu_py status "$page_id" "$name")" = OPERATIONAL ]
done
expect "the group Ethereum Services follows (MAJOROUTAGE)" [ "$(emu_py status "$page_id" 'Ethereum Services')" = MAJOROUTAGE ]

# The repository's ChainIDMismatch fires on a healthy node (its chain id is one iteration's):
# delivered as Alertmanager would, it matches no allowlisted name and changes nothing public.
firing() {
  curl -fs "http://127.0.0.1:$prom_port/api/v1/alerts" |
    python3 -c "import json,sys; a=[x for x in json.load(sys.stdin)['data']['alerts'] if x['labels']['alertname']==sys.argv[1] and x['state']=='firing']; print(json.dumps(a[0]) if a else ''); sys.exit(0 if a else 1)" "$1"
}
wait_for 60 firing ChainIDMismatch >/dev/null
alert=$(firing ChainIDMismatch) || alert=""
expect "ChainIDMismatch fires in the real Prometheus (eth_chain_id $chain_id != 39438144)" [ -n "$alert" ]
webhook() { # webhook ALERT-JSON: an Alertmanager v4 payload with that alert
  python3 -c '
import json, sys, hashlib
a = json.loads(sys.argv[1])
labels = a["labels"]
fp = hashlib.sha1(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]
alert = {"status": "firing", "labels": labels, "annotations": a.get("annotations", {}),
         "startsAt": a["activeAt"], "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "", "fingerprint": fp}
print(json.dumps({"version": "4", "groupKey": "{}:{}", "truncatedAlerts": 0, "status": "firing",
  "receiver": "instatus-bridge", "groupLabels": {}, "commonLabels": labels, "commonAnnotations": {},
  "externalURL": "", "alerts": [alert]}))' "$1"
}
before=$(emu_py writes)
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  --data "$(webhook "$alert")" "http://127.0.0.1:$bridge_port/alertmanager")
expect "the bridge accepts the ChainIDMismatch webhook (HTTP $code)" [ "$code" = 200 ]
sleep 6
expect "ChainIDMismatch changed nothing public" [ "$(emu_py writes)" = "$before" ]
expect "still one incident" [ "$(emu_py incidents "$page_id")" = "Execution Client:INVESTIGATING" ]

# An allowlisted alert does move its component (so the silence above is the allowlist's).
listed='{"labels": {"alertname": "ExecutionConsensusDisconnected", "severity": "warning", "service": "ethereum", "component": "consensus"}, "annotations": {}, "activeAt": "'$(date -u +%Y-%m-%dT%H:%M:%SZ)'"}'
curl -s -o /dev/null -H 'Content-Type: application/json' --data "$(webhook "$listed")" "http://127.0.0.1:$bridge_port/alertmanager"
wait_for 20 status_is 'Consensus Client' DEGRADEDPERFORMANCE
expect "the allowlisted ExecutionConsensusDisconnected sets Consensus Client DEGRADEDPERFORMANCE" \
  [ "$(emu_py status "$page_id" 'Consensus Client')" = DEGRADEDPERFORMANCE ]
expect "Alert Manager was never written (observe)" [ "$(emu_py status "$page_id" 'Alert Manager')" = OPERATIONAL ]
expect "the bridge logged what it would have written for Alert Manager, once" \
  [ "$(grep -c 'Monitoring Systems/Alert Manager: observe: would set OPERATIONAL -> MAJOROUTAGE' "$work/bridge.log")" = 1 ]
"$bridge_bin" --config "$work/bridge.yml" plan --sources >"$out/plan-sources-after.txt" 2>&1
expect "plan --sources shows the execution probe silent" grep -q 'SILENT  probe execution (execution http' "$out/plan-sources-after.txt"

# Where an Alertmanager runs, Alert Manager's probe answers: every one of the ten components then
# has a working source and is automatic.
mkdir -p "$work/am-data"
printf 'route:\n  receiver: none\nreceivers:\n  - name: none\n' >"$work/alertmanager.yml"
prometheus-alertmanager --config.file="$work/alertmanager.yml" --storage.path="$work/am-data" \
  --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= >"$work/alertmanager.log" 2>&1 &
pids+=($!)
wait_for 20 curl -fs -o /dev/null "http://127.0.0.1:$am_port/-/healthy"
"$bridge_bin" --config "$work/bridge.yml" plan --sources >"$out/plan-sources-alertmanager.txt" 2>&1
cat "$out/plan-sources-alertmanager.txt" | grep -E '^[A-Z][^ ].*  \[|^    (answers|SILENT)'
expect "with an Alertmanager running, all ten components are automatic" \
  [ "$(grep -c '  \[automatic\]' "$out/plan-sources-alertmanager.txt")" = 10 ]
expect "and Alert Manager's probe answers" grep -q 'answers probe alertmanager' "$out/plan-sources-alertmanager.txt"
finish
