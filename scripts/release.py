#!/usr/bin/env python3
"""Write a release's pins (image digest, action SHA, pre-commit rev) into the repository, as two commits.

Why two commits: users pin the action by the commit that carries the image digest, and a commit cannot name
its own SHA. So the *release commit* sets action.yml's default `checker-image` and names the releasing
repository in checker/docs_links.py (the one place it is written: SARIF help links and the docs site follow it),
and the *pins commit* on top of it points the templates, the docs and the pre-commit snippet at the release
commit (`OWNER/ideogram-prod@<sha> # vX.Y.Z`). The release workflow then moves the tags `vX.Y.Z` and `vMAJOR`
to the release commit and pushes the pins commit to a branch for review.

`--stamp` writes only the repository into checker/docs_links.py, in the work tree and without committing: the
release workflow runs it before it builds the image and the wheel, so they carry what the release commit does.

`--dry-run` does all of it in a throwaway git worktree and prints the same report: the checkout, its branch and
its tags are left exactly as they were. Standard library only, so it runs before anything is installed.

Exit codes: 0 done; 2 bad input or a repository that is not ready to release (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

PROG = "release"
NAME = "ideogram-prod"
VERSION = re.compile(r"^(?P<major>0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
# `uses: org/ideogram-prod@<40 hex> # v1.2.3 (any comment)`: the owner and the comment are both rewritten.
ACTION_PIN = re.compile(r"(?P<lead>uses: )[\w.-]+/ideogram-prod@[0-9a-f]{40}(?P<comment> #[^\n]*)?")
# A pre-commit snippet: `repo: https://github.com/OWNER/ideogram-prod` and, on a later line, `rev: ...`.
PRECOMMIT = re.compile(r"(?P<lead>repo: )https://github\.com/[\w.-]+/ideogram-prod(?P<mid>\s*\n\s*rev: )[^\s#]+")
IMAGE_REF = re.compile(r"ghcr\.io/[\w.-]+/ideogram-prod@sha256:[0-9a-f]{64}")
CHECKER_IMAGE = re.compile(r"(?P<lead>\n  checker-image:\n(?:    [^\n]*\n)*?    default: )[^\n]*")
INIT_VERSION = re.compile(r'^__version__ = "(?P<v>[^"]+)"$', re.M)
DOCS_LINKS = "checker/docs_links.py"
DOCS_REPOSITORY = re.compile(r'^(?P<lead>REPOSITORY = ")(?P<r>[^"]+)"$', re.M)
DOCS_PLACEHOLDER = re.compile(r'^PLACEHOLDER = "(?P<r>[^"]+)"$', re.M)


class ReleaseError(Exception):
    """Bad input or a repository that is not ready: reported as one line, exit 2."""


@dataclass(frozen=True, slots=True)
class Rewrite:
    """One pin changed in one file: enough for a reviewer (and the test) to check each by hand."""

    commit: str  # "release" or "pins"
    path: str
    line: int
    kind: str  # checker-image | repository | action-pin | pre-commit | image-ref
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Plan:
    version: str
    repository: str
    image: str  # ghcr.io/owner/ideogram-prod@sha256:...
    tag: str
    major_tag: str


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout.strip()


def make_plan(version: str, repository: str, digest: str) -> Plan:
    """Raises ReleaseError when an input is malformed: these values end up in files users copy."""
    match = VERSION.match(version)
    if match is None:
        raise ReleaseError(f"--version: {version!r} is not X.Y.Z")
    if not REPOSITORY.match(repository):
        raise ReleaseError(f"--repository: {repository!r} is not OWNER/NAME")
    if not DIGEST.match(digest):
        raise ReleaseError("--image-digest: must be sha256:<64 lowercase hex>")
    # NOTE: GHCR image names must be lowercase, while GitHub owners may not be.
    image = f"ghcr.io/{repository.lower()}@{digest}"
    return Plan(version, repository, image, f"v{version}", f"v{match.group('major')}")


def check_ready(root: Path, plan: Plan) -> None:
    """The tag must match what is released: the package version and a changelog entry; the repository must be
    a real one, not the placeholder of an unreleased tree."""
    init = (root / "checker/__init__.py").read_text(encoding="utf-8")
    found = INIT_VERSION.search(init)
    if found is None or found.group("v") != plan.version:
        have = found.group("v") if found else "none"
        raise ReleaseError(f"checker/__init__.py: __version__ is {have}, the release is {plan.version}")
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    if not re.search(rf"^## \[{re.escape(plan.version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M):
        raise ReleaseError(f"CHANGELOG.md: no '## [{plan.version}] - YYYY-MM-DD' section")
    links = (root / DOCS_LINKS).read_text(encoding="utf-8")
    placeholder = DOCS_PLACEHOLDER.search(links)
    if DOCS_REPOSITORY.search(links) is None or placeholder is None:
        raise ReleaseError(f'{DOCS_LINKS}: no `REPOSITORY = "..."` or `PLACEHOLDER = "..."` line')
    if plan.repository.lower() == placeholder.group("r").lower():
        raise ReleaseError(f"--repository: {plan.repository} is the placeholder, not a repository")
    if git(root, "status", "--porcelain", "--untracked-files=no"):
        raise ReleaseError(f"{root}: the work tree has uncommitted changes")


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def substitute(text: str, pattern: re.Pattern[str], build: str) -> Iterator[tuple[int, str, str]]:
    """Yield (offset, old, new) of every match; `build` is a format string over the match's groups."""
    for m in pattern.finditer(text):
        groups = {k: v or "" for k, v in m.groupdict().items()}
        new = build.format(**groups)
        if new != m.group(0):
            yield m.start(), m.group(0), new


