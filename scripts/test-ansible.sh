#!/usr/bin/env bash
# Tests the ephemery.instatus collection with the real Ansible tool chain: builds and installs the
# collection, starts instatus-emulator on 127.0.0.1, runs the playbooks in tests/ansible/ (every
# write path in check mode, for real and again; bad options; --diff; no key leak at -vvv), then
# ansible-doc, ansible-lint (production profile) and ansible-test sanity.
# Prints "N passed, M failed" last; exits non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/python-env.sh
source scripts/emulator.sh

out=target/test-ansible
rm -rf "$out" && mkdir -p "$out"
passed=0
failed=0
step=0

pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 40 "$2" | sed 's/^/     /'; }
# check NAME CMD...: runs CMD with its output in a log; one check, timed.
check() {
  local name=$1 log started tenths
  shift
  step=$((step + 1))
  log="$out/$(printf '%02d' "$step")-$(tr -c 'a-zA-Z0-9\n' '-' <<<"$name" | head -c 60).log"
  started=$(date +%s%N)
  if "$@" >"$log" 2>&1; then
    tenths=$((($(date +%s%N) - started) / 100000000))
    pass "$name ($((tenths / 10)).$((tenths % 10)) s)"
  else
    fail "$name" "$log"
  fi
  last_log=$log
}
# count_asserts LOG: one check per "CHECK OK:" assertion in a playbook log.
count_asserts() {
  local n
  n=$(grep -c '"msg": "CHECK OK:' "$1" || true)
  passed=$((passed + n))
  echo "ok   $n assertions in $(basename "$1")"
}
playbook() {
  local name=$1
  shift
  check "playbook $name $*" ansible-playbook "tests/ansible/$name.yml" "$@"
  count_asserts "$last_log"
}

echo "== build and install the collection"
check "build and install the collection" scripts/build-collection.sh --install
tarball=$(tail -n 1 "$last_log")
# The module binary is shipped once: one regular file bin/instatus-ansible, every module a symlink
# to it, in the tarball and in the installed copy. The only other large file is
# bin/instatus-bridge, which the status_sync role installs on the monitoring host.
installed="$ANSIBLE_COLLECTIONS_PATH/ansible_collections/ephemery/instatus"
links_ok=true
for name in $(ansible/bin/instatus-ansible --list); do
  tar tvzf "$tarball" "plugins/modules/$name" | grep -q -- "-> ../../bin/instatus-ansible" || links_ok=false
  [ "$(readlink "$installed/plugins/modules/$name")" = ../../bin/instatus-ansible ] || links_ok=false
done
big_files=$(tar tvzf "$tarball" | awk '$1 ~ /^-/ && $3 > 1000000 && $6 != "bin/instatus-bridge"' | wc -l)
if $links_ok && [ "$big_files" -eq 1 ] && [ -x "$installed/bin/instatus-ansible" ]; then
  pass "the collection ships the binary once ($(du -k "$tarball" | cut -f1) KiB tarball), every module a symlink to it"
else
  fail "the collection ships the binary once (found $big_files large files; links ok: $links_ok)" "$last_log"
fi

echo "== emulator"
EMULATOR_API_KEY="ansible-itest-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export EMULATOR_API_KEY
emulator_start --page ephemery=Ephemery || { echo "0 passed, 1 failed"; exit 1; }
trap emulator_stop EXIT
export TEST_INSTATUS_API_KEY=$EMULATOR_API_KEY
echo "emulator at $EMULATOR_URL"

echo "== playbooks against the emulator"
playbook component
playbook info
playbook errors
playbook page
playbook page_spec
playbook subscriber
playbook template --diff
playbook incident --diff
playbook maintenance --diff
playbook report
playbook ephemery_resets --diff
playbook calendar --diff
playbook not_applied

echo "== --diff shows a readable before/after"
playbook diff --diff
for want in '--- before: Diff Demo' '+++ after: Diff Demo' '-description: "before text"' \
  '+description: "after text"' '+status: "partial_outage"' ' group: null'; do
  if grep -qxF -- "$want" "$last_log"; then pass "diff output has $want"; else fail "diff output has $want" "$last_log"; fi
