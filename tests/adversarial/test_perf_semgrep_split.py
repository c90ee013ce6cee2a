"""Attack family: the one semgrep process that runs every rule-pack check, each check's rules kept to the files that
hold its own anchor (checker/tools/semgrep.py copies them into one folder per set of checks). File names that look
like those folders, names that collide once made UTF-8, and files holding both anchors must leave no finding
unreported, and the split must not start a second semgrep."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.adversarial.hostile import KEY, GateRun, gate, hostile_repo

CODE = "code-ideogram-no-timeout"
HOOK = "webhook-unverified"
SELECT = f"{CODE},{HOOK},secret-ideogram-key"
# An Ideogram call without a timeout, and no word the webhook anchor looks for.
APP = """import requests

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"


def generate(prompt):
    return requests.post(IDEOGRAM_URL, json={"prompt": prompt})
"""
# A webhook handler that never checks a signature, and no word the code rules' anchor looks for.
HOOK_APP = """from flask import Flask, request

app = Flask(__name__)


@app.route("/webhooks/stripe", methods=["POST"])
def stripe_hook():
    store(request.get_json())
    return "", 204
"""


def _shim(tmp_path: Path) -> tuple[Path, Path]:
    """A semgrep that records each start in a log, then execs the real one."""
    log = tmp_path / "semgrep-starts.log"
    real = Path(sys.executable).with_name("semgrep")
    shim = tmp_path / "semgrep-shim"
    shim.write_text(f"#!{sys.executable}\nimport os, sys\n"
                    f"open({str(log)!r}, 'a').write('start\\n')\n"
                    f"os.execv({sys.executable!r}, [{sys.executable!r}, '-I', {str(real)!r}, *sys.argv[1:]])\n")
    shim.chmod(0o755)
    return shim, log


def _findings(run: GateRun, check_id: str) -> set[str]:
    return {f["location"]["path"] for f in run.report["findings"] if f["check_id"] == check_id}  # type: ignore[index, union-attr]


def _result(run: GateRun, check_id: str) -> dict[str, object]:
    return {r["check_id"]: r for r in run.report["results"]}[check_id]  # type: ignore[index, union-attr, no-any-return]


def test_one_semgrep_runs_both_checks_each_on_its_own_files(tmp_path: Path) -> None:
    shim, log = _shim(tmp_path)
    repo = hostile_repo(tmp_path, {"app.py": APP, "hook.py": HOOK_APP, "both.py": APP + "\n\n" + HOOK_APP,
                                   "config.py": f'IDEOGRAM_API_KEY = "{KEY}"\n'})
    run = gate(repo, "--select", SELECT, env={"IDEOGRAM_PROD_SEMGREP": str(shim)})
    assert run.returncode == 1 and "Traceback" not in run.stderr, (run.stdout[-2000:], run.stderr[-2000:])
    assert log.read_text().count("start") == 1
    assert _findings(run, CODE) == {"app.py", "both.py"}
    assert _findings(run, HOOK) == {"hook.py", "both.py"}
    # Each check read the files holding its anchor: config.py names the key too, so the code rules read it.
    for check_id, read in ((CODE, 3), (HOOK, 2)):
        result = _result(run, check_id)
        assert result["status"] == "failed", result
        assert result["files"] == {"given": 4, "read": read}, result


def test_paths_named_like_the_split_folders_hide_nothing(tmp_path: Path) -> None:
    """The copies sit in tree/0/, tree/1/...: a repository's own 0/, 1/, ~1/ and tree/ folders are just folders."""
    files: dict[str, str | bytes] = {
        "0/hook.py": HOOK_APP, "1/app.py": APP, "~1/app.py": APP, "tree/1/both.py": APP + "\n\n" + HOOK_APP,
        "1/0/hook.py": HOOK_APP,
    }
    run = gate(hostile_repo(tmp_path, files), "--select", f"{CODE},{HOOK}")
    assert run.returncode == 1 and "Traceback" not in run.stderr, (run.stdout[-2000:], run.stderr[-2000:])
    assert _findings(run, CODE) == {"1/app.py", "~1/app.py", "tree/1/both.py"}
    assert _findings(run, HOOK) == {"0/hook.py", "1/0/hook.py", "tree/1/both.py"}


def test_names_that_collide_once_made_utf8_are_each_scanned(tmp_path: Path) -> None:
    """Two names that differ only in bytes that are not UTF-8 become one name for semgrep ("a_.py"): both copies
    must still be scanned, and each finding reported under its own name (never one file in place of the other)."""
    repo = hostile_repo(tmp_path, {"a_.py": APP})
    for raw in (b"a\xff.py", b"a\xfe.py"):
        (repo / raw.decode("utf-8", "surrogateescape")).write_text(APP)
    run = gate(repo, "--select", CODE, "--fail-on", "warning")
    assert run.returncode == 1 and "Traceback" not in run.stderr, (run.stdout[-2000:], run.stderr[-2000:])
    status = _result(run, CODE)
    assert status["status"] == "failed", status
    assert status["files"] == {"given": 3, "read": 3}, status
    assert len(_findings(run, CODE)) == 3, json.dumps(run.report["findings"])[:2000]
