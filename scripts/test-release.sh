#!/usr/bin/env bash
# Tests what a release ships and what an Ephemery repository pins: the binaries' glibc, the units'
# systemd directives, the bridge's monitoring mixin, the changelog, the execution environment,
# the release workflow, installing the collection from a URL on a fresh clone, and the docs'
# plays with only the INSTATUS_* variables set. Each check is fast (a few seconds); the build is
# scripts/build-collection.sh's, shared with the other stages.
# Prints "N passed, M failed" last; exits non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/python-env.sh
set +e  # every check here is counted, not fatal
# promtool (Debian's prometheus) checks the mixin; actionlint runs shellcheck on the workflow's scripts.
source scripts/debian-packages.sh
ensure_debian_packages prometheus shellcheck || exit 1

out=target/test-release
rm -rf "$out" && mkdir -p "$out"
passed=0
failed=0
step=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 40 "$2" | sed 's/^/     /'; }
# check NAME CMD...: runs CMD with its output in a log ($last_log); one check, timed.
check() {
  local name=$1 started
  shift
  step=$((step + 1))
  last_log="$out/$(printf '%02d' "$step")-$(tr -c 'a-zA-Z0-9\n' '-' <<<"$name" | head -c 60).log"
  started=$(date +%s%N)
  if "$@" >"$last_log" 2>&1; then
    local tenths=$((($(date +%s%N) - started) / 100000000))
    pass "$name ($((tenths / 10)).$((tenths % 10)) s)"
  else
    fail "$name" "$last_log"
  fi
}

echo "== the collection as a release ships it"
check "build the collection (glibc 2.31 binaries) and install it" scripts/build-collection.sh --install
tarball=$(tail -n 1 "$last_log")
[ -f "$tarball.sha256" ] && (cd "$(dirname "$tarball")" && sha256sum -c --quiet "$(basename "$tarball").sha256") \
  && pass "the tarball's .sha256 checks" || fail "the tarball's .sha256 checks"