done

echo "== the API key never appears at -vvv"
playbook info -vvv
vvv_logs=("$last_log")
playbook errors -vvv
vvv_logs+=("$last_log")
playbook diff -vvv --diff
vvv_logs+=("$last_log")
playbook subscriber -vvv
vvv_logs+=("$last_log")
for secret in "$EMULATOR_API_KEY" s3cr3t-webhook-token; do
  if grep -qF -- "$secret" "${vvv_logs[@]}"; then
    fail "secret ${secret:0:12}... is absent from -vvv output" "$(grep -lF -- "$secret" "${vvv_logs[@]}" | head -n 1)"
  else
    pass "secret ${secret:0:12}... is absent from -vvv output"
  fi
done
if grep -q 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' "${vvv_logs[0]}" && grep -q '"api_calls"' "${vvv_logs[0]}"; then
  pass "-vvv shows invocation with the key masked, and api_calls"
else
  fail "-vvv shows invocation with the key masked, and api_calls" "${vvv_logs[0]}"
fi

echo "== ansible-doc"
for name in $(ansible/bin/instatus-ansible --list); do
  check "ansible-doc ephemery.instatus.$name" ansible-doc "ephemery.instatus.$name"
  grep -q "OPTIONS" "$last_log" && grep -q "RETURN VALUES" "$last_log" \
    && pass "ansible-doc $name has options and return values" \
    || fail "ansible-doc $name has options and return values" "$last_log"
done

# ansible-doc -l skips symlinked modules (it takes them for aliases); it lists each module through
# the NAME.ini marker beside its link (scripts/build-collection.sh says why), with no warning.
check "ansible-doc -l ephemery.instatus" ansible-doc -l ephemery.instatus
listed_all=true
for name in $(ansible/bin/instatus-ansible --list); do
  grep -q "^ephemery\.instatus\.$name " "$last_log" || listed_all=false
done
if $listed_all && ! grep -q "WARNING\|documentation formatting error" "$last_log"; then
  pass "ansible-doc -l ephemery.instatus lists every module, without a warning"
else
  fail "ansible-doc -l ephemery.instatus lists every module, without a warning" "$last_log"
fi

echo "== docs: links and lists"
check "scripts/check-links.sh (links resolve, README and module lists complete)" scripts/check-links.sh

echo "== ansible-lint (production profile)"
check "ansible-lint ansible/" bash -c 'cd ansible && ansible-lint --profile production --offline .'

echo "== ansible-test sanity"
sanity_root=target/ansible-test/ansible_collections/ephemery/instatus
rm -rf target/ansible-test && mkdir -p "$sanity_root"
cp -a ansible/. "$sanity_root/"
# ansible-test lists files with git, and would find this repository (where the binaries are
# ignored): a throwaway repository in the copy makes it see exactly the collection.
git -C "$sanity_root" init -q && git -C "$sanity_root" add -A
# ansible-test downloads get-pip.py for its venvs; a stand-in that uses ensurepip works offline.
for ver in 24_2 25_2; do
  cache=~/.ansible/test/cache/get_pip_$ver.py
  [ -f "$cache" ] || { mkdir -p "$(dirname "$cache")"; cat >"$cache" <<'PY'
import subprocess, sys
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install", "-q"] + [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")])
PY
  }
done
# The binaries are not Python: keep them (and the module links, and the NAME.ini listing markers,
# which validate-modules would take for modules) out of the Python sanity tests.
excludes=(--exclude bin/instatus-ansible --exclude bin/instatus-bridge)
for name in $(ansible/bin/instatus-ansible --list); do
  excludes+=(--exclude "plugins/modules/$name" --exclude "plugins/modules/$name.ini")
done
check "ansible-test sanity" bash -c "cd $sanity_root && ansible-test sanity --python 3.11 ${excludes[*]}"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
