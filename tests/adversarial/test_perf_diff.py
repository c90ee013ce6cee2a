"""Attack family: `--diff-base` now hands the line-judged webhook-insecure-url check only the changed files (not the
whole repository). A PR that adds a plain-http webhook URL, in a renamed file, a file git quotes, a latin-1 file or
beside untouched insecure files, must still be caught in what it changed; what it did not change is not its finding."""

from __future__ import annotations

from pathlib import Path

from tests.adversarial.hostile import GateRun, gate, git, hostile_repo, pr_commit

CHECK = "webhook-insecure-url"
OLD = 'WEBHOOK_URL = "http://hooks.example.com/old"\n'
NEW = 'CALLBACK_URL = "http://hooks.example.com/ideogram/done"\n'


def _result(run: GateRun) -> dict[str, object]:
    return {r["check_id"]: r for r in run.report["results"]}[CHECK]  # type: ignore[index, union-attr, no-any-return]


def _found(run: GateRun) -> set[tuple[str, int]]:
    return {(f["location"]["path"], f["location"]["line"]) for f in run.report["findings"]  # type: ignore[index, union-attr]
            if f["check_id"] == CHECK}


def test_a_new_insecure_url_is_caught_in_every_changed_file(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {"old.py": OLD, "settings.py": "x = 1\n" * 30, "keep.env": OLD})
    base = pr_commit(repo, {
        "settings.py": "x = 1\n" * 30 + NEW,
        "weird name\t.yaml": "notify:\n  webhook_url: http://hooks.example.com/a\n",
        "latin1.py": ("# caf\xe9\n" + NEW).encode("latin-1"),
    })
    git(repo, "mv", "old.py", "moved.py")
    (repo / "moved.py").write_text(OLD + NEW)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "move")
    run = gate(repo, "--diff-base", base, "--select", CHECK)
    assert run.returncode == 1 and "Traceback" not in run.stderr, (run.stdout[-2000:], run.stderr[-2000:])
    assert _result(run)["status"] == "failed", _result(run)
    found = _found(run)
    assert {("settings.py", 31), ("latin1.py", 2), ("moved.py", 2), ("weird name\t.yaml", 2)} <= found, found
    assert not any(path == "keep.env" for path, _ in found)  # untouched: not this PR's finding


def test_a_change_the_check_cannot_read_is_skipped_not_passed(tmp_path: Path) -> None:
    """Only a README changed: webhook-insecure-url read nothing of the change, which is `skipped` with its reason,
    while the untouched insecure URL elsewhere stays out of the PR's report."""
    repo = hostile_repo(tmp_path, {"hooks.py": OLD, "README.md": "# app\n"})
    base = pr_commit(repo, {"README.md": "# app\n\nMore words.\n"})
    run = gate(repo, "--diff-base", base, "--select", CHECK)
    result = _result(run)
    assert result["status"] == "skipped", result
    assert result["files"] == {"given": 1, "read": 0}, result
    assert not _found(run)
