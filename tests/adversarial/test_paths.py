"""Attack family: file names that text-mode git output, argv or JSON mangle (CR, LF, tab, bytes that are not UTF-8,
a leading dash), and listed paths that cannot be read. A file is reported or the check errors; never dropped."""

from __future__ import annotations

import os
from pathlib import Path

from tests.adversarial.hostile import KEY, GateRun, gate, git, hostile_repo

SECRET = "secret-ideogram-key"
CODE = "code-ideogram-no-timeout"
LEAK = f'IDEOGRAM_API_KEY = "{KEY}"\n'
NO_TIMEOUT = ('import requests\nIDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"\n\n\n'
              'def generate(prompt):\n    return requests.post(IDEOGRAM_URL, json={"prompt": prompt})\n')


def status_of(run: GateRun) -> dict[str, str]:
    return {r["check_id"]: r["status"] for r in run.report["results"]}  # type: ignore[index, union-attr]


def found_in(run: GateRun, check_id: str) -> set[str]:
    return {f["location"]["path"] for f in run.report["findings"]  # type: ignore[index, union-attr]
            if f["check_id"] == check_id}


def test_odd_names_are_scanned(tmp_path: Path) -> None:
    names = ["cr\rname.py", "lf\nname.py", "tab\tname.py", "-rf.py", "--config=x.py", "sp ace.py", "é.py"]
    files: dict[str, str | bytes] = {name: LEAK + NO_TIMEOUT for name in names}
    repo = hostile_repo(tmp_path, files)
    run = gate(repo, "--select", f"{SECRET},{CODE}")
    assert run.returncode == 1, (run.stdout[-2000:], run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    status = status_of(run)
    for check_id in (SECRET, CODE):
        assert status[check_id] in ("failed", "error"), (check_id, status)
        if status[check_id] == "failed":
            assert set(names) <= found_in(run, check_id), (check_id, found_in(run, check_id))


def test_name_that_is_not_utf8(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {"ok.py": "x = 1\n"})
    raw = os.fsencode(str(repo)) + b"/bad\xff\xfename.py"
    with open(raw, "wb") as fh:
        fh.write((LEAK + NO_TIMEOUT).encode())
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "latin-1 name")
    run = gate(repo, "--select", f"{SECRET},{CODE}")
    assert run.returncode == 1, (run.stdout[-2000:], run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    status = status_of(run)
    for check_id in (SECRET, CODE):
        assert status[check_id] in ("failed", "error"), (check_id, status)
        if status[check_id] == "failed":
            assert len(found_in(run, check_id)) == 1


def test_listed_file_that_cannot_be_read_is_an_error(tmp_path: Path) -> None:
    """git lists `app.py` (tracked), but in the working tree it is a directory, then a FIFO (which must not hang
    the gate)."""
    repo = hostile_repo(tmp_path, {"app.py": NO_TIMEOUT, "other.py": "x = 1\n"})
    (repo / "app.py").unlink()
    (repo / "app.py").mkdir()
    (repo / "app.py" / "inner.txt").write_text("x\n")
    run = gate(repo, "--select", CODE, timeout=300)
    assert run.returncode == 1, (run.stdout[-2000:], run.stderr[-2000:])
    assert status_of(run)[CODE] == "error"
    assert "app.py" in run.stdout

    (repo / "app.py" / "inner.txt").unlink()
    (repo / "app.py").rmdir()
    os.mkfifo(repo / "app.py")
    run = gate(repo, "--select", CODE, timeout=300)
    assert run.returncode == 1, (run.stdout[-2000:], run.stderr[-2000:])
    assert status_of(run)[CODE] == "error"
    assert "app.py" in run.stdout


def test_more_paths_than_one_exec_can_carry(tmp_path: Path) -> None:
    """2,200 matching files whose absolute paths add up to more than ARG_MAX (2 MiB here): one semgrep process
    cannot be started with them all (E2BIG), so they go in batches, and a finding in the last one is reported."""
    deep = "/".join(["d" * 200] * 4)
    count = max(2200, 2 * os.sysconf("SC_ARG_MAX") // (len(deep) + 40) + 100)
    files: dict[str, str | bytes] = {f"{deep}/m{i:05d}.py": "IDEOGRAM_HOST = 'api.ideogram.ai'\n"
                                     for i in range(count)}
    files[f"{deep}/z_last.py"] = NO_TIMEOUT
    files["a_first.py"] = NO_TIMEOUT
    repo = hostile_repo(tmp_path, files)
    run = gate(repo, "--select", CODE, "--fail-on", "warning", timeout=300)
    assert run.returncode == 1, (run.stdout[-2000:], run.stderr[-2000:])
    assert status_of(run)[CODE] == "failed"
    assert found_in(run, CODE) == {"a_first.py", f"{deep}/z_last.py"}


def test_batches_cover_every_file_once(tmp_path: Path) -> None:
    """The batching itself, on real semgrep with a tiny argv budget: every batch's findings come back."""
    from checker.tools import semgrep

    names = [f"f{i:02d}.py" for i in range(12)]
    for name in names:
        (tmp_path / name).write_text(NO_TIMEOUT)
    assert len(list(semgrep.batches([str(tmp_path / n) for n in names], budget=400))) >= 3
    hits = semgrep.run(tmp_path, names, [CODE], budget=400)
    assert sorted(h.path for h in hits) == names
