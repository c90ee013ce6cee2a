"""scripts/release.py on a clone of this repository: every pin it writes, and nothing else, and a dry run that
leaves the clone as it was; the release workflow against the GitHub workflow schema and the linters."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker import __version__

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCRIPT = ROOT / "scripts" / "release.py"
NOTES = ROOT / "scripts" / "release_notes.py"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
REPO = "acme-corp/ideogram-prod"
DIGEST = "sha256:" + "ab" * 32
IMAGE = f"ghcr.io/{REPO}@{DIGEST}"
OUR_PIN = re.compile(r"uses: [\w.-]+/ideogram-prod@[0-9a-f]{40}")
PLACEHOLDER = "org/ideogram-prod"


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def release(clone: Path, *extra: str, version: str = __version__, repo: str = REPO,
            digest: str = DIGEST) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, str(clone / "scripts/release.py"), "--version", version, "--repository", repo,
            "--image-digest", digest, "--root", str(clone), *extra]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture()
def clone(tmp_path: Path) -> Path:
    """A clone of the committed repository, prepared as a maintainer prepares a release: a changelog section.
    Untracked or uncommitted work in ROOT does not reach it."""
    dest = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(dest)], check=True, timeout=120)
    git(dest, "config", "user.name", "test")
    git(dest, "config", "user.email", "test@example.invalid")
    changelog = dest / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace("## [Unreleased]\n", f"## [Unreleased]\n\n## [{__version__}] - 2026-12-03\n", 1))
    git(dest, "commit", "-q", "-am", "Prepare the release")
    return dest


def expected_pins(tree: Path) -> dict[str, int]:
    """How many pins of each kind the copyable files hold before the release: the script must rewrite all."""
    counts = {"action-pin": 0, "pre-commit": 0, "image-ref": 0}
    files = git(tree, "ls-files", "examples/workflows", "checker/templates", "docs", "README.md").splitlines()
    for name in files:
        if not name.endswith((".yml", ".yaml", ".md", ".tmpl")):
            continue
        text = (tree / name).read_text(encoding="utf-8")
        counts["action-pin"] += len(OUR_PIN.findall(text))
        counts["pre-commit"] += len(re.findall(r"repo: https://github\.com/[\w.-]+/ideogram-prod\s*\n\s*rev: ", text))
        counts["image-ref"] += len(re.findall(r"ghcr\.io/[\w.-]+/ideogram-prod@sha256:[0-9a-f]{64}", text))
    return counts


def changed_lines(tree: Path, a: str, b: str) -> dict[str, list[tuple[str, str]]]:
    """Per file, the (removed, added) line pairs between two commits; fails on an unpaired change."""
    out: dict[str, list[tuple[str, str]]] = {}
    for name in git(tree, "diff", "--name-only", a, b).splitlines():
        diff = git(tree, "diff", "-U0", a, b, "--", name).splitlines()
        minus = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
        plus = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
        assert len(minus) == len(plus), f"{name}: lines added or removed, not only rewritten"
        out[name] = list(zip(minus, plus, strict=True))
    return out


def test_dry_run_rewrites_every_pin_and_changes_nothing_else(clone: Path) -> None:
    before_head = git(clone, "rev-parse", "HEAD")
    before_pins = expected_pins(clone)
    assert before_pins["action-pin"] >= 11, "the three templates hold at least eleven action pins"

    proc = release(clone, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)

    # The clone is exactly as it was: branch, files, tags, worktrees.
    assert git(clone, "rev-parse", "HEAD") == before_head
    assert git(clone, "status", "--porcelain") == ""
    assert git(clone, "tag", "--list") == ""
    assert len(git(clone, "worktree", "list").splitlines()) == 1

    rel, pins = report["release_commit"], report["pins_commit"]
    assert report["base"] == before_head and report["dry_run"] is True
    assert git(clone, "rev-parse", f"{rel}^") == before_head and git(clone, "rev-parse", f"{pins}^") == rel
    tag = f"v{__version__}"
    assert report["tag"] == tag and report["major_tag"] == f"v{__version__.split('.')[0]}"
    assert report["image"] == IMAGE

    rewrites: list[dict[str, Any]] = report["rewrites"]
    kinds = {kind: [r for r in rewrites if r["kind"] == kind] for kind in ("checker-image", "repository",
                                                                              *before_pins)}
    assert [(r["path"], r["commit"]) for r in kinds["checker-image"]] == [("action.yml", "release")]
    assert [(r["path"], r["commit"]) for r in kinds["repository"]] == [("checker/docs_links.py", "release")]
    assert kinds["repository"][0]["old"] == f'REPOSITORY = "{PLACEHOLDER}"'
    assert kinds["repository"][0]["new"] == f'REPOSITORY = "{REPO}"'
    for kind, count in before_pins.items():
        assert len(kinds[kind]) == count, kind

    # Every rewrite says what it wrote, and it is what a user must copy.
    for r in kinds["action-pin"]:
        assert r["commit"] == "pins"
        assert r["new"].strip().removeprefix("- ") == f"uses: {REPO}@{rel} # {tag}", r
    for r in kinds["pre-commit"]:
        assert r["new"].split("\n")[0].strip().removeprefix("- ") == f"repo: https://github.com/{REPO}"
        assert r["new"].split("\n")[-1].strip() == f"rev: {tag}"
    for r in kinds["image-ref"]:
        assert re.sub(r"ghcr\.io/[\w.-]+/ideogram-prod@sha256:[0-9a-f]{64}", IMAGE, r["old"]) == r["new"] != r["old"]
    assert kinds["checker-image"][0]["new"].strip() == f"default: {IMAGE}"

    # Nothing else changed: the release commit touches one line of action.yml and one of the docs links, the
    # pins commit only the reported lines, each exactly as reported.
    assert changed_lines(clone, before_head, rel) == {
        "action.yml": [(kinds["checker-image"][0]["old"], kinds["checker-image"][0]["new"])],
        "checker/docs_links.py": [(kinds["repository"][0]["old"], kinds["repository"][0]["new"])]}
    reported: dict[str, set[tuple[str, str]]] = {}
    for r in rewrites:
        if r["commit"] == "pins":
            for old, new in zip(r["old"].split("\n"), r["new"].split("\n"), strict=True):
                if old != new:
                    reported.setdefault(r["path"], set()).add((old, new))
    actual = {name: set(pairs) for name, pairs in changed_lines(clone, rel, pins).items()}
    assert actual == reported

    # The rewritten files still parse, and the action pin is what a workflow runs.
    action = yaml.safe_load(git(clone, "show", f"{rel}:action.yml"))
    assert action["inputs"]["checker-image"]["default"] == IMAGE
    gate = yaml.safe_load(git(clone, "show", f"{pins}:examples/workflows/pr-gate.yml"))
    (job,) = gate["jobs"].values()
    assert job["steps"][-1]["uses"] == f"{REPO}@{rel}"
    assert expected_pins(clone) == before_pins, "the dry run wrote into the clone's work tree"


def test_real_run_commits_and_tags_locally(clone: Path, tmp_path: Path) -> None:
    base = git(clone, "rev-parse", "HEAD")
    proc = release(clone)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert "dry_run" not in report
    assert git(clone, "rev-parse", "HEAD") == report["pins_commit"]
    assert git(clone, "rev-parse", "HEAD~2") == base
    tag, major = report["tag"], report["major_tag"]
    assert git(clone, "rev-parse", f"{tag}^{{commit}}") == report["release_commit"]
    assert git(clone, "cat-file", "-t", tag) == "tag", "the version tag is annotated"
    assert git(clone, "rev-parse", f"{major}^{{commit}}") == report["release_commit"]
    assert git(clone, "status", "--porcelain") == ""
    # The rewritten templates are still valid workflows (the same schema CI checks).
    templates = [str(p) for p in sorted((clone / "examples/workflows").glob("*.yml"))]
    proc = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *templates],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # The docs that embed the templates were rewritten the same way, so the generated pages are still current.
    # PYTHONPATH: the clone's own package, not the editable install of the work tree it was cloned from.
    proc = subprocess.run([sys.executable, str(clone / "scripts/gen_docs.py"), "--check"], capture_output=True,
                          text=True, timeout=120, check=False, cwd=clone, env={**os.environ, "PYTHONPATH": str(clone)})
    assert proc.returncode == 0, proc.stderr
    # A second run refuses: the image is already written.
    again = release(clone)
    assert again.returncode == 2 and "already" in again.stderr


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"version": "1.2"}, "--version: '1.2' is not X.Y.Z"),
    ({"version": "9.9.9"}, "__version__ is"),
    ({"repo": "org/ideogram-prod"}, "is the placeholder"),
    ({"repo": "Org/Ideogram-Prod"}, "is the placeholder"),
    ({"repo": "not a repo"}, "--repository"),
    ({"digest": "sha256:abc"}, "--image-digest"),
])
def test_refuses_what_does_not_match_the_tag(clone: Path, kwargs: dict[str, str], message: str) -> None:
    head = git(clone, "rev-parse", "HEAD")
    proc = release(clone, "--dry-run", **kwargs)
    assert proc.returncode == 2
    assert proc.stderr.startswith("release: error: ") and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert git(clone, "rev-parse", "HEAD") == head and git(clone, "status", "--porcelain") == ""


def test_stamp_writes_the_repository_the_release_commit_writes(clone: Path) -> None:
    """The image and the wheel are built from a stamped tag: the same docs links as the release commit."""
    head = git(clone, "rev-parse", "HEAD")
    proc = release(clone, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    rel = json.loads(proc.stdout)["release_commit"]
    argv = [sys.executable, str(clone / "scripts/release.py"), "--version", __version__, "--repository", REPO,
            "--root", str(clone), "--stamp"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert [(r["path"], r["kind"]) for r in json.loads(proc.stdout)["rewrites"]] == [
        ("checker/docs_links.py", "repository")]
    assert git(clone, "status", "--porcelain") == "M checker/docs_links.py"
    assert (clone / "checker/docs_links.py").read_text() == git(clone, "show", f"{rel}:checker/docs_links.py") + "\n"
    assert git(clone, "tag", "--list") == "" and git(clone, "rev-parse", "HEAD") == head
    # A stamp takes no digest; a release needs one.
    both = subprocess.run([*argv, "--image-digest", DIGEST], capture_output=True, text=True, check=False)
    assert both.returncode == 2 and "--image-digest" in both.stderr
    none = subprocess.run(argv[:-1], capture_output=True, text=True, check=False)
    assert none.returncode == 2 and "--image-digest" in none.stderr


def test_docs_site_links_only_a_released_repository() -> None:
    """mkdocs.yml takes repo_url from checker/docs_links.py through its hook: none for the placeholder."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import mkdocs_hooks  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert mkdocs_hooks.site_links(PLACEHOLDER) == {}
    assert mkdocs_hooks.site_links(REPO, tag="v1.2.3") == {
        "repo_url": f"https://github.com/{REPO}", "repo_name": REPO, "edit_uri": "blob/v1.2.3/docs/"}
    assert "scripts/mkdocs_hooks.py" in yaml.safe_load((ROOT / "mkdocs.yml").read_text())["hooks"]
    config: dict[str, str] = {}
    assert mkdocs_hooks.on_config(config) == mkdocs_hooks.site_links()


