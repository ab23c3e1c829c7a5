#!/usr/bin/env bash
# Runs every test of the project: Rust (unit, integration, doc), then the Ansible collection
# (playbooks against the emulator, ansible-doc, ansible-lint, ansible-test sanity), then Molecule.
# Each stage prints its own summary; the script stops at the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."

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
