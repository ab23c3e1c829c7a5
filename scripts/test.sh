#!/usr/bin/env bash
# Runs every test of the project: Rust (unit, integration, doc, the headless-browser tests), and
# beside them the stages that drive the release binaries: the Ansible collection (playbooks
# against the emulator, ansible-doc, ansible-lint, ansible-test sanity), the release checks,
# Molecule, the bridge end to end with a real Prometheus and Alertmanager, and the probes on an
# Ephemery-like host.
#
# The release binaries are built once first (scripts/release-bins.sh); then the Rust tests run in
# the background (their log in target/test-logs/rust.log, shown when they end) while the stages
# run one after another: those spend much of their time waiting on services, so the two cores
# stay busy. Every stage runs even when one fails; the script fails if any did, and prints the
# time of each.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

# Debian packages the tests drive: chromium (page-preview and report screenshots), prometheus and
# prometheus-alertmanager (the bridge's end-to-end test, the probes, Molecule), shellcheck (the
# release workflow's scripts). Installed when missing, as CI does.
source scripts/debian-packages.sh
ensure_debian_packages chromium prometheus prometheus-alertmanager shellcheck

echo "== the release binaries (scripts/release-bins.sh), shared by every stage"
source scripts/release-bins.sh
t=$SECONDS
build_release_bins
echo "   built in $((SECONDS - t)) s"

logs=target/test-logs
rm -rf "$logs" && mkdir -p "$logs"
rust_tests() {
  # Benches are not tests: --all-targets would run them; clippy --all-targets still checks them.
  cargo test --workspace --lib --bins --tests --examples --quiet &&
    cargo test --workspace --doc --quiet &&
    # Headless Chromium: screenshots of the emulator's page preview and of every day of the
    # HTML uptime report's bars.
    cargo test -q -p instatus-emulator --test it preview_browser:: -- --ignored &&
    cargo test -q -p instatus --test it uptime_browser:: -- --ignored
}
echo "== cargo test (workspace, doc, browser) in the background: $logs/rust.log"
rust_started=$SECONDS
rust_tests >"$logs/rust.log" 2>&1 &
rust_pid=$!

failed=()
times=()
for stage in scripts/test-ansible.sh scripts/test-release.sh scripts/test-molecule.sh scripts/test-e2e.sh scripts/test-probes.sh; do
  echo "== $stage"
  t=$SECONDS
  if "$stage"; then status=ok; else status=FAIL; failed+=("$stage"); fi
  times+=("$status $stage $((SECONDS - t)) s")
done

echo "== cargo test (workspace, doc, browser)"
if wait "$rust_pid"; then status=ok; else status=FAIL; failed+=("cargo test"); fi
times+=("$status cargo test (background) $((SECONDS - rust_started)) s")
awk '/^test result/ {bins++; for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) ig += $i } }
  END { printf "%d test binaries and doc-test runs: %d passed, %d failed, %d ignored\n", bins, p, f, ig }' "$logs/rust.log"
[ "$status" = ok ] || tail -n 80 "$logs/rust.log"

echo "== summary"
printf '%s\n' "${times[@]}"
echo "all tests in $((SECONDS - started)) s"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
