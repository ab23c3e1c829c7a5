#!/usr/bin/env bash
# The main job on the embedded default: builds what it needs, starts the local Instatus emulator,
# applies the Ephemery status page with ansible-playbook (--diff shows every change), applies it
# again (no change, 2 requests), and prints where to open the rendered preview of the page.
# In a terminal the emulator keeps running until Ctrl-C; otherwise it stops at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh
source scripts/emulator.sh

echo "== building the emulator and the ephemery.instatus collection (the first run takes a few minutes)"
cargo build --quiet --release -p instatus-emulator --bin instatus-emulator
tarball=$(scripts/build-collection.sh | tail -n 1)
ansible-galaxy collection install "$tarball" -p "$ANSIBLE_COLLECTIONS_PATH" --force --offline >/dev/null

mkdir -p target/demo
trap emulator_stop EXIT
emulator_start --page "ephemery=Ephemery" --state target/demo/emulator-state.json
export INSTATUS_BASE_URL=$EMULATOR_URL INSTATUS_API_KEY=$EMULATOR_API_KEY INSTATUS_PAGE=ephemery
echo "== emulator at $EMULATOR_URL"

echo "== apply the Ephemery page"
ansible-playbook -i examples/inventory.yml examples/ephemery-status-page.yml --diff

echo "== apply again: nothing to change"
ansible-playbook -i examples/inventory.yml examples/ephemery-status-page.yml

echo
echo "The page as Instatus would show it: $EMULATOR_URL/_emulator/preview/ephemery"
echo "Its public summary:                $EMULATOR_URL/summary.json"
if [ -t 0 ] && [ -t 1 ]; then
  echo "The emulator keeps running; press Ctrl-C to stop it (its state is saved to target/demo/)."
  wait "$EMULATOR_PID" || true
fi
