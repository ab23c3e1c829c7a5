#!/usr/bin/env bash
# The one release build of the project's binaries, shared by every script (the collection, the
# Ansible tests, Molecule, the end-to-end and probe tests, the demo, the benchmarks): cargo-zigbuild
# links them against glibc 2.31 as the collection ships them, and the command is always the same,
# so cargo builds once and every later call is a no-op (a different package set would unify other
# features and rebuild).
# Usage: source scripts/release-bins.sh; build_release_bins || exit 1; "$RELEASE_DIR/instatus-bridge" ...
# Sourced: sets no shell options; sources scripts/python-env.sh (cargo-zigbuild and zig are pinned there).
_rb_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$_rb_root/scripts/python-env.sh" || return 1
# The glibc version is a suffix of the target only for the linker; cargo's output directory is
# target/x86_64-unknown-linux-gnu/release.
RELEASE_TARGET=x86_64-unknown-linux-gnu
RELEASE_DIR=$_rb_root/target/$RELEASE_TARGET/release
export RELEASE_DIR
unset _rb_root

build_release_bins() {
  cargo zigbuild --quiet --release --target "$RELEASE_TARGET.2.31" \
    -p instatus-ansible --bin instatus-ansible -p instatus-bridge --bin instatus-bridge \
    -p instatus-emulator --bin instatus-emulator
}

# build_bins PROFILE: the release build, or (debug) a quicker debug build of the bridge and the
# emulator while developing; prints the directory that holds them.
build_bins() {
  if [ "$1" = release ]; then
    build_release_bins >&2 && echo "$RELEASE_DIR"
  else
    cargo build --quiet -p instatus-emulator -p instatus-bridge >&2 && echo "${RELEASE_DIR%/"$RELEASE_TARGET"/release}/debug"
  fi
}
