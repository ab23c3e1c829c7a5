#!/usr/bin/env bash
# Runs every test of the project: Rust (unit, integration, doc), then the Ansible collection
# (playbooks against the emulator, ansible-doc, ansible-lint, ansible-test sanity), then Molecule.
# Each stage prints its own summary; the script stops at the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive: chromium (page-preview and report screenshots), prometheus and
# prometheus-alertmanager (the bridge's end-to-end test). Installed when missing, as CI does.
source scripts/debian-packages.sh
ensure_debian_packages chromium prometheus prometheus-alertmanager

echo "== cargo test (workspace)"
cargo test --workspace --all-targets --quiet
cargo test --workspace --doc --quiet
echo "== cargo test preview_browser (headless Chromium screenshots of the emulator's page preview)"
cargo test -q -p instatus-emulator --test preview_browser -- --ignored
echo "== cargo test uptime_browser (headless Chromium: every day of the HTML uptime report's bars)"
cargo test -q -p instatus --test uptime_browser -- --ignored

for stage in scripts/test-ansible.sh scripts/test-release.sh scripts/test-molecule.sh scripts/test-e2e.sh scripts/test-probes.sh; do
  if [ -x "$stage" ]; then
    echo "== $stage"
    "$stage"
  fi
done
