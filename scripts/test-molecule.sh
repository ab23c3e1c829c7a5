#!/usr/bin/env bash
# Runs the Molecule scenarios in molecule/ against the emulator: each scenario's prepare starts
# its own emulator on 127.0.0.1 and cleanup stops it. Needs the release emulator binary and the
# collection installed into target/collections (both done here).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh

# The release binaries (the emulator, the bridge the status_sync scenario installs) and the collection.
scripts/build-collection.sh --install >/dev/null

passed=0
failed=0
# The scenarios, examples and benchmarks are playbooks users read: lint them like the collection.
if ansible-lint molecule examples benchmarks; then
  passed=$((passed + 1)); echo "ok   ansible-lint (production) on molecule/ examples/ benchmarks/"
else
  failed=$((failed + 1)); echo "FAIL ansible-lint (production) on molecule/ examples/ benchmarks/"
fi
for scenario in molecule/*/molecule.yml; do
  name=$(basename "$(dirname "$scenario")")
  if molecule test -s "$name"; then
    passed=$((passed + 1)); echo "ok   molecule scenario $name"
  else
    failed=$((failed + 1)); echo "FAIL molecule scenario $name"
    molecule cleanup -s "$name" >/dev/null 2>&1 || true
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