def test_refuses_a_version_without_changelog_section(clone: Path) -> None:
    changelog = clone / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace(f"## [{__version__}] - 2026-12-03\n", ""))
    git(clone, "commit", "-q", "-am", "Forget the changelog")
    proc = release(clone, "--dry-run")
    assert proc.returncode == 2 and "CHANGELOG.md" in proc.stderr


def test_release_notes_are_the_version_section(tmp_path: Path) -> None:
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## [Unreleased]\n\n- later\n\n## [1.2.0] - 2026-12-03\n\n### Fixed\n\n"
                         "- a thing\n\n## [1.1.0] - 2026-11-01\n\n- older\n\n[1.2.0]: https://example.invalid\n")
    run = [sys.executable, str(NOTES), "--changelog", str(changelog)]
    proc = subprocess.run([*run, "1.2.0"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and proc.stdout == "### Fixed\n\n- a thing\n"
    proc = subprocess.run([*run, "7.7.7"], capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and proc.stderr.startswith("release_notes: error: ") and "7.7.7" in proc.stderr


def load_workflow() -> dict[str, Any]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True)
    return dict(doc)


def test_release_workflow_passes_the_schema_and_linters() -> None:
    for argv in ([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
                 [str(BIN / "zizmor"), "--offline", "--persona=pedantic", "--no-progress", str(WORKFLOW)],
                 [str(BIN / "actionlint"), str(WORKFLOW.relative_to(ROOT))]):
        proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
                              env={"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(ROOT), "ZIZMOR_OFFLINE": "true"})
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_release_workflow_shape() -> None:
    doc = load_workflow()
    assert doc["on"] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}
    jobs = doc["jobs"]
    assert jobs["image"]["needs"] == "verify" and jobs["dist"]["needs"] == "verify"
    assert set(jobs["pins"]["needs"]) == {"verify", "image", "dist"}
    assert "pins" in jobs["pypi"]["needs"] and "pins" in jobs["notes"]["needs"]
    steps = {name: [s.get("uses", "").split("@")[0] for s in job["steps"]] for name, job in jobs.items()}
    assert "docker/build-push-action" in steps["image"]
    assert steps["image"].count("actions/attest") == 2, "provenance and SBOM"
    sbom = [s for s in jobs["image"]["steps"] if s.get("uses", "").startswith("actions/attest@")][1]
    assert sbom["with"]["sbom-path"] == "sbom.spdx.json"
    build = next(s for s in jobs["image"]["steps"] if s.get("id") == "build")
    assert build["with"]["platforms"] == "linux/amd64" and build["with"]["push"] is True
    assert steps["pypi"][-1] == "pypa/gh-action-pypi-publish"
    assert jobs["pypi"]["permissions"] == {"id-token": "write"} and jobs["pypi"]["environment"]["name"] == "pypi"
    assert "password" not in str(jobs["pypi"]), "trusted publishing, no stored token"
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "scripts/release.py" in text and "--dry-run" in text and "scripts/release_notes.py" in text
    assert "gh release create" in text and "--draft" in text
    for name, job in jobs.items():
        writes = {k for k, v in job["permissions"].items() if v == "write"}
        allowed = {"image": {"packages", "id-token", "attestations"}, "pins": {"contents"}, "notes": {"contents"},
                   "pypi": {"id-token"}}.get(name, set())
        assert writes <= allowed, name
