"""Attack family: files, settings and environment that try to take over or blind the semgrep and git processes
the gate starts. Each planted thing leaves a marker if it ever runs; the committed key and the rule finding must
still be reported."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.adversarial.hostile import KEY, gate, hostile_repo, pr_commit

FINDING = "code-ideogram-no-timeout"
APP = """import requests

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"


def generate(prompt):
    return requests.post(IDEOGRAM_URL, json={"prompt": prompt})
"""
SELECT = f"secret-ideogram-key,{FINDING}"


def _marker_script(marker: Path) -> str:
    """Python that, if any process ever imports or runs it, records that and fakes an empty semgrep answer."""
    return f"""import json, pathlib, sys
pathlib.Path({str(marker)!r}).write_text(" ".join(sys.argv))
if "--output" in sys.argv:
    pathlib.Path(sys.argv[sys.argv.index("--output") + 1]).write_text(json.dumps({{"results": [], "errors": []}}))
print(json.dumps({{"results": {{}}}}))
"""


def _shell_script(marker: Path) -> str:
    return f"#!/bin/sh\necho ran > {marker}\nexit 0\n"


def _assert_found(run_json: dict[str, object], check_id: str, path: str) -> None:
    status = {r["check_id"]: r["status"] for r in run_json["results"]}  # type: ignore[attr-defined]
    assert status.get(check_id) == "failed", (check_id, status)
    assert any(f["check_id"] == check_id and f["location"]["path"] == path
               for f in run_json["findings"]), run_json["findings"]  # type: ignore[attr-defined]


def test_planted_modules_ignore_files_and_tools_change_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "planted-code-ran"
    py = _marker_script(marker)
    files: dict[str, str | bytes] = {
        "app.py": APP,
        "config.py": f'IDEOGRAM_API_KEY = "{KEY}"\n',
        # Modules that shadow what semgrep's and the gate's Python import, if the repo were on sys.path.
        "typing_extensions.py": py, "sitecustomize.py": py, "usercustomize.py": py, "semgrep.py": py,
        "pydantic.py": py, "json.py": py, "click.py": py,
        # Files semgrep consults when it walks a tree or reads its settings.
        ".semgrepignore": "*\n", ".semgrep/settings.yml": "anonymous_user_id: 00000000-0000-0000-0000-000000000000\n",
        ".semgrep.yml": "rules: []\n", ".semgrepconfig": "",
        # Executables a relative $PATH entry would find before the real ones.
        "semgrep": _shell_script(marker), "git": _shell_script(marker), "python": _shell_script(marker),
        "python3": _shell_script(marker),
    }
    repo = hostile_repo(tmp_path, files)
    pr_commit(repo, {".gitignore": "app.py\nconfig.py\n"})  # ignores files git already tracks
    for name in ("semgrep", "git", "python", "python3"):
        (repo / name).chmod((repo / name).stat().st_mode | stat.S_IEXEC)
    run = gate(repo, "--select", SELECT, env={"PATH": f".:{os.environ['PATH']}"})
    assert run.returncode == 1, (run.stdout[-2000:], run.stderr[-2000:])
    _assert_found(run.report, FINDING, "app.py")
    _assert_found(run.report, "secret-ideogram-key", "config.py")
    assert not marker.exists(), marker.read_text()


def test_nosemgrep_comment_does_not_hide_a_finding(tmp_path: Path) -> None:
    app = APP.replace('json={"prompt": prompt})', 'json={"prompt": prompt})  # nosemgrep')
    repo = hostile_repo(tmp_path, {"app.py": app, "other.py": APP.replace("json=", "# nosemgrep: x\n    json=")})
    run = gate(repo, "--select", FINDING)
    _assert_found(run.report, FINDING, "app.py")
    _assert_found(run.report, FINDING, "other.py")


def test_runner_environment_does_not_reach_semgrep(tmp_path: Path) -> None:
    """A runner whose earlier steps set PYTHONPATH/PYTHONSTARTUP (a sitecustomize that fakes semgrep's answer) and
    the GITHUB_* command files: semgrep runs without any of them and writes none of them."""
    marker = tmp_path / "sitecustomize-ran"
    evil = tmp_path / "evil-site"
    evil.mkdir()
    # Only in a semgrep process: the gate's own interpreter shares this environment and must keep working.
    (evil / "sitecustomize.py").write_text("import sys\nif 'semgrep' in sys.argv[0]:\n" + "".join(
        "    " + line + "\n" for line in _marker_script(marker).splitlines()) + "    raise SystemExit(0)\n")
    home = tmp_path / "evil-home"
    (home / ".semgrep").mkdir(parents=True)
    (home / ".semgrep" / "settings.yml").write_text("api_token: stolen\n")
    (home / ".gitconfig").write_text("[core]\n\tquotePath = true\n\tfsmonitor = touch " + str(marker) + "\n")
    command_files = {name: tmp_path / name.lower() for name in ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH")}
    for path in command_files.values():
        path.write_text("")
    repo = hostile_repo(tmp_path, {"app.py": APP, "config.py": f'IDEOGRAM_API_KEY = "{KEY}"\n'})
    env = {"PYTHONPATH": str(evil), "PYTHONSTARTUP": str(evil / "sitecustomize.py"), "HOME": str(home),
           "SEMGREP_RULES": str(evil), "SEMGREP_APP_TOKEN": "stolen", "GIT_DIR": str(tmp_path / "nowhere"),
           **{name: str(path) for name, path in command_files.items()}}
    run = gate(repo, "--select", SELECT, env=env)
    assert run.returncode == 1, (run.stdout[-2000:], run.stderr[-2000:])
    _assert_found(run.report, FINDING, "app.py")
    _assert_found(run.report, "secret-ideogram-key", "config.py")
    assert not marker.exists()
    assert all(path.read_text() == "" for path in command_files.values())
