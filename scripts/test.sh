#!/usr/bin/env bash
# Runs every test of the project: Rust (unit, integration, doc), then the Ansible collection
# (playbooks against the emulator, ansible-doc, ansible-lint, ansible-test sanity), then Molecule.
# Each stage prints its own summary; the script stops at the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive: chromium (page-preview and report screenshots), prometheus and
# prometheus-alertmanager (the bridge's end-to-end test). Installed when missing, as CI does.
packages=(chromium prometheus prometheus-alertmanager)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing ${missing[*]} (Debian packages) for the tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "the tests need Debian's ${missing[*]}: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "== cargo test (workspace)"
cargo test --workspace --all-targets --quiet
cargo test --workspace --doc --quiet
echo "== cargo test preview_browser (headless Chromium screenshots of the emulator's page preview)"
cargo test -q -p instatus-emulator --test preview_browser -- --ignored

for stage in scripts/test-ansible.sh scripts/test-molecule.sh scripts/test-e2e.sh; do
  if [ -x "$stage" ]; then
    echo "== $stage"
    "$stage"
  fi
done
