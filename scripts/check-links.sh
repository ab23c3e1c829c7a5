#!/usr/bin/env bash
# Checks that the docs cite only files in the repository and list what they claim to list:
#   1. every relative Markdown link ([text](path), in *.md) resolves to a file or directory;
#   2. every link to this repository on GitHub (.../instatus-automation/blob|tree/main/PATH)
#      names a PATH that exists;
#   3. every repository path a tracked text file names (docs/..., examples/..., scripts/...,
#      crates/..., ansible/..., molecule/..., tests/..., benchmarks/..., .github/...) exists
#      (relative to the repository, or to the directory, crate, role or collection the file is
#      in; placeholders such as NAME, *, {..}, build output git ignores, and the few paths of
#      other repositories and tools in OTHER_REPOSITORIES are skipped);
#   4. nothing cites the reference notes the project was written from, which are not in the
#      repository (instatus-api.md, shared/reference/..., "reference §N"): cite the public source
#      or state the fact;
#   5. README.md links every docs/*.md; docs/getting-started.md and ansible/README.md name every
#      module of ansible/plugins/modules/; every crate has a README.md; crates/instatus/README.md
#      (the crate's doc) names every `pub mod` of crates/instatus/src/lib.rs.
# Reads the files git tracks (and untracked ones not ignored), so it needs no build.
# Prints one line per problem, then "N problems"; exits 1 on any. Usage: scripts/check-links.sh
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 - <<'PY'
import os
import re
import subprocess
import sys

files = subprocess.run(
    ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
    check=True, capture_output=True, text=True,
).stdout.split("\n")
files = [f for f in files if f and os.path.exists(f)]
problems = []


def problem(where, what):
    problems.append(f"{where}: {what}")


def text_of(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (UnicodeDecodeError, IsADirectoryError):
        return None


def line_of(text, index):
    return text.count("\n", 0, index) + 1


# Placeholders and example paths: not citations of a file.
PLACEHOLDER = re.compile(r"NAME|[*{}<>$]|\.\.\.|…|/X\b|YYYY")
# Paths that are not this repository's files: other repositories' (the line says which) and
# output directories of tools.
OTHER_REPOSITORIES = {
    "ansible/vars/paths.yaml",  # the Ephemery repository's ports
    "molecule/os_hardening/molecule.yml",  # devsec's hardening collection
    "tests/output",  # ansible-test's output (ansible/galaxy.yml build_ignore)
}
REPO_LINK = re.compile(
    r"https://github\.com/ephemery-testnet/instatus-automation/(?:blob|tree)/main/([^\s)\"'`>#]+)")
MD_LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
TOP = r"(?:docs|examples|scripts|crates|ansible|molecule|tests|benchmarks|\.github|\.ci)"
REPO_PATH = re.compile(
    r"(?<![\w./~$-])(" + TOP + r"/[\w./-]*[\w-])(?![\w/\\])")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
# Directories a path may be relative to: each crate, the collection and its roles.
ROOTS = [f"crates/{c}" for c in sorted(os.listdir("crates"))] + ["ansible"] + [
    f"ansible/roles/{r}" for r in sorted(os.listdir("ansible/roles"))]


def ignored(paths):
    """Build output: a path git ignores (ansible/bin/..., target/...), as a file or a directory."""
    names = [n for p in paths for n in (p, p + "/")]
    found = subprocess.run(["git", "check-ignore", "--no-index", *names], capture_output=True)
    return bool(found.stdout.strip())

for path in files:
    if path.startswith(("crates/instatus/spec/", "target/")) or path.endswith((".lock", ".png", ".json.snap")):
        continue
    text = text_of(path)
    if text is None:
        continue
    here = os.path.dirname(path)
    # 1. Relative Markdown links.
    if path.endswith(".md"):
        prose = CODE.sub(lambda c: " " * len(c.group(0)), text)
        for m in MD_LINK.finditer(prose):
            target = m.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue
            file_part = target.split("#", 1)[0]
            if not file_part or PLACEHOLDER.search(file_part):
                continue
            resolved = os.path.normpath(os.path.join(here, file_part))
            if not os.path.exists(resolved):
                problem(f"{path}:{line_of(text, m.start())}", f"link to a missing file: {target}")
    # 2. Links to this repository on GitHub.
    for m in REPO_LINK.finditer(text):
        target = m.group(1).rstrip(".,;:")
        if not os.path.exists(target):
            problem(f"{path}:{line_of(text, m.start())}", f"GitHub link to a missing file: {target}")
    # 3. Repository paths named in the text.
    for m in REPO_PATH.finditer(text):
        target = m.group(1).rstrip(".")
        if PLACEHOLDER.search(text[m.start():m.end() + 1]) or target in OTHER_REPOSITORIES:
            continue
        candidates = [os.path.join(b, target) for b in ["", here] + ROOTS]
        if any(os.path.exists(c) for c in candidates):
            continue
        if not ignored([c for c in candidates if c != os.path.join(here, target)]):
            problem(f"{path}:{line_of(text, m.start())}", f"names a missing file: {target}")

# 4. Citations of documents outside the repository.
OUTSIDE = re.compile(r"instatus-api\.md|shared/reference/|reference §|reference quirk|\(reference S\d")
# A test that compares the vendored OpenAPI spec with that copy when the copy is there.
OUTSIDE_ALLOWED = {"crates/instatus/tests/it/spec_table.rs"}
for path in files:
    if path in OUTSIDE_ALLOWED or path == "scripts/check-links.sh" or path.startswith("crates/instatus/spec/"):
        continue
    text = text_of(path)
    for m in OUTSIDE.finditer(text or ""):
        problem(f"{path}:{line_of(text, m.start())}", f"cites a document outside the repository: {m.group(0)}")

# 5. Lists that must be complete.
readme = text_of("README.md")
for doc in sorted(f for f in os.listdir("docs") if f.endswith(".md")):
    if f"(docs/{doc})" not in readme:
        problem("README.md", f"the documentation list does not link docs/{doc}")
modules = sorted(f[:-4] for f in os.listdir("ansible/plugins/modules") if f.endswith(".yml"))
for listing in ["docs/getting-started.md", "ansible/README.md"]:
    text = text_of(listing)
    for module in modules:
        if not re.search(rf"`(ephemery\.instatus\.)?{module}`", text):
            problem(listing, f"does not name the module {module}")
for crate in sorted(os.listdir("crates")):
    if os.path.isdir(f"crates/{crate}") and not os.path.exists(f"crates/{crate}/README.md"):
        problem(f"crates/{crate}", "has no README.md")
lib = text_of("crates/instatus/src/lib.rs")
crate_readme = text_of("crates/instatus/README.md")
if '#![doc = include_str!("../README.md")]' not in lib:
    problem("crates/instatus/src/lib.rs", "does not include README.md as the crate doc")
for module in re.findall(r"^pub mod (\w+);", lib, re.M):
    if not re.search(rf"^- \[?`{module}`", crate_readme, re.M):
        problem("crates/instatus/README.md", f"does not describe `pub mod {module}` (a '- `{module}`' line)")

for p in problems:
    print(p)
print(f"{len(problems)} problems")
sys.exit(1 if problems else 0)
PY
