#!/usr/bin/env bash
# Issue 4's benchmark: pages of 10, 100 and 1,000 components (N/10 groups of 9), declared
#   1. through the library (cargo bench --bench reconcile: requests, planning time per component);
#   2. with ephemery.instatus.page_spec and with plain ansible.builtin.uri tasks
#      (benchmarks/uri-baseline.yml), first apply and no-op apply: requests and wall time, ratios.
# Requests are read from the emulator's log. SIZES="10 100" limits the sizes; TOOLS=page-spec.yml
# runs only the collection (the baseline takes minutes at 1,000).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh
source scripts/emulator.sh
sizes=${SIZES:-"10 100 1000"}
tools=${TOOLS:-"page-spec.yml uri-baseline.yml"}

echo "== 1. the library alone"
cargo bench -q -p instatus --bench reconcile

echo "== 2. through ansible-playbook"
scripts/build-collection.sh --install >/dev/null
work=target/bench-reconcile
mkdir -p "$work"
trap emulator_stop EXIT

# run PLAYBOOK: wall seconds and requests/writes of one ansible-playbook run.
run() {
  curl -fsS -X DELETE "$EMULATOR_URL/_emulator/requests" >/dev/null
  local start end
  start=$(date +%s.%N)
  ansible-playbook -i examples/inventory.yaml "benchmarks/$1" -e "@$work/spec.json" >"$work/$1.log" 2>&1 \
    || { echo "$1 failed; see $work/$1.log" >&2; exit 1; }
  end=$(date +%s.%N)
  curl -fsS "$EMULATOR_URL/_emulator/requests" >"$work/requests.json"
  python3 - "$work/requests.json" "$start" "$end" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
print(f"{float(sys.argv[3]) - float(sys.argv[2]):.2f} {len(log)} {sum(1 for r in log if r['write'])}")
PY
}

printf '%6s | %-10s | %-28s | %-28s | %s\n' N tool "first apply: s, req (writes)" "no-op apply: s, req (writes)" ""
for n in $sizes; do
  python3 - "$n" >"$work/spec.json" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps({"components": [
    {"name": f"Group {g:03}", "components": [
        {"name": f"Component {g:03}-{c}", "description": f"node {g}-{c}"} for c in range(9)]}
    for g in range(n // 10)]}))
PY
  declare -A first noop
  for tool in $tools; do
    emulator_stop
    emulator_start --page "bench=Bench"
    export INSTATUS_BASE_URL=$EMULATOR_URL INSTATUS_API_KEY=$EMULATOR_API_KEY
    first[$tool]=$(run "$tool")
    noop[$tool]=$(run "$tool")
  done
  for tool in $tools; do
    read -r fs fr fw <<<"${first[$tool]}"; read -r ns nr nw <<<"${noop[$tool]}"
    printf '%6s | %-10s | %8ss %6s req (%5s) | %8ss %6s req (%5s) |\n' "$n" "${tool%.yml}" "$fs" "$fr" "$fw" "$ns" "$nr" "$nw"
  done
  [ -n "${first[uri-baseline.yml]:-}" ] && [ -n "${first[page-spec.yml]:-}" ] || continue
  read -r afs afr _ <<<"${first[page-spec.yml]}"; read -r ans anr _ <<<"${noop[page-spec.yml]}"
  read -r bfs bfr _ <<<"${first[uri-baseline.yml]}"; read -r bns bnr _ <<<"${noop[uri-baseline.yml]}"
  python3 -c "print(f'{\"\":>6} | {\"uri/module\":<10} | {$bfs/$afs:7.1f}x time {$bfr/$afr:5.1f}x req     | {$bns/$ans:7.1f}x time {$bnr/$anr:5.1f}x req     |')"
done
