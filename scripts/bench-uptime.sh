#!/usr/bin/env bash
# Benchmarks instatus::uptime in release mode (crates/instatus/benches/uptime.rs says what is
# timed): a year of history for 100 components in 10 groups with 10,000 and with 100,000
# incidents, median of several runs (min in brackets), then each 10,000-incident figure next to
# the target of issue 11 (<= 20 ms) and the growth to 10x the incidents. The machine's load is
# printed first and last: on a shared machine the figures are upper bounds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2} cargo bench --quiet -p instatus --bench uptime --no-run
echo "load before: $(uptime)"
echo "commit: $(git rev-parse --short HEAD)"
out=$(cargo bench --quiet -p instatus --bench uptime)
echo "$out"
echo "load after:  $(uptime)"
# "  10000 incidents: <what>   <median> ms (<min>)" -> per what: the median at 10k, at 100k.
echo "$out" | awk '
  / incidents: / {
    n = $1; sub(/^ *[0-9]+ incidents: /, ""); line = $0
    match(line, /[0-9.]+ ms/); med = substr(line, RSTART, RLENGTH - 3) + 0
    what = substr(line, 1, RSTART - 1); sub(/ +$/, "", what)
    if (n == 10000) { order[++k] = what; small[what] = med } else { big[what] = med }
  }
  END {
    for (i = 1; i <= k; i++) {
      w = order[i]
      printf "%-48s 10k: %8.2f ms (target <= 20 ms: %s)   100k: %8.2f ms (x%.1f)\n",
        w, small[w], (small[w] <= 20 ? "met" : "NOT met"), big[w], (small[w] > 0 ? big[w] / small[w] : 0)
    }
  }'
