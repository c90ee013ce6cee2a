"""`ideogram-prod init`: what it detects and writes, that it never clobbers, and that its output, once a person has
answered the runbook's TODOs, makes the checks green."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.checks.static.docs import BY_ID, INIT_TODO, sections
from checker.commands.init import FILES, TODO_MARKER, for_platform, template
from checker.config import load_config
from checker.contract import ALERTS
from checker.stack import Stack, detect
from tests.helpers.plugin import REPO, require_tool, run_cli

GREEN_IDS = "docs-runbook,docs-key-rotation,docs-rollback,docs-escalation,alerts-missing"
DOC_IDS = ("docs-runbook", "docs-key-rotation", "docs-rollback", "docs-escalation")
MINIMAL_APP = {
    "app.py": '"""A tiny image service."""\n\nimport os\n\nKEY = os.environ["IDEOGRAM_API_KEY"]\n',
    "README.md": "# Tiny image service\n\nGenerates images with Ideogram.\n",
}
DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
COMMON = (".ideogram-prod.yaml", ".ideogram-prod.schema.json", "docs/RUNBOOK.md",
          "monitoring/ideogram-alerts.rules.yml")
PY = "docs/instrumentation/ideogram_metrics.py"
TS = "docs/instrumentation/ideogram_metrics.ts"
GATE = ".github/workflows/ideogram-prod.yml"
DEPLOY = (".github/workflows/ideogram-prod-deploy.yml", ".github/workflows/ideogram-prod-rollback.yml")
ANSWERS = {
    "docs-runbook": "Open https://grafana.example.com/d/ideogram first; incidents are handled in #inc-images.",
    "docs-key-rotation": "The key is in the Secret ideogram-api; only the platform team may create or revoke keys.",
    "docs-rollback": "The on-call engineer decides, and announces each rollback in #inc-images.",
    "docs-escalation": "PagerDuty service 'images'; manager on call: Dana Smith (+1 555 0100).",
}


def written(stdout: str) -> list[str]:
    return re.findall(r"^(?:wrote|overwrote) +(\S+)$", stdout, flags=re.M)


def fill_todos(root: Path) -> int:
    """What a person does after init: replace each TODO line with the team's real answer."""
    runbook = root / "docs/RUNBOOK.md"
    lines = runbook.read_text().splitlines(keepends=True)
    count = 0
    for section in sections("docs/RUNBOOK.md", "".join(lines)):
        topic = next((t for t in DOC_IDS if BY_ID[t].heading.search(section.title)), None)
        for i, line in enumerate(section.body):
            if topic and section.level == 2 and line.startswith(TODO_MARKER):
                lines[section.body_line + i - 1] = ANSWERS[topic] + "\n"
                count += 1
    runbook.write_text("".join(lines))
    assert INIT_TODO.search(runbook.read_text()) is None
    return count


# --- stack detection ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("files", "expected"), [
    ({"pyproject.toml": ""}, Stack(python="pyproject.toml")),
    ({"requirements-dev.txt": ""}, Stack(python="requirements-dev.txt")),
    ({"svc/setup.py": ""}, Stack(python="svc/setup.py")),
    ({"package.json": "{}"}, Stack(node="package.json")),
    ({"web/tsconfig.json": "{}"}, Stack(node="web/tsconfig.json")),
    ({"api/pyproject.toml": "", "web/package.json": "{}", "package.json": "{}"},
     Stack(python="api/pyproject.toml", node="package.json")),
    ({"deploy/app.yaml": "---\n" + DEPLOYMENT}, Stack(kubernetes="deploy/app.yaml")),
    ({"k8s/kustomization.yaml": "resources: []\n"}, Stack(kubernetes="k8s/kustomization.yaml")),
    ({"chart/Chart.yaml": "name: web\n"}, Stack(kubernetes="chart/Chart.yaml")),
    ({"chart/templates/d.yaml": "{{- if .Values.on }}\nkind: StatefulSet\n"},
     Stack(kubernetes="chart/templates/d.yaml")),
    # not evidence: dependencies, fixtures, other kinds, a kind that is not at the top level
    ({"node_modules/x/package.json": "{}", ".venv/lib/setup.py": ""}, Stack()),
    ({"tests/fixtures/app.yaml": DEPLOYMENT, "examples/pyproject.toml": ""}, Stack()),
    ({"config.yaml": "kind: ConfigMap\n", "ci.yml": "jobs:\n  x:\n    kind: Deployment\n"}, Stack()),
])
def test_detect(files: dict[str, str], expected: Stack, tmp_path: Path) -> None:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    assert detect(tmp_path) == expected