def describe(text: str, offset: int, old: str, new: str) -> tuple[int, str, str]:
    """The first changed line number and the whole changed lines, before and after (unchanged lines left out)."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset + len(old))
    end = len(text) if end < 0 else end
    old_lines = text[start:end].split("\n")
    new_lines = (text[start:offset] + new + text[offset + len(old):end]).split("\n")
    k = 0
    while k < min(len(old_lines), len(new_lines)) - 1 and old_lines[k] == new_lines[k]:
        k += 1
    return line_of(text, start) + k, "\n".join(old_lines[k:]), "\n".join(new_lines[k:])


def apply(root: Path, path: str, edits: list[tuple[int, str, str]], commit: str, kind: str) -> list[Rewrite]:
    """Apply non-overlapping edits to one file, last first so offsets stay valid."""
    file = root / path
    text = file.read_text(encoding="utf-8")
    done = []
    for off, old, new in edits:
        line, before, after = describe(text, off, old, new)
        done.append(Rewrite(commit, path, line, kind, before, after))
    for off, old, new in sorted(edits, reverse=True):
        text = text[:off] + new + text[off + len(old):]
    file.write_text(text, encoding="utf-8")
    return done


def stamp(root: Path, plan: Plan) -> list[Rewrite]:
    """checker/docs_links.py names the releasing repository (nothing when it already does)."""
    text = (root / DOCS_LINKS).read_text(encoding="utf-8")
    edits = list(substitute(text, DOCS_REPOSITORY, "{lead}" + plan.repository + '"'))
    return apply(root, DOCS_LINKS, edits, "release", "repository") if edits else []


def release_commit(root: Path, plan: Plan) -> list[Rewrite]:
    """action.yml's default checker-image becomes the image just pushed; the docs links name the repository."""
    text = (root / "action.yml").read_text(encoding="utf-8")
    if CHECKER_IMAGE.search(text) is None:
        raise ReleaseError("action.yml: no `checker-image` input with a `default:`")
    edits = list(substitute(text, CHECKER_IMAGE, "{lead}" + plan.image))
    if not edits:
        raise ReleaseError(f"action.yml: checker-image is already {plan.image}")
    return apply(root, "action.yml", edits, "release", "checker-image") + stamp(root, plan)


def pinned_files(root: Path) -> list[str]:
    """Every tracked file a user copies a pin from: templates, docs pages, the README, init's templates."""
    listed = git(root, "ls-files", "--", "examples/workflows", "checker/templates", "docs", "README.md")
    return sorted(p for p in listed.splitlines() if p.endswith((".yml", ".yaml", ".md", ".tmpl")))


