#!/usr/bin/env bash
# Benchmarks the collection as operators run it, and the module binary against the floor:
#   1. the role ephemery.instatus.status_page (benchmarks/role.yml): first apply and no-op, side by
#      side with the careful ansible.builtin.uri playbook (benchmarks/uri-baseline.yml, the same
#      component tree) and with the floor (benchmarks/floor.yml: an empty play plus one
#      ephemery.instatus.info task), each playbook on its own page of instatus-emulator, ROUNDS
#      rounds (default 5, interleaved, a fresh emulator each round): median and min wall time,
#      requests and writes, the ratios (target: role no-op <= 1.15x the floor), the per-task
#      cost (role no-op - floor) and the collection tarball's size. With benchmarks/role-before.json
#      (the figures of an earlier commit) it prints them side by side; SAVE=FILE writes this run's.
#   2. (needs hyperfine) 20 no-op ephemery.instatus.component tasks next to the same playbook
#      running echo-module, a binary module that only echoes its arguments (target <= 1.3x);
#   3. (needs hyperfine) the module's own start-to-exit time: a validation-only run (an invalid
#      option, so no HTTP client is built and no request is sent), the echo module on the same
#      args, and a full no-op run against the emulator for reference (network included);
#   4. the binary's size.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/python-env.sh
source scripts/emulator.sh
runs=${BENCH_RUNS:-5}

tarball=$(scripts/build-collection.sh --install | tail -n 1)

echo "== 1. the role, side by side with the uri baseline and the floor"
mkdir -p target/bench-ansible
python3 benchmarks/role_bench.py --tarball "$tarball" --rounds "${ROUNDS:-5}" \
  --before benchmarks/role-before.json ${SAVE:+--save "$SAVE"}

command -v hyperfine >/dev/null || {
  echo "== 2-4 skipped: hyperfine is not installed (apt-get install -y hyperfine)"
  exit 0
}
echo "== 2-4. the module against the per-task floor"
cargo build --quiet --release -p instatus-ansible --bin echo-module
emulator_start --page ephemery=Ephemery
trap emulator_stop EXIT
export INSTATUS_API_KEY=$EMULATOR_API_KEY INSTATUS_BASE_URL=$EMULATOR_URL

dir=target/bench-ansible
rm -rf "$dir" && mkdir -p "$dir/library"
install -m 0755 target/release/echo-module "$dir/library/echo_module"

header='- name: Bench
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:'
task() { # task MODULE N
  printf '    - name: No-op %s\n      %s:\n        name: Bench\n        page: ephemery\n        description: bench\n' "$2" "$1"
}
{ echo "$header"; task ephemery.instatus.component 0; } >"$dir/setup.yml"
{ echo "$header"; for i in $(seq 1 20); do task ephemery.instatus.component "$i"; done; } >"$dir/instatus.yml"
{ echo "$header"; for i in $(seq 1 20); do task echo_module "$i"; done; } >"$dir/echo.yml"
ansible-playbook "$dir/setup.yml" >/dev/null 2>&1
# The instatus playbook must be a no-op: every task ok, none changed.
ansible-playbook "$dir/instatus.yml" | grep -q 'ok=20 *changed=0 ' || { echo "the no-op playbook changed something" >&2; exit 1; }

export ANSIBLE_LIBRARY="$root/$dir/library"
hyperfine --runs "$runs" --warmup 1 --export-json "$dir/playbooks.json" \
  -n "20 x ephemery.instatus.component (no-op)" "ansible-playbook $dir/instatus.yml" \
  -n "20 x echo_module" "ansible-playbook $dir/echo.yml" >"$dir/playbooks.txt"

# Module start-to-exit, without Ansible.
printf '{"_ansible_module_name":"ephemery.instatus.component","name":"Bench","page":"ephemery","api_key":"k","bogus":1}' >"$dir/args-validation"
printf '{"_ansible_module_name":"ephemery.instatus.component","name":"Bench","page":"ephemery","description":"bench"}' >"$dir/args-noop"
hyperfine -N -i --runs 300 --warmup 20 --export-json "$dir/module.json" \
  -n "module, validation only" "ansible/bin/instatus-ansible $dir/args-validation" \
  -n "echo-module" "target/release/echo-module $dir/args-validation" \
  -n "module, no-op against the emulator (2 GETs)" "ansible/bin/instatus-ansible $dir/args-noop" >"$dir/module.txt"

python3 - "$dir" <<'PY'
import json, os, sys
d = sys.argv[1]
pb = json.load(open(f"{d}/playbooks.json"))["results"]
mod = json.load(open(f"{d}/module.json"))["results"]
print("Playbook wall time (mean of %d runs, hyperfine):" % len(pb[0]["times"]))
for r in pb:
    print(f"  {r['command']:<45} {r['mean']:7.3f} s  (± {r['stddev']:.3f})")
ratio = pb[0]["mean"] / pb[1]["mean"]
print(f"  ratio instatus / echo: {ratio:.2f}x (target <= 1.3x)")
print("Module start-to-exit (hyperfine -N, 300 runs):")
for r in mod:
    print(f"  {r['command']:<45} {r['mean']*1000:7.2f} ms  (median {r['median']*1000:.2f} ms, min {r['min']*1000:.2f} ms)")
print("Binary size:")
for f in ("ansible/bin/instatus-ansible", "target/release/echo-module"):
    print(f"  {f:<45} {os.path.getsize(f)/1e6:7.2f} MB")
PY
