#!/usr/bin/env bash
# Builds the ephemery.instatus collection: the release module binary, copied into
# ansible/plugins/modules/ under every module name, then the tarball in target/collection/.
# Prints the tarball's path on the last line. Install it with:
#   ansible-galaxy collection install target/collection/ephemery-instatus-*.tar.gz -p DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v ansible-galaxy >/dev/null || source scripts/python-env.sh

cargo build --quiet --release -p instatus-ansible --bin instatus-ansible
bin=target/release/instatus-ansible
modules=$("$bin" --list)
dest=ansible/plugins/modules
# Drop binaries of modules that no longer exist (everything but the sidecar docs is generated).
for f in "$dest"/*; do
  case "$f" in *.yml) continue ;; esac
  [ -f "$f" ] || continue
  grep -qx "$(basename "$f")" <<<"$modules" || rm -f "$f"
done
for name in $modules; do
  [ -f "$dest/$name.yml" ] || { echo "missing sidecar docs $dest/$name.yml" >&2; exit 1; }
  install -m 0755 "$bin" "$dest/$name"
done

mkdir -p target/collection
ansible-galaxy collection build ansible --output-path target/collection --force >/dev/null
version=$(sed -n 's/^version: *//p' ansible/galaxy.yml)
echo "target/collection/ephemery-instatus-$version.tar.gz"