def pins_commit(root: Path, plan: Plan, release_sha: str) -> list[Rewrite]:
    """Point every copyable pin at the release commit, the new tag and the new image."""
    out: list[Rewrite] = []
    rules = (
        (ACTION_PIN, "{lead}" + f"{plan.repository}@{release_sha} # {plan.tag}", "action-pin"),
        (PRECOMMIT, "{lead}" + f"https://github.com/{plan.repository}" + "{mid}" + plan.tag, "pre-commit"),
        (IMAGE_REF, plan.image, "image-ref"),
    )
    for path in pinned_files(root):
        for pattern, build, kind in rules:
            text = (root / path).read_text(encoding="utf-8")
            edits = list(substitute(text, pattern, build))
            if edits:
                out += apply(root, path, edits, "pins", kind)
    if not any(r.kind == "action-pin" for r in out):
        raise ReleaseError("no `uses: OWNER/ideogram-prod@<sha>` pin found to rewrite")
    return out


def commit(root: Path, message: str, paths: Sequence[str]) -> str:
    git(root, "add", "--", *sorted(set(paths)))
    git(root, "-c", "user.name=ideogram-prod release", "-c", "user.email=release@ideogram-prod.invalid",
        "commit", "-q", "--no-verify", "-m", message)
    return git(root, "rev-parse", "HEAD")


def release(work: Path, plan: Plan) -> dict[str, object]:
    """Both commits on the current HEAD of `work`; returns the report the workflow and the test read."""
    base = git(work, "rev-parse", "HEAD")
    first = release_commit(work, plan)
    release_sha = commit(work, f"Release {plan.tag}: action.yml runs {plan.image}", [r.path for r in first])
    second = pins_commit(work, plan, release_sha)
    pins_sha = commit(work, f"Pin templates and docs to {plan.tag} ({release_sha[:12]})", [r.path for r in second])
    return {
        "version": plan.version, "tag": plan.tag, "major_tag": plan.major_tag, "image": plan.image,
        "base": base, "release_commit": release_sha, "pins_commit": pins_sha,
        "rewrites": [asdict(r) for r in first + second],
    }


def run(root: Path, plan: Plan) -> dict[str, object]:
    """Commit in `root` and tag the release commit locally (vX.Y.Z annotated, vMAJOR moved); push nothing."""
    report = release(root, plan)
    sha = str(report["release_commit"])
    git(root, "tag", "-f", "-a", plan.tag, "-m", f"{NAME} {plan.tag}", sha)
    git(root, "tag", "-f", plan.major_tag, sha)
    return report


def dry_run(root: Path, plan: Plan) -> dict[str, object]:
    """The same commits in a detached throwaway worktree: only unreachable objects are left behind."""
    with tempfile.TemporaryDirectory(prefix="ideogram-prod-release-") as tmp:
        work = Path(tmp) / "tree"
        git(root, "worktree", "add", "--detach", "--quiet", str(work), "HEAD")
        try:
            report = release(work, plan)
        finally:
            git(root, "worktree", "remove", "--force", str(work))
    return {**report, "dry_run": True}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", required=True, help="the release, X.Y.Z (the tag is vX.Y.Z)")
    parser.add_argument("--repository", required=True, help="OWNER/NAME on GitHub (the image is ghcr.io/owner/name)")
    parser.add_argument("--image-digest", help="sha256:<hex> of the image the workflow pushed (not with --stamp)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: the current dir)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="rehearse in a throwaway worktree; change nothing")
    mode.add_argument("--stamp", action="store_true",
                      help=f"only write the repository into {DOCS_LINKS} in the work tree (before a build)")
    args = parser.parse_args(argv)
    if (args.image_digest is None) != args.stamp:
        parser.error("--image-digest is required, except with --stamp")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        # A stamp needs no digest: a well-formed dummy lets make_plan check the other inputs the same way.
        plan = make_plan(args.version, args.repository, args.image_digest or "sha256:" + "0" * 64)
        root = Path(git(args.root, "rev-parse", "--show-toplevel"))
        check_ready(root, plan)
        if args.stamp:
            report: dict[str, object] = {"repository": plan.repository,
                                         "rewrites": [asdict(r) for r in stamp(root, plan)]}
        else:
            report = dry_run(root, plan) if args.dry_run else run(root, plan)
    except (ReleaseError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
