"""`ideogram-prod init`: what it writes, that it never clobbers, and that its output makes the checks green."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from checker.commands.init import FILES
from checker.config import load_config
from checker.contract import ALERTS
from tests.helpers.plugin import REPO, require_tool, run_cli

WRITTEN = tuple(rel for rel, _ in FILES)
GREEN_IDS = "docs-runbook,docs-key-rotation,docs-rollback,docs-escalation,alerts-missing"
MINIMAL_APP = {
    "app.py": '"""A tiny image service."""\n\nimport os\n\nKEY = os.environ["IDEOGRAM_API_KEY"]\n',
    "README.md": "# Tiny image service\n\nGenerates images with Ideogram.\n",
}


def test_init_writes_every_file(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert WRITTEN == (".ideogram-prod.yaml", "docs/RUNBOOK.md", "monitoring/ideogram-alerts.rules.yml",
                       "docs/instrumentation/ideogram_metrics.py", "docs/instrumentation/ideogram_metrics.ts")
    for rel in WRITTEN:
        assert (tmp_path / rel).is_file(), rel
        assert f"wrote     {rel}\n" in result.stdout
    assert "5 file(s) written, 0 skipped" in result.stdout
    assert load_config(None, tmp_path).alerts.runbook_url == "docs/RUNBOOK.md"  # valid against config.py


def test_runbook_has_the_tools_real_commands_and_every_alert_anchor(tmp_path: Path) -> None:
    run_cli("init", str(tmp_path))
    runbook = (tmp_path / "docs/RUNBOOK.md").read_text()
    for command in ('ideogram-prod rollout rollback --active --deployment "$DEPLOYMENT" --namespace "$NAMESPACE"',
                    'ideogram-prod rollout undo --deployment "$DEPLOYMENT" --namespace "$NAMESPACE"',
                    'ideogram-prod rollout status --deployment "$DEPLOYMENT" --namespace "$NAMESPACE"',
                    'kubectl -n "$NAMESPACE" rollout undo deployment/"$DEPLOYMENT"'):
        assert command in runbook
    rules = yaml.safe_load((tmp_path / "monitoring/ideogram-alerts.rules.yml").read_text())["groups"][0]["rules"]
    for spec, rule in zip(ALERTS, rules, strict=True):
        # the alert's runbook_url anchor is the lower-cased heading of its runbook section
        assert f"\n### {spec.name}\n" in runbook
        assert rule["annotations"]["runbook_url"] == f"docs/RUNBOOK.md#{spec.name.lower()}"


def test_rules_written_by_init_pass_promtool(tmp_path: Path) -> None:
    run_cli("init", str(tmp_path))
    proc = subprocess.run([require_tool("promtool"), "check", "rules", str(tmp_path / WRITTEN[2])],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/RUNBOOK.md").write_text("# Our own runbook\n")
    result = run_cli("init", str(tmp_path))
    assert result.returncode == 0
    assert "skipped   docs/RUNBOOK.md (exists; --force overwrites)" in result.stdout
    assert "4 file(s) written, 1 skipped" in result.stdout
    assert (tmp_path / "docs/RUNBOOK.md").read_text() == "# Our own runbook\n"

    again = run_cli("init", str(tmp_path))
    assert again.returncode == 0 and "0 file(s) written, 5 skipped" in again.stdout

    forced = run_cli("init", str(tmp_path), "--force")
    assert forced.returncode == 0
    assert "overwrote docs/RUNBOOK.md" in forced.stdout
    assert "## Rollback procedure" in (tmp_path / "docs/RUNBOOK.md").read_text()


def test_existing_config_shapes_the_rules(tmp_path: Path) -> None:
    (tmp_path / ".ideogram-prod.yaml").write_text(
        "alerts:\n  runbook_url: https://wiki.example.com/ideogram\n"
        "  queries:\n    rate_limited: 'sum(increase(ideogram_requests_total{status=\"429\"}[1m]))'\n")
    assert run_cli("init", str(tmp_path)).returncode == 0
    rules = {r["alert"]: r for r in yaml.safe_load((tmp_path / WRITTEN[2]).read_text())["groups"][0]["rules"]}
    assert rules["IdeogramRateLimited"]["expr"] == 'sum(increase(ideogram_requests_total{status="429"}[1m])) > 5'
    assert rules["IdeogramApiDown"]["annotations"]["runbook_url"] == "https://wiki.example.com/ideogram#ideogramapidown"


@pytest.mark.parametrize(("setup", "message"), [
    ("bad-config", ".ideogram-prod.yaml: alerts.queries: Value error, unknown alert 'nope'"),
    ("no-dir", "no such directory"),
])
def test_bad_input_exits_2_and_writes_nothing(setup: str, message: str, tmp_path: Path) -> None:
    target = tmp_path / "missing" if setup == "no-dir" else tmp_path
    if setup == "bad-config":
        (tmp_path / ".ideogram-prod.yaml").write_text("alerts:\n  queries:\n    nope: up\n")
    result = run_cli("init", str(target))
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "docs").exists()


def _green_after_init(root: Path, tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    before = run_cli("check", str(root), "--select", GREEN_IDS, "--json", str(report_path))
    assert before.returncode == 1
    assert run_cli("init", str(root)).returncode == 0
    after = run_cli("check", str(root), "--select", GREEN_IDS, "--json", str(report_path))
    report = json.loads(report_path.read_text())
    assert after.returncode == 0, report["findings"]
    assert {r["check_id"]: r["status"] for r in report["results"]} == dict.fromkeys(GREEN_IDS.split(","), "passed")


def test_init_on_a_minimal_app_makes_docs_and_alerts_green(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    for rel, text in MINIMAL_APP.items():
        (root / rel).write_text(text)
    _green_after_init(root, tmp_path)


def test_init_on_the_hardened_example_makes_docs_and_alerts_green(tmp_path: Path) -> None:
    source = REPO / "examples" / "hardened"
    if not source.is_dir():
        pytest.skip("examples/hardened is not in this checkout")
    root = tmp_path / "hardened"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("docs", "monitoring", ".ideogram-prod.yaml"))
    _green_after_init(root, tmp_path)


# --- the instrumentation snippets emit the metric contract -----------------------------------------

def test_python_snippet_emits_the_contract(tmp_path: Path) -> None:
    run_cli("init", str(tmp_path))
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from ideogram_metrics import ideogram_call, record_ideogram_call\n"
        "from prometheus_client import generate_latest\n"
        "with ideogram_call() as call:\n    call.status = 503\n"
        "try:\n    with ideogram_call():\n        raise TimeoutError\nexcept TimeoutError:\n    pass\n"
        "record_ideogram_call(401, 6.0)\n"
        "sys.stdout.write(generate_latest().decode())\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "docs/instrumentation")],
                          capture_output=True, text=True, check=True)
    exposition = proc.stdout
    for line in ('ideogram_requests_total{status="503"} 1.0', 'ideogram_requests_total{status="error"} 1.0',
                 'ideogram_requests_total{status="401"} 1.0', 'ideogram_request_duration_seconds_bucket{le="5.0"} 2.0',
                 "ideogram_request_duration_seconds_count 3.0"):
        assert line in exposition.splitlines()
    lint = subprocess.run([require_tool("promtool"), "check", "metrics"], input=exposition,
                          capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.fixture(scope="session")
def ts_toolchain() -> Path:
    """typescript + prom-client from npm, installed once per machine into the cache."""
    npm = require_tool("npm")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ideogram-prod" / "ts-snippet"
    if not (cache / "node_modules" / "prom-client").is_dir() or not (cache / "node_modules" / "typescript").is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(cache),
                               "prom-client@15", "typescript@5", "@types/node@20"],
                              capture_output=True, text=True, timeout=300, check=False)
        if proc.returncode != 0:
            pytest.fail(f"npm install failed: {proc.stderr.strip()[-300:]}")
    return cache


@pytest.mark.slow
def test_typescript_snippet_compiles_and_emits_the_contract(tmp_path: Path, ts_toolchain: Path) -> None:
    node = require_tool("node")
    run_cli("init", str(tmp_path))
    work = tmp_path / "ts"
    work.mkdir()
    shutil.copy(tmp_path / "docs/instrumentation/ideogram_metrics.ts", work)
    (work / "node_modules").symlink_to(ts_toolchain / "node_modules")
    (work / "use.ts").write_text(
        "import { register } from 'prom-client';\n"
        "import { trackIdeogramCall, recordIdeogramCall } from './ideogram_metrics';\n"
        "async function main(): Promise<void> {\n"
        "  await trackIdeogramCall(async () => ({ status: 503 }));\n"
        "  await trackIdeogramCall(async () => {\n"
        "    throw Object.assign(new Error('no'), { response: { status: 403 } });\n"
        "  }).catch(() => undefined);\n"
        "  await trackIdeogramCall(async () => { throw new Error('timeout'); }).catch(() => undefined);\n"
        "  recordIdeogramCall(200, 6);\n"
        "  process.stdout.write(await register.metrics());\n"
        "}\nvoid main();\n")
    tsc = subprocess.run([node, str(ts_toolchain / "node_modules/typescript/bin/tsc"), "--strict", "--target",
                          "es2020", "--module", "commonjs", "--skipLibCheck", "ideogram_metrics.ts", "use.ts"],
                         cwd=work, capture_output=True, text=True, check=False)
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
    out = subprocess.run([node, "use.js"], cwd=work, capture_output=True, text=True, check=True).stdout
    for line in ('ideogram_requests_total{status="503"} 1', 'ideogram_requests_total{status="403"} 1',
                 'ideogram_requests_total{status="error"} 1', 'ideogram_requests_total{status="200"} 1',
                 'ideogram_request_duration_seconds_bucket{le="5"} 3'):
        assert line in out.splitlines()
