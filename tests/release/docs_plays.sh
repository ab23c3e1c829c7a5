#!/usr/bin/env bash
# Runs the plays of docs/getting-started.md with only INSTATUS_API_KEY, INSTATUS_BASE_URL and
# INSTATUS_PAGE set to the emulator, inside a network namespace whose only interface is loopback
# (scripts/test-release.sh starts it with `unshare -n`): a request meant for the real API, or
# anywhere but 127.0.0.1, fails there, and so fails the play. Then checks that the page the
# variables name is the one that changed, and that the bridge config the status_sync play wrote
# sends instatus-bridge to the emulator too.
# Prints "ok"/"FAIL" lines and "N passed, M failed" last.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
ip link set lo up
source scripts/python-env.sh
set +e  # every step here is counted, not fatal
source scripts/emulator.sh
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 30 "$2" | sed 's/^/     /'; }
work=$(mktemp -d)
sync_root=$work/host
cleanup() { emulator_stop; rm -rf "$work" /var/lib/instatus-bridge-docs-test; }
trap cleanup EXIT

# The docs' plays are the example files, word for word (the comment header aside).
for marker in $(sed -n 's/^<!-- play: \(.*\) -->$/\1/p' docs/getting-started.md); do
  awk -v m="<!-- play: $marker -->" '$0 == m {on = 1; next} on && /^```yaml$/ {inside = 1; next}
       inside && /^```$/ {exit} inside {print}' docs/getting-started.md >"$work/doc.yaml"
  grep -v '^#' "$marker" | sed '/^---$/d' >"$work/file.yaml"
  if diff -u "$work/file.yaml" "$work/doc.yaml" >"$work/diff.txt"; then
    pass "docs/getting-started.md shows $marker as it is"
  else
    fail "docs/getting-started.md shows $marker as it is" "$work/diff.txt"
  fi
done

# A page named otherwise than the roles' default, so a role that ignored INSTATUS_PAGE fails.
EMULATOR_API_KEY="docs-plays-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
emulator_start --page "ephemery-trial=Ephemery trial" || { echo "0 passed, 1 failed"; exit 1; }
export INSTATUS_API_KEY=$EMULATOR_API_KEY INSTATUS_BASE_URL=$EMULATOR_URL INSTATUS_PAGE=ephemery-trial
unset EMULATOR_API_KEY

log=$work/page.log
if ansible-playbook -i examples/inventory.yaml examples/ephemery-status-page.yaml >"$log" 2>&1; then
  pass "examples/ephemery-status-page.yaml applies with only the three INSTATUS_* variables set"
else
  fail "examples/ephemery-status-page.yaml applies with only the three INSTATUS_* variables set" "$log"
fi
page_id=$(curl -sf -H "Authorization: Bearer $INSTATUS_API_KEY" "$INSTATUS_BASE_URL/v2/pages" \
  | python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p["subdomain"] == "ephemery-trial"))')
curl -sf -H "Authorization: Bearer $INSTATUS_API_KEY" "$INSTATUS_BASE_URL/v2/$page_id/components?per_page=100" \
  >"$work/components.json"
cat >"$work/components.py" <<'PY'
import json, sys
top = json.load(open(sys.argv[1]))
comps = {c["name"]: c for g in top for c in [g] + g.get("children", [])}
assert len(comps) == 13, f"{len(comps)} components and groups"
desc = lambda n: comps[n].get("description") or ""
assert desc("Execution Client").endswith("[Dashboard](https://grafana.ephemery.dev/d/ephemery-sync)"), desc("Execution Client")
assert desc("Validator Client").endswith("[Dashboard](https://grafana.ephemery.dev/d/validator-performance)"), desc("Validator Client")
assert "Dashboard" not in desc("Checkpoint Sync Service"), desc("Checkpoint Sync Service")
print("3 groups and 10 components; dashboard links to ephemery-sync and validator-performance, none for checkpoint sync")
PY
if python3 "$work/components.py" "$work/components.json" >"$work/components.txt" 2>&1; then
  pass "the page INSTATUS_PAGE names has the tree: $(cat "$work/components.txt")"
else
  fail "the page INSTATUS_PAGE names has the tree" "$work/components.txt"
fi

# status_sync on this host as the group `ephemery`, with everything it writes under $sync_root
# (the paths only: the connection settings stay the role's defaults, i.e. the environment).
mkdir -p "$sync_root/bin" "$sync_root/etc" "$sync_root/systemd"
cat >"$work/inventory.yaml" <<YAML
ephemery:
  hosts:
    localhost:
      ansible_connection: local
      ansible_python_interpreter: "{{ ansible_playbook_python }}"
YAML
log=$work/sync.log
if ansible-playbook -i "$work/inventory.yaml" examples/ephemery-status-sync.yaml \
  -e status_sync_binary_path="$sync_root/bin/instatus-bridge" -e status_sync_config_dir="$sync_root/etc" \
  -e status_sync_unit_dir="$sync_root/systemd" -e status_sync_state_directory=instatus-bridge-docs-test \
  -e status_sync_user=root -e status_sync_group=root \
  -e '{"status_sync_create_user": false, "status_sync_manage_systemd": false}' >"$log" 2>&1; then
  pass "examples/ephemery-status-sync.yaml applies with only the three INSTATUS_* variables set"
else
  fail "examples/ephemery-status-sync.yaml applies with only the three INSTATUS_* variables set" "$log"
fi
cat >"$work/config.py" <<'PY'
import os, sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
i = c["instatus"]
assert i["base_url"] == os.environ["INSTATUS_BASE_URL"], i["base_url"]
assert i["page"] == "ephemery-trial", i["page"]
assert open(i["api_key_file"]).read().strip() == os.environ["INSTATUS_API_KEY"]
assert "alertmanager" not in c, c.get("alertmanager")
print(f"base_url {i['base_url']}, page {i['page']}, no alertmanager")
PY
if python3 "$work/config.py" "$sync_root/etc/config.yml" >"$work/config.txt" 2>&1; then pass "the bridge config has the emulator and the page from the environment: $(cat "$work/config.txt")"
else fail "the bridge config has the emulator and the page from the environment" "$work/config.txt"; fi

# The installed bridge, run once with that config, reaches the emulator (and only what loopback has).
before=$(curl -sf "$INSTATUS_BASE_URL/_emulator/requests" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
timeout 120 "$sync_root/bin/instatus-bridge" --config "$sync_root/etc/config.yml" once </dev/null >"$work/once.log" 2>&1
rc=$?
after=$(curl -sf "$INSTATUS_BASE_URL/_emulator/requests" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
if [ "$rc" -le 2 ] && [ "$after" -gt "$before" ]; then
  pass "instatus-bridge once with the written config read the emulator ($((after - before)) requests, exit $rc)"
else
  fail "instatus-bridge once with the written config read the emulator (exit $rc, $before -> $after requests)" "$work/once.log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
