#!/usr/bin/env bash
# The collection's changelog (antsibull-changelog): every change is a fragment in
# ansible/changelogs/fragments/; ansible/CHANGELOG.md is generated from them, never edited.
#
#   scripts/changelog.sh           lint the fragments, then write CHANGELOG.md as the next release
#                                  (galaxy.yml's version) will read, from a copy of the collection
#   scripts/changelog.sh --check   the same, but fail when the committed CHANGELOG.md differs (CI)
#   scripts/changelog.sh --release at release time: `antsibull-changelog release` in place (moves
#                                  the fragments into changelogs/changelog.yaml); commit, then tag
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v antsibull-changelog >/dev/null || source scripts/python-env.sh
mode=${1:-write}
version=$(sed -n 's/^version: *//p' ansible/galaxy.yml)

# antsibull-changelog lists the modules ("New Modules") with ansible-doc, which finds them through
# the module files (scripts/build-collection.sh: the links and their NAME.ini markers).
(cd ansible && antsibull-changelog lint)
if [ "$mode" = --release ]; then
  for f in ansible/plugins/modules/*.yml; do
    [ -e "${f%.yml}.ini" ] || { echo "build the collection first (scripts/build-collection.sh): ${f%.yml}.ini is missing" >&2; exit 1; }
  done
  (cd ansible && antsibull-changelog release --version "$version")
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a ansible/. "$work/"
# In the copy, an empty stand-in per module instead of the build's link and marker: the same list
# with or without a build.
for f in "$work"/plugins/modules/*.yml; do
  rm -f "${f%.yml}" "${f%.yml}.ini" && : >"${f%.yml}"
done
# The release date only goes into changelog.yaml, not into CHANGELOG.md: any date gives the same file.
(cd "$work" && antsibull-changelog release --version "$version" --date 2000-01-01 >/dev/null)
case "$mode" in
  write) cp "$work/CHANGELOG.md" ansible/CHANGELOG.md; echo "wrote ansible/CHANGELOG.md ($version)" ;;
  --check)
    if ! diff -u ansible/CHANGELOG.md "$work/CHANGELOG.md"; then
      echo "ansible/CHANGELOG.md is not what the fragments give: run scripts/changelog.sh" >&2
      exit 1
    fi
    echo "ansible/CHANGELOG.md matches the fragments ($version)" ;;
  *) echo "usage: scripts/changelog.sh [--check|--release]" >&2; exit 2 ;;
esac
