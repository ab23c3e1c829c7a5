#!/usr/bin/env bash
# Builds the ephemery.instatus collection: the release module binary once, as ansible/bin/instatus-ansible
# (and instatus-bridge as ansible/bin/instatus-bridge, for the status_sync role),
# one relative symlink to it per module name in ansible/plugins/modules/ (with a small NAME.ini
# listing marker beside each, see below), then the tarball and its SHA-256 checksum in
# target/collection/. `ansible-galaxy collection build` keeps a symlink that points inside the
# collection as a symlink and `collection install` recreates it, so the binary is shipped once;
# Ansible reads the module through the symlink and sends the name the task used
# (`_ansible_module_name`), which is how the binary knows which module to run.
#
# The NAME.ini markers make `ansible-doc -l ephemery.instatus` list the modules. ansible-core's
# listing (plugins/list.py in the ansible package) skips symlinks, taking them for aliases, and a
# real copy of the binary fails its UTF-8 read ("documentation formatting error"). It does list a
# NAME.ini and shows the docs of NAME.yml beside it, while the module loader never runs a .ini
# file (MODULE_IGNORE_EXTS) and always takes the exact name NAME first; scripts/test-ansible.sh
# checks both: the listing and the modules running.
#
# The shipped binaries are linked against glibc 2.31 (cargo-zigbuild with zig as the linker,
# target x86_64-unknown-linux-gnu.2.31), so they run on Ubuntu 20.04 and every newer Linux, as
# the Ephemery hosts need; scripts/test-release.sh checks their GLIBC symbol versions.
#
# Usage: scripts/build-collection.sh [--install]
#   --install  also installs the tarball into target/collections ($ANSIBLE_COLLECTIONS_PATH of
#              scripts/python-env.sh), offline, replacing what is there: what the demo, the
#              benches, the Ansible tests and Molecule use.
# Prints the tarball's path on the last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
install=false
for arg in "$@"; do
  case "$arg" in
    --install) install=true ;;
    *) echo "usage: scripts/build-collection.sh [--install]" >&2; exit 2 ;;
  esac
done
# The pinned tools (cargo-zigbuild, ziglang, ansible-galaxy), ANSIBLE_COLLECTIONS_PATH and the
# one release build every script shares.
source scripts/release-bins.sh
build_release_bins
out=$RELEASE_DIR
modules=$("$out/instatus-ansible" --list)
dest=ansible/plugins/modules
mkdir -p ansible/bin
install -m 0755 "$out/instatus-ansible" ansible/bin/instatus-ansible
# The status_sync role installs this one on the monitoring host (status_sync_binary_src).
install -m 0755 "$out/instatus-bridge" ansible/bin/instatus-bridge
# Drop the links and markers of modules that no longer exist (everything but the sidecar docs is
# generated), and the full copies older builds made.
for f in "$dest"/*; do
  [ -f "$f" ] || [ -L "$f" ] || continue
  base=$(basename "$f")
  case "$base" in
    *.yml) ;;
    *.ini) grep -qx "${base%.ini}" <<<"$modules" || rm -f "$f" ;;
    *) if [ ! -L "$f" ] || ! grep -qx "$base" <<<"$modules"; then rm -f "$f"; fi ;;
  esac
done
for name in $modules; do
  [ -f "$dest/$name.yml" ] || { echo "missing sidecar docs $dest/$name.yml" >&2; exit 1; }
  ln -sfn ../../bin/instatus-ansible "$dest/$name"
  cat >"$dest/$name.ini" <<EOF
; ephemery.instatus.$name runs $name, a link to ../../bin/instatus-ansible; its docs are $name.yml.
; ansible-doc -l skips linked modules and lists this file instead; Ansible never runs a .ini file.
EOF
done

mkdir -p target/collection
ansible-galaxy collection build ansible --output-path target/collection --force >/dev/null
version=$(sed -n 's/^version: *//p' ansible/galaxy.yml)
tarball=target/collection/ephemery-instatus-$version.tar.gz
(cd target/collection && sha256sum "$(basename "$tarball")" >"$(basename "$tarball").sha256")
if $install; then
  ansible-galaxy collection install "$tarball" -p "$ANSIBLE_COLLECTIONS_PATH" --force --offline >/dev/null
fi
echo "$tarball"
