#!/usr/bin/env bash
# The counted checks of the end-to-end scripts (test-e2e.sh, test-probes.sh).
# Usage: source scripts/checks.sh; expect NAME CMD...; ...; finish
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
# expect NAME CONDITION-CMD...: one check.
expect() {
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
# finish: prints "N passed, M failed" and exits non-zero on any failure.
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}