def test_detect_ignores_what_git_ignores(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated/package.json").write_text("{}")
    assert detect(tmp_path) == Stack()


# --- what init writes, per stack ------------------------------------------------------------------------

@pytest.mark.parametrize(("files", "expected", "says"), [
    ({}, (*COMMON, PY, TS, GATE), "Detected: no Python or TS/JS project file"),
    ({"package.json": "{}"}, (*COMMON, TS, GATE), "Detected: TS/JS (package.json)."),
    ({"pyproject.toml": ""}, (*COMMON, PY, GATE), "Detected: Python (pyproject.toml)."),
    ({"pyproject.toml": "", "package.json": "{}", "k8s/web.yaml": DEPLOYMENT},
     (*COMMON, PY, TS, GATE, *DEPLOY), "Detected: Python (pyproject.toml), TS/JS (package.json)."),
])
def test_init_writes_what_the_stack_needs(files: dict[str, str], expected: tuple[str, ...], says: str,
                                          tmp_path: Path) -> None:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    result = run_cli("init", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert written(result.stdout) == list(expected)
    assert says in result.stdout
    assert f"{len(expected)} file(s) written, 0 skipped" in result.stdout
    if DEPLOY[0] in expected:
        assert "Kubernetes: k8s/web.yaml; writing the deploy (canary) and rollback workflows." in result.stdout
    else:
        assert "Kubernetes: no manifests found" in result.stdout and "they are not written" in result.stdout
        assert not (tmp_path / ".github/workflows/ideogram-prod-deploy.yml").exists()
    assert "No CODEOWNERS yet. Suggested .github/CODEOWNERS" in result.stdout
    assert load_config(None, tmp_path).alerts.runbook_url == "docs/RUNBOOK.md"  # valid against config.py


def test_every_file_is_in_the_table_in_report_order() -> None:
    assert tuple(s.rel for s in FILES) == (*COMMON, PY, TS, GATE, *DEPLOY)


def test_the_workflows_init_writes_are_the_linted_templates() -> None:
    """tests/test_workflows.py lints examples/workflows/; init ships copies, which must not drift from them."""
    for name in ("pr-gate.yml", "deploy.yml", "rollback.yml"):
        assert template(name) == (REPO / "examples/workflows" / name).read_text(encoding="utf-8"), name


def test_config_names_the_schema_init_writes(tmp_path: Path) -> None:
    assert run_cli("init", str(tmp_path)).returncode == 0
    config = (tmp_path / ".ideogram-prod.yaml").read_text()
    assert config.splitlines()[0] == "# yaml-language-server: $schema=.ideogram-prod.schema.json"
    printed = run_cli("config-schema")
    assert printed.returncode == 0
    assert (tmp_path / ".ideogram-prod.schema.json").read_text() == printed.stdout
    schema = json.loads(printed.stdout)
    assert "fail_on" in schema["properties"]
    assert yaml.safe_load(config)["fail_on"] == "warning"


def test_runbook_has_the_tools_real_commands_and_every_alert_anchor(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s/web.yaml").write_text(DEPLOYMENT)
    run_cli("init", str(tmp_path))
    runbook = (tmp_path / "docs/RUNBOOK.md").read_text()
    assert "<!--" not in runbook
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


def test_without_kubernetes_the_runbook_has_no_kubectl(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{}")
    run_cli("init", str(tmp_path))
    runbook = (tmp_path / "docs/RUNBOOK.md").read_text()
    assert "<!--" not in runbook
    for k8s_only in ("kubectl", "$DEPLOYMENT", "$NAMESPACE", "rollout rollback", "secretKeyRef"):
        assert k8s_only not in runbook, k8s_only
    assert 'git revert --no-edit "$BAD_COMMIT"' in runbook
    for spec in ALERTS:
        assert f"\n### {spec.name}\n" in runbook


@pytest.mark.parametrize("kubernetes", [True, False], ids=["kubernetes", "other"])
def test_each_docs_section_of_the_runbook_has_one_todo(kubernetes: bool) -> None:
    """Every TODO sits in a section a docs-* check judges (so none can be forgotten), one per check."""
    text = for_platform(template("RUNBOOK.md.tmpl"), kubernetes)
    todos = [n for n, line in enumerate(text.splitlines(), 1) if INIT_TODO.search(line)]
    assert len(todos) == len(DOC_IDS)
    owners = {}
    for section in sections("docs/RUNBOOK.md", text):
        for check_id in DOC_IDS:
            if BY_ID[check_id].heading.search(section.title):
                inside = [n for n in todos if section.body_line <= n < section.body_line + len(section.body)]
                owners[check_id] = owners.get(check_id, []) + inside
    assert sorted(n for ns in owners.values() for n in ns) == todos
    assert all(len(ns) == 1 for ns in owners.values()), owners


def test_rules_written_by_init_pass_promtool(tmp_path: Path) -> None:
    run_cli("init", str(tmp_path))
    proc = subprocess.run([require_tool("promtool"), "check", "rules", str(tmp_path / COMMON[3])],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/RUNBOOK.md").write_text("# Our own runbook\n")
    result = run_cli("init", str(tmp_path))
    assert result.returncode == 0
    assert "skipped   docs/RUNBOOK.md (exists; --force overwrites)" in result.stdout
    assert "5 file(s) written, 1 skipped" in result.stdout
    assert (tmp_path / "docs/RUNBOOK.md").read_text() == "# Our own runbook\n"
    assert "Next: check that docs/RUNBOOK.md covers" in result.stdout

    again = run_cli("init", str(tmp_path))
    assert again.returncode == 0 and "0 file(s) written, 6 skipped" in again.stdout

    forced = run_cli("init", str(tmp_path), "--force")
    assert forced.returncode == 0
    assert "overwrote docs/RUNBOOK.md" in forced.stdout
    assert "## Rollback procedure" in (tmp_path / "docs/RUNBOOK.md").read_text()


def test_existing_config_shapes_the_rules(tmp_path: Path) -> None:
    (tmp_path / ".ideogram-prod.yaml").write_text(
        "alerts:\n  runbook_url: https://wiki.example.com/ideogram\n"
        "  queries:\n    rate_limited: 'sum(increase(ideogram_requests_total{status=\"429\"}[1m]))'\n")
    assert run_cli("init", str(tmp_path)).returncode == 0
    rules = {r["alert"]: r for r in yaml.safe_load((tmp_path / COMMON[3]).read_text())["groups"][0]["rules"]}
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
    """Red before init, red with init's TODOs (at their lines), green once a person has answered them."""
    report_path = tmp_path / "report.json"

    def check() -> tuple[int, dict[str, Any]]:
        result = run_cli("check", str(root), "--select", GREEN_IDS, "--json", str(report_path))
        return result.returncode, json.loads(report_path.read_text())

    assert check()[0] == 1
    assert run_cli("init", str(root)).returncode == 0
    code, report = check()
    assert code == 1  # init's config fails on warnings: the TODOs block until they are done
    todo_lines = [n for n, line in enumerate((root / "docs/RUNBOOK.md").read_text().splitlines(), 1)
                  if INIT_TODO.search(line)]
    found = {(f["check_id"], f["location"]["path"], f["location"]["line"]) for f in report["findings"]}
    assert {(c, line) for c, _, line in found} == set(zip(DOC_IDS, todo_lines, strict=True))
    assert {path for _, path, _ in found} == {"docs/RUNBOOK.md"}
    assert fill_todos(root) == len(DOC_IDS)
    code, report = check()
    assert code == 0, report["findings"]
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
