"""tests-pass runs the pull request's own code: it must never change what the scanners saw, never reach the
runner's files or tokens, never run by default and never under pull_request_target."""

from __future__ import annotations

from pathlib import Path

from tests.adversarial.hostile import KEY, assert_not_passed, gate, hostile_repo

ENABLED = "tests:\n  enabled: true\n  command: python3 pr_tests.py\n"
SETTINGS = f'IDEOGRAM_API_KEY = "{KEY}"\n'
CLIENT = ('import os\nimport requests\n\ndef generate(prompt):\n'
          '    return requests.post("https://api.ideogram.ai/v1/ideogram-v3/generate",\n'
          '                         headers={"Api-Key": os.environ["IDEOGRAM_API_KEY"]}, json={"prompt": prompt})\n')
# The PR's "tests": make the committed key and the call without a timeout vanish from the tree, then pass.
REWRITE = ("from pathlib import Path\n"
           "Path('app/settings.py').write_text('IDEOGRAM_API_KEY = None\\n')\n"
           "Path('app/client.py').write_text('def generate(prompt):\\n    return None\\n')\n"
           "Path('{marker}').write_text('ran')\n")


def _repo(tmp_path: Path, config: str, script: str) -> tuple[Path, Path]:
    marker = tmp_path / "the-pr-code-ran"
    files: dict[str, str | bytes] = {"app/settings.py": SETTINGS, "app/client.py": CLIENT,
                                     "pr_tests.py": script.replace("{marker}", str(marker))}
    if config:
        files[".ideogram-prod.yaml"] = config
    return hostile_repo(tmp_path, files), marker


def test_tests_that_rewrite_the_scanned_files_change_nothing_the_scanners_saw(tmp_path):
    repo, marker = _repo(tmp_path, ENABLED, REWRITE)
    run = gate(repo, "--select", "secret-ideogram-key,code-ideogram-no-timeout,tests-pass")
    assert marker.exists(), "the PR's tests were meant to run here"
    assert_not_passed(run, "secret-ideogram-key", "code-ideogram-no-timeout")
    status = {r["check_id"]: r["status"] for r in run.report["results"]}  # type: ignore[index, union-attr]
    assert status["tests-pass"] == "passed"


def test_the_pull_requests_tests_do_not_run_unless_enabled(tmp_path):
    repo, marker = _repo(tmp_path, "", REWRITE)
    run = gate(repo, "--select", "secret-ideogram-key,tests-pass")
    assert not marker.exists()
    assert_not_passed(run, "secret-ideogram-key")
    result = {r["check_id"]: r for r in run.report["results"]}["tests-pass"]  # type: ignore[index, union-attr]
    assert result["status"] == "skipped" and result["reason"].startswith("not enabled")


def test_tests_are_refused_under_pull_request_target(tmp_path):
    repo, marker = _repo(tmp_path, ENABLED, REWRITE)
    run = gate(repo, "--select", "tests-pass", env={"GITHUB_EVENT_NAME": "pull_request_target"})
    assert not marker.exists()
    assert_not_passed(run, "tests-pass")
    result = run.report["results"][0]  # type: ignore[index]
    assert result["status"] == "error" and "pull_request_target" in result["reason"]  # type: ignore[index]


LEAK = """import os, sys
from pathlib import Path
seen = sorted(n for n in os.environ if n.startswith(("GITHUB_", "RUNNER_", "ACTIONS_")) or n in
              ("LD_PRELOAD", "PYTHONPATH", "BASH_ENV", "IDEOGRAM_API_KEY"))
for name in ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"):
    if name in os.environ:
        with open(os.environ[name], "a") as fh:
            fh.write("NODE_OPTIONS=--require=/tmp/evil.js\\n")
print("seen:", ",".join(seen) or "nothing")
sys.exit(1)
"""


def test_the_tests_get_no_runner_file_token_or_loader_variable(tmp_path):
    repo, _ = _repo(tmp_path, ENABLED, LEAK)
    runner = tmp_path / "runner"
    runner.mkdir()
    files = {name: runner / name.lower() for name in ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH")}
    for path in files.values():
        path.write_text("")
    env = {**{name: str(path) for name, path in files.items()}, "GITHUB_TOKEN": "ghs_" + "Qw8Er7Ty6Ui5Op4As3Df2Gh1",
           "ACTIONS_RUNTIME_TOKEN": "rt", "RUNNER_TEMP": str(runner), "GITHUB_EVENT_NAME": "pull_request",
           "LD_PRELOAD": "", "PYTHONPATH": str(runner), "BASH_ENV": str(runner / "env.sh")}
    run = gate(repo, "--select", "tests-pass", env=env)
    assert_not_passed(run, "tests-pass")
    assert all(path.read_text() == "" for path in files.values())
    message = run.report["findings"][0]["message"]  # type: ignore[index]
    assert "seen: nothing" in message, message


IGNORE_AFTER = ("from pathlib import Path\n"
                "Path('app/settings.py').write_text('IDEOGRAM_API_KEY = None  "
                "# ideogram-prod: ignore[secret-ideogram-key] -- rotated, audited by the security team\\n')\n")


def test_tests_that_write_an_inline_ignore_after_the_scan_suppress_nothing(tmp_path):
    repo, _ = _repo(tmp_path, ENABLED, IGNORE_AFTER)
    run = gate(repo, "--select", "secret-ideogram-key,tests-pass")
    assert_not_passed(run, "secret-ideogram-key")


LINGER = ("import subprocess, sys\n"
          "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(2); "
          "open(\"{marker}\", \"w\").write(\"outlived the run\")'], stdin=subprocess.DEVNULL, "
          "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
          "sys.exit(1)\n")


def test_the_tests_leave_no_process_behind(tmp_path):
    import time

    repo, marker = _repo(tmp_path, ENABLED, LINGER)
    run = gate(repo, "--select", "tests-pass")
    assert_not_passed(run, "tests-pass")
    time.sleep(4)
    assert not marker.exists(), "a process the PR's tests started outlived the gate's run"
