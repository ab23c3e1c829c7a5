#!/usr/bin/env bash
# Runs every test of the project: Rust (unit, integration, doc), then the Ansible collection
# (playbooks against the emulator, ansible-doc, ansible-lint, ansible-test sanity), then Molecule.
# Each stage prints its own summary; the script stops at the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."

# The page-preview test drives Debian's Chromium; install it when missing (as CI does).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing chromium (Debian package) for the page-preview test"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
  else
    echo "the page-preview test needs Debian's chromium: sudo apt-get install chromium" >&2
    exit 1
  fi
fi

echo "== cargo test (workspace)"
cargo test --workspace --all-targets --quiet
cargo test --workspace --doc --quiet
echo "== cargo test preview_browser (headless Chromium screenshots of the emulator's page preview)"
cargo test -q -p instatus-emulator --test preview_browser -- --ignored

for stage in scripts/test-ansible.sh scripts/test-molecule.sh; do
  if [ -x "$stage" ]; then
    echo "== $stage"
    "$stage"
  fi
done
