#!/usr/bin/env bash
# Benchmarks `instatus-bridge page apply` (docs/page-cli.md) side by side with the status_page
# role, in one run, against instatus-emulator on 127.0.0.1: the no-op apply of the Ephemery page
# (examples/ephemery-page.yaml natively, examples/ephemery-status-page.yaml through
# ansible-playbook), with the floors (the two GETs of a no-op with curl, an empty play). Prints
# the median, min and max of ROUNDS runs (default 11) and the request counts; exits 1 when the
# native no-op misses its target (<= 50 ms and 2 requests). It first checks that the two
# declarations are the same page (each a no-op where the other applied).
# Release builds: the one release build every script shares (scripts/release-bins.sh: the
# instatus-bridge the collection ships, the emulator), the collection installed from them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/release-bins.sh
scripts/build-collection.sh --install >/dev/null
python3 benchmarks/page_bench.py --bridge "$RELEASE_DIR/instatus-bridge" \
  --emulator "$RELEASE_DIR/instatus-emulator" --rounds "${ROUNDS:-11}"
