#!/usr/bin/env bash
# Builds the ephemery.instatus collection: the release module binary once, as ansible/bin/instatus-ansible
# (and instatus-bridge as ansible/bin/instatus-bridge, for the status_sync role),
# one relative symlink to it per module name in ansible/plugins/modules/, then the tarball in
# target/collection/. `ansible-galaxy collection build` keeps a symlink that points inside the
# collection as a symlink and `collection install` recreates it, so the binary is shipped once;
# Ansible reads the module through the symlink and sends the name the task used
# (`_ansible_module_name`), which is how the binary knows which module to run.
# Prints the tarball's path on the last line. Install it with:
#   ansible-galaxy collection install target/collection/ephemery-instatus-*.tar.gz -p DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v ansible-galaxy >/dev/null || source scripts/python-env.sh

cargo build --quiet --release -p instatus-ansible --bin instatus-ansible -p instatus-bridge --bin instatus-bridge
bin=target/release/instatus-ansible
modules=$("$bin" --list)
dest=ansible/plugins/modules
mkdir -p ansible/bin
install -m 0755 "$bin" ansible/bin/instatus-ansible
# The status_sync role installs this one on the monitoring host (status_sync_binary_src).
install -m 0755 target/release/instatus-bridge ansible/bin/instatus-bridge
# Drop binaries and links of modules that no longer exist (everything but the sidecar docs is
# generated), and the full copies older builds made.
for f in "$dest"/*; do
  case "$f" in *.yml) continue ;; esac
  [ -f "$f" ] || [ -L "$f" ] || continue
  if [ ! -L "$f" ] || ! grep -qx "$(basename "$f")" <<<"$modules"; then rm -f "$f"; fi
done
for name in $modules; do
  [ -f "$dest/$name.yml" ] || { echo "missing sidecar docs $dest/$name.yml" >&2; exit 1; }
  ln -sfn ../../bin/instatus-ansible "$dest/$name"
done

mkdir -p target/collection
ansible-galaxy collection build ansible --output-path target/collection --force >/dev/null
version=$(sed -n 's/^version: *//p' ansible/galaxy.yml)
echo "target/collection/ephemery-instatus-$version.tar.gz"