# The highest GLIBC_x.y symbol version each shipped binary needs, read from the tarball's copy.
unpacked=$out/unpacked
mkdir -p "$unpacked" && tar xzf "$tarball" -C "$unpacked" bin/instatus-ansible bin/instatus-bridge
for bin in instatus-ansible instatus-bridge; do
  need=$(objdump -T "$unpacked/bin/$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n 1)
  if [ -n "$need" ] && [ "$(printf '%s\n2.31\n' "$need" | sort -V | tail -n 1)" = 2.31 ]; then
    pass "bin/$bin needs glibc $need at most (Ubuntu 20.04 has 2.31)"
  else
    fail "bin/$bin needs glibc ${need:-?}, newer than 2.31"
  fi
done

echo "== the status_sync units load on systemd 245"
host_systemd=$(systemctl --version | awk 'NR == 1 {print $2}')
for version in 245 "$host_systemd"; do
  units=$out/units-$version
  mkdir -p "$units"
  check "render the units for systemd $version" ansible-playbook tests/release/render_units.yml \
    -e render_dir="$root/$units" -e status_sync_systemd_version="$version" \
    -e status_sync_binary_path="$root/ansible/bin/instatus-bridge"
  check "every directive of the units rendered for systemd $version is in systemd $version" \
    python3 tests/release/check_units.py "$version" "$units"/*.service "$units"/*.timer
done
if [ "$host_systemd" -ge 247 ]; then
  grep -q '^ProtectProc=invisible' "$out/units-$host_systemd/instatus-bridge.service" \
    && ! grep -q '^ProtectProc=' "$out/units-245/instatus-bridge.service" \
    && pass "ProtectProc= is kept for systemd $host_systemd and left out for 245" \
    || fail "ProtectProc= is kept for systemd $host_systemd and left out for 245"
fi

echo "== the bridge's monitoring mixin"
rules=ansible/roles/status_sync/files/instatus-bridge.rules.yml
dashboard=ansible/roles/status_sync/files/instatus-bridge.dashboard.json
check "promtool check rules $rules" promtool check rules "$rules"
check "promtool test rules tests/mixin/instatus-bridge.rules.test.yml" promtool test rules tests/mixin/instatus-bridge.rules.test.yml
# The dashboard's queries, with Grafana's variables filled in, as recording rules promtool parses.
python3 - "$dashboard" >"$out/dashboard-rules.yml" <<'PY'
import json, sys
exprs = [t["expr"] for p in json.load(open(sys.argv[1]))["panels"] for t in p["targets"]]
fill = {"$__rate_interval": "5m", "$job": "instatus-bridge", "$instance": ".*"}
rules = []
for i, e in enumerate(exprs):
    for k, v in fill.items():
        e = e.replace(k, v)
    rules.append({"record": f"dashboard:query{i}", "expr": e})
print(json.dumps({"groups": [{"name": "dashboard", "rules": rules}]}))
PY
check "promtool parses every query of the dashboard" promtool check rules "$out/dashboard-rules.yml"
check "every instatus_bridge_* metric of the rules and dashboard is one the bridge registers" python3 - "$rules" "$dashboard" <<'PY'
import re, sys
src = open("crates/instatus-bridge/src/telemetry.rs").read()
registered = {"instatus_bridge_" + n for n in re.findall(r'registry\.register\(\s*"([a-z_]+)"', src)}
assert registered, "no metric found in telemetry.rs"
used = set()
for f in sys.argv[1:]:
    used |= set(re.findall(r"instatus_bridge_[a-z_]+", open(f).read()))
unknown = sorted(u for u in used if re.sub(r"_(total|bucket|sum|count)$", "", u) not in registered)
print(f"{len(used)} names used, {len(registered)} registered")
assert not unknown, f"not registered by the bridge: {unknown}"
PY

echo "== changelog, collection metadata, execution environment, release workflow"
check "antsibull-changelog lint, and CHANGELOG.md is generated from the fragments" scripts/changelog.sh --check
ee=$out/ee-context
check "ansible-builder create (execution-environment.yml) writes a build context" \
  ansible-builder create -f ansible/execution-environment.yml -c "$ee" --output-filename Containerfile
version=$(sed -n 's/^version: *//p' ansible/galaxy.yml)
release_asset="/releases/download/v$version/ephemery-instatus-$version.tar.gz"
[ -f "$ee/Containerfile" ] && grep -q 'ansible-galaxy collection install' "$ee/Containerfile" \
  && grep -qF "$release_asset" "$ee/_build/requirements.yml" \
  && pass "the build context installs the release of galaxy.yml's version ($version)" \
  || fail "the build context installs the release of galaxy.yml's version ($version)" "$ee/_build/requirements.yml"
grep -qF "$release_asset" docs/getting-started.md \
  && pass "docs/getting-started.md's requirements entry is the release of galaxy.yml's version" \
  || fail "docs/getting-started.md's requirements entry is the release of galaxy.yml's version ($release_asset)"
check "actionlint .github/workflows/*.yml" actionlint .github/workflows/*.yml

echo "== a fresh clone installs the collection from its release URL"
clone=$out/fresh-clone
mkdir -p "$clone"
# The docs' requirements entry, its URL replaced by the tarball's file:// URL.
sed -n '/^<!-- requirements:/,/^```$/p' docs/getting-started.md | sed '1,2d;$d' \
  | sed "s#name: https://.*/ephemery-instatus-.*\.tar\.gz#name: file://$root/$tarball#" >"$clone/requirements.yaml"
grep -q "file://$root/$tarball" "$clone/requirements.yaml" \
  || fail "docs/getting-started.md has the requirements entry" "$clone/requirements.yaml"
check "ansible-galaxy collection install -r requirements.yaml -p collections (file:// URL)" \
  env -u ANSIBLE_COLLECTIONS_PATH bash -c "cd '$clone' && ansible-galaxy collection install -r requirements.yaml -p collections"
installed=$root/$clone/collections/ansible_collections/ephemery/instatus
check "the installed collection's roles document themselves and its binaries run" bash -c "
  cd '$clone' && ANSIBLE_COLLECTIONS_PATH=collections ansible-doc -t role ephemery.instatus.status_sync | grep -q status_sync_systemd_version &&
  '$installed/bin/instatus-ansible' --list | grep -qx page_spec && '$installed/bin/instatus-bridge' --version"

echo "== the docs' plays with only INSTATUS_API_KEY, INSTATUS_BASE_URL and INSTATUS_PAGE, in a network namespace"
log=$out/docs-plays.log
unshare -n env -u INSTATUS_API_KEY -u INSTATUS_BASE_URL -u INSTATUS_PAGE bash tests/release/docs_plays.sh >"$log" 2>&1
grep -E '^(ok|FAIL) ' "$log"
n_ok=$(grep -c '^ok ' "$log" || true)
n_fail=$(grep -c '^FAIL ' "$log" || true)
passed=$((passed + n_ok))
failed=$((failed + n_fail))
tail -n 1 "$log" | grep -q ' passed, 0 failed$' || { [ "$n_fail" -gt 0 ] || fail "tests/release/docs_plays.sh ran to the end" "$log"; }

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
