#!/usr/bin/env bash
# Benchmarks instatus-bridge against instatus-emulator on loopback, in release mode, and prints
# each figure next to its target (crates/instatus-bridge/benches/bridge.rs says how each is
# measured): webhook -> Instatus write latency added (p50/p99, target p99 <= 2 ms) next to the
# emulator's own write time, duplicate webhook intake per second (target >= 5000/s, 0 writes),
# resident memory while serving (target <= 15 MB), and `once` start to exit without the network
# (target <= 20 ms). The machine's load is printed first: on a shared machine the figures are
# upper bounds. BENCH_PART=alerts prints instead the memory of `serve` with 0, 10,000 and
# 100,000 alerts in one webhook (VmRSS, peak, state.json size, KB per alert).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2} cargo bench --quiet -p instatus-bridge --bench bridge
