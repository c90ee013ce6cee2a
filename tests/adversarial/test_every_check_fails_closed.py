"""Could not check = error = exit 1, for every check id `check` runs: each engine is made unable to look (a
missing scanner binary, a file no decoder can read, a test runner that is not installed) and every one of its
checks must report `error`, never passed or skipped. A new check id without a way to break it fails here."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from checker.checks.base import decode
from checker.errors import ToolError
from checker.registry import CHECKS, Engine
from tests.adversarial.hostile import GateRun, gate, hostile_repo, pr_commit

# No decoder reads this as text (NULs, but not UTF-16's pattern; invalid UTF-8), and it holds what each native
# check looks for: a URL for webhook-insecure-url, YAML-ish and Markdown-ish words for the others.
UNREADABLE = b"\x80\x00\x81 apiVersion: v1\nkind: Deployment\n# Runbook\ngroups: http://hook.example.com \x00\xfe\x9f\n"
IDEOGRAM_CODE = (
    'import os\nimport requests\n\n'
    'def generate(prompt):\n'
    '    r = requests.post("https://api.ideogram.ai/v1/ideogram-v3/generate", '
    'headers={"Api-Key": os.environ["IDEOGRAM_API_KEY"]}, json={"prompt": prompt})\n'
    '    print(os.environ["IDEOGRAM_API_KEY"])\n'
    '    return r.json()["data"][0]["url"]\n\n'
    '@app.post("/webhooks/ideogram")\n'
    'def webhook(request):\n'
    '    return request.json()\n'
)


@dataclass(frozen=True)
class Breakage:
    """One way to leave an engine unable to look: the files of the repo, the env of the gate, its flags."""

    files: dict[str, str | bytes]
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()


def _static_ids(*engines: Engine, runner: str | None = None) -> tuple[str, ...]:
    return tuple(s.id for s in CHECKS if s.engine in engines and (runner is None or s.runner == runner))


BREAKAGES: dict[str, Breakage] = {
    # the scanner binaries are missing (the pinned-install override points at nothing)
    "semgrep": Breakage({"app/ideogram_client.py": IDEOGRAM_CODE},
                        env={"IDEOGRAM_PROD_SEMGREP": "/nonexistent/semgrep"}),
    "secrets": Breakage({"app/settings.py": "DEBUG = True\n"},
                        env={"IDEOGRAM_PROD_DETECT_SECRETS": "/nonexistent/detect-secrets"}),
    # a file each native check must read cannot be decoded
    "k8s_manifests": Breakage({"k8s/deployment.yaml": UNREADABLE}),
    "docs": Breakage({"docs/RUNBOOK.md": UNREADABLE}),
    "alerts": Breakage({"alerts/ideogram.rules.yml": UNREADABLE}),
    "webhooks": Breakage({"app/hooks.py": UNREADABLE}),
    # a native check that crashes on hostile input (PyYAML recurses into 5000 nested lists): the crash policy
    "alerts-crash": Breakage({"alerts/ideogram.rules.yml": "groups: " + "[" * 5000 + "]" * 5000 + "\n"}),
    # the configured test runner is not installed
    "tests_pass": Breakage({".ideogram-prod.yaml": "tests:\n  enabled: true\n  command: no-such-test-runner-x\n",
                            "tests/test_a.py": "def test_a():\n    pass\n"}),
}
COVERS: dict[str, tuple[str, ...]] = {
    "semgrep": _static_ids(Engine.SEMGREP),
    "secrets": _static_ids(Engine.SECRETS),
    "alerts-crash": _static_ids(Engine.NATIVE, runner="alerts"),
    **{runner: _static_ids(Engine.NATIVE, runner=runner) for runner in BREAKAGES
       if runner not in ("semgrep", "secrets", "alerts-crash")},
}
CASES = [(key, cid) for key, ids in COVERS.items() for cid in ids]
CASE_IDS = [f"{key}:{cid}" for key, cid in CASES]


def test_every_check_that_check_runs_has_a_breakage():
    run_by_check = {s.id for s in CHECKS if s.engine is not Engine.LIVE}
    covered = {cid for _, cid in CASES} | {s.id for s in CHECKS if s.engine is Engine.GATE}
    assert run_by_check == covered, sorted(run_by_check ^ covered)


def test_the_unreadable_bytes_really_are_undecodable():
    with pytest.raises(ToolError):
        decode("x", UNREADABLE)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, GateRun]:
    """One gate run per breakage, selecting the checks it must break (module-scoped: the gate takes seconds)."""
    out: dict[str, GateRun] = {}
    for key, breakage in BREAKAGES.items():
        repo = hostile_repo(tmp_path_factory.mktemp(key), breakage.files)
        out[key] = gate(repo, "--select", ",".join(COVERS[key]), *breakage.args, env=breakage.env)
    return out


def assert_could_not_check(run: GateRun, check_id: str) -> None:
    """The shared verdict: exit 1, the check is an `error` with a reason, no traceback."""
    assert run.returncode == 1, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    result = {r["check_id"]: r for r in run.report["results"]}[check_id]  # type: ignore[index]
    assert result["status"] == "error" and result["reason"], result


@pytest.mark.parametrize(("breakage", "check_id"), CASES, ids=CASE_IDS)
def test_a_check_that_could_not_look_is_an_error(runs, breakage, check_id):
    assert_could_not_check(runs[breakage], check_id)


def test_gate_config_changed_without_its_base_ref_is_a_one_line_usage_error(tmp_path):
    # Its only input is the diff against the base: a base the checkout lacks (fetch-depth: 1) stops the whole
    # run with exit 2 before any check could pass.
    repo = hostile_repo(tmp_path, {"README.md": "# x\n"})
    pr_commit(repo, {".ideogram-prod.yaml": "exclude: ['*']\n"})
    run = gate(repo, "--select", "gate-config-changed", "--diff-base", "origin/main")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.startswith("ideogram-prod: error: ") and len(run.stderr.splitlines()) == 1
