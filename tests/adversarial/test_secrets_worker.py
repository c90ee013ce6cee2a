"""Attack family: files in the scanned repository that would take over the secrets worker (a module that shadows
the standard library or our own package, site hooks, a `.pth`) or an environment that points Python at the
repository. The key must still be found, and none of the planted code may run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adversarial.hostile import KEY, assert_not_passed, gate, hostile_repo

CHECK = "secret-ideogram-key"


def payload(marker: Path) -> str:
    """What a hostile module does on import: leave a trace, print an empty clean result, exit 0."""
    return ("import os, sys\n"
            f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
            "sys.stdout.write('{\"results\": {}, \"errors\": {}, \"read\": 1}')\n"
            "sys.stdout.flush()\n"
            "os._exit(0)\n")


def planted(marker: Path) -> dict[str, dict[str, str | bytes]]:
    code = payload(marker)
    return {
        "typing_extensions": {"typing_extensions.py": code},
        "our-worker": {"checker/__init__.py": "", "checker/tools/__init__.py": "", "checker/tools/secrets.py": code,
                       "checker/__main__.py": code},
        "sitecustomize": {"sitecustomize.py": code},
        "usercustomize": {"usercustomize.py": code},
        "detect_secrets-package": {"detect_secrets/__init__.py": code, "detect_secrets/core/__init__.py": code},
        "pth": {"zz-evil.pth": f"import os; open({str(marker)!r}, 'a').write('pth\\n'); os._exit(0)\n"},
        "stdlib-json": {"json.py": code, "re.py": code, "io.py": code},
        "deps": {"pydantic.py": code, "yaml.py": code, "requests/__init__.py": code},
    }


@pytest.mark.parametrize("attack", sorted(planted(Path("/x"))))
def test_planted_modules_neither_run_nor_hide_the_key(tmp_path: Path, attack: str) -> None:
    marker = tmp_path / "ran.txt"
    files = {"app.py": f'IDEOGRAM_API_KEY = "{KEY}"\n', **planted(marker)[attack]}
    run = gate(hostile_repo(tmp_path, files), "--select", CHECK)
    assert_not_passed(run, CHECK)
    assert [f["location"]["path"] for f in run.report["findings"]] == ["app.py"]  # type: ignore[index]
    assert not marker.exists(), f"the repository's code ran inside the gate: {marker.read_text()}"


def test_python_variables_pointing_at_the_repository_do_not_reach_the_worker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PYTHONPATH & co. pointing at the checkout (say, written to $GITHUB_ENV by an earlier step). The worker is
    started from this process, so the variables are set here; the entry point's own interpreter is the action's
    business (NOTE: it does honour PYTHONPATH)."""
    from checker.tools import secrets

    marker = tmp_path / "ran.txt"
    repo = hostile_repo(tmp_path, {"app.py": f'IDEOGRAM_API_KEY = "{KEY}"\n', **planted(marker)["typing_extensions"],
                                   **planted(marker)["sitecustomize"], "startup.py": payload(marker)})
    for name, value in {"PYTHONPATH": str(repo), "PYTHONSTARTUP": str(repo / "startup.py"),
                        "PYTHONUSERBASE": str(repo), "PYTHONINSPECT": "1", "PYTHONHOME": str(repo)}.items():
        monkeypatch.setenv(name, value)
    files = ["app.py", "sitecustomize.py", "startup.py", "typing_extensions.py"]
    outcome = secrets.scan(repo, files)
    assert [(h.check_id, h.path) for h in outcome.hits] == [(CHECK, "app.py")]
    assert outcome.read == len(files)
    assert not marker.exists()
