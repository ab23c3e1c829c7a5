#!/usr/bin/env bash
# Helpers to run the emulator in the background from other scripts.
# Usage: source scripts/emulator.sh; emulator_start [extra flags...]; ...; emulator_stop
# Sets EMULATOR_URL and EMULATOR_API_KEY. Binds 127.0.0.1 on a free port.

EMULATOR_API_KEY=${EMULATOR_API_KEY:-emulator-api-key-0000000000000000}

emulator_start() {
  local root bin log
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  source "$root/scripts/release-bins.sh" || return 1
  bin="$RELEASE_DIR/instatus-emulator"
  if [ ! -x "$bin" ] || [ -n "${EMULATOR_REBUILD:-}" ]; then
    build_release_bins || return 1
  fi
  log=$(mktemp)
  "$bin" --port 0 --api-key "$EMULATOR_API_KEY" "$@" >"$log" 2>&1 &
  EMULATOR_PID=$!
  for _ in $(seq 1 100); do
    EMULATOR_URL=$(sed -n 's/^instatus-emulator listening on \(http[^ ]*\).*/\1/p' "$log" | head -n 1)
    [ -n "$EMULATOR_URL" ] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.05
  done
  [ -n "$EMULATOR_URL" ] || { echo "the emulator did not start" >&2; cat "$log" >&2; return 1; }
  export EMULATOR_URL EMULATOR_API_KEY EMULATOR_PID
}

emulator_stop() {
  if [ -n "${EMULATOR_PID:-}" ]; then
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=
  fi
}
