#!/usr/bin/env bash
# Installs the Debian packages the caller needs when they are missing: with apt-get when running
# as root (as CI and a fresh machine do), otherwise it prints the exact command to run and fails.
# Usage: source scripts/debian-packages.sh; ensure_debian_packages chromium prometheus
ensure_debian_packages() {
  local p missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Debian's ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "this needs Debian's ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
}
