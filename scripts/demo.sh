#!/usr/bin/env bash
# The main job on the embedded default: start the local Instatus emulator, build the Ephemery
# component tree on its page through the library, and print the result. Runs twice to show that
# the second run finds everything in place and creates nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/emulator.sh

echo "== building (first run takes a minute)"
cargo build --quiet --release -p instatus-emulator --bin instatus-emulator -p instatus --example ephemery_tree
trap emulator_stop EXIT
emulator_start --page "ephemery=Ephemery Testnet Status"
echo "== emulator at $EMULATOR_URL"

export INSTATUS_BASE_URL=$EMULATOR_URL INSTATUS_API_KEY=$EMULATOR_API_KEY INSTATUS_PAGE=ephemery
echo "== first run"
target/release/examples/ephemery_tree
echo
echo "== second run (nothing to create)"
target/release/examples/ephemery_tree
