"""The deploy and rollback templates run for real by act: a canary stage, its gate and the rollback job, against the
fake cluster and a real Prometheus."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.docs_links import REPOSITORY
from tests.fakes.cluster.cluster import Cluster
from tests.helpers.plugin import run_cli
from tests.helpers.prometheus import PrometheusServer, scraped_cases
from tests.test_action import PREPARE_OK, ROOT, Runner, act, act_repo, run_step

IMG_OLD, IMG_NEW = "ghcr.io/acme/my-app:1.0", "ghcr.io/acme/my-app:1.1"
APP, NS, REPLICAS = "my-app", "production", 5  # the names the templates use
TEMPLATE_ACTION = re.compile(rf"^{re.escape(REPOSITORY)}@[0-9a-f]{{40}}$")  # docs_links names the templates' pin
OUTPUTS = ("result", "stage", "phase", "canary-share", "image", "previous-image", "revision", "previous-revision",
           "verdict", "rollout-id", "report-json", "summary-file")
# One canary exporter per case with its own `case` label; the repo's config picks the case through the selector.
CASES: dict[str, tuple[dict[str, float], float]] = {
    "healthy": ({"200": 1.0}, 0.2),
    "api_down": ({"200": 0.8, "500": 0.2}, 0.2),  # 240 5xx/min breaches the seed alert's 10/min
}
RPS = 20.0


@pytest.fixture(scope="module")
def metrics(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    with scraped_cases(tmp_path_factory.mktemp("prom"), CASES, RPS) as prom:
        yield prom


@pytest.fixture
def app(cluster: Cluster) -> Cluster:
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    cluster.deployment(APP, IMG_OLD, replicas=REPLICAS, namespace=NS, container="app")
    cluster.service(APP, selector={"app": APP}, namespace=NS)
    return cluster


def config(case: str = "healthy") -> str:
    """The user's .ideogram-prod.yaml: which canary series the gates read. Prometheus comes from the workflow."""
    return yaml.safe_dump({"rollout": {"canary_selector": f'track="canary", case="{case}"',
                                       "stable_selector": 'track="stable"'}})


def adapt(wf: dict[Any, Any], kubeconfig: Path, **with_: str) -> dict[Any, Any]:
    """Each `org/ideogram-prod@SHA` step becomes `uses: ./` with the test cluster's kubeconfig (where the template
    has its cloud login), followed by a step that prints the action's outputs as `OUTPUT <job> <NAME>=<value>`."""
    wf["on"] = wf.pop(True)
    for job_id, job in wf["jobs"].items():
        steps: list[dict[str, Any]] = []
        for step in job["steps"]:
            steps.append(step)
            if not TEMPLATE_ACTION.match(str(step.get("uses", "")).split(" ")[0]):
                continue
            step["uses"] = "./"
            step.setdefault("id", "ideogram-prod")
            step["with"]["kubeconfig"] = str(kubeconfig)
            step["with"].update({k: v for k, v in with_.items() if k in step["with"]})
            steps.append({
                "name": "Print outputs", "if": "always()",
                "env": {"JOB": job_id, **{f"OUT_{n.upper().replace('-', '_')}": f"${{{{ steps.{step['id']}.outputs.{n} }}}}"
                                          for n in OUTPUTS}},
                "run": 'env | grep "^OUT_" | sort | sed "s/^/OUTPUT $JOB /"',
            })
        job["steps"] = steps
    return wf


def deploy_workflow(kubeconfig: Path) -> str:
    """examples/workflows/deploy.yml cut to its first stage: canary 10% -> analyze 10% -> rollback on failure.
    Preflight (the live Ideogram API) and the later stages are left out; their jobs are the same action."""
    wf = yaml.safe_load((ROOT / "examples/workflows/deploy.yml").read_text(encoding="utf-8"))
    wf["jobs"] = {k: wf["jobs"][k] for k in ("canary-10", "analyze-10", "rollback")}
    assert wf["jobs"]["canary-10"].pop("needs") == "preflight"
    assert wf["jobs"]["rollback"]["if"] == "${{ failure() || cancelled() }}"
    wf["jobs"]["rollback"]["needs"] = ["canary-10", "analyze-10"]
    return yaml.safe_dump(adapt(wf, kubeconfig, duration="10s", interval="2s"), sort_keys=False)


def rollback_workflow(kubeconfig: Path) -> str:
    wf = yaml.safe_load((ROOT / "examples/workflows/rollback.yml").read_text(encoding="utf-8"))
    return yaml.safe_dump(adapt(wf, kubeconfig), sort_keys=False)


def run_workflow(tmp_path: Path, name: str, text: str, case: str, inputs: dict[str, Any],
                 *args: str) -> tuple[int, str]:
    repo = act_repo(tmp_path, {name: text}, files={".ideogram-prod.yaml": config(case)})
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"inputs": inputs}))
    code, log = act(repo, "workflow_dispatch", name, "-e", str(event), *args, timeout=240)
    (tmp_path / "act.log").write_text(log)  # kept for a failing test's post-mortem
    return code, log


def outputs(log: str) -> dict[str, dict[str, str]]:
    """{job: {OUTPUT_NAME: value}} from the Print outputs steps (empty outputs left out)."""
    found: dict[str, dict[str, str]] = {}
    for job, key, value in re.findall(r"OUTPUT (\S+) OUT_([A-Z_]+)=(.*)$", log, flags=re.MULTILINE):
        if value.strip():
            found.setdefault(job, {})[key] = value.strip()
    return found


def summaries(log: str) -> str:
    """What the steps appended to $GITHUB_STEP_SUMMARY: act logs it as `Summary - <markdown>`, the Markdown's
    further lines unprefixed until the next `[workflow/job]` line."""
    kept: list[str] = []
    inside = False
    for line in log.splitlines():
        if line.startswith("["):
            inside = "Summary - " in line
            if inside:
                kept.append(line.split("Summary - ", 1)[1])
        elif inside:
            kept.append(line)
    return "\n".join(kept)


def pod_images(c: Cluster, selector: dict[str, str] | None = None) -> list[str]:
    return sorted(p["spec"]["containers"][0]["image"] for p in c.pods(NS, selector or {"app": APP}))


def assert_stable_only(c: Cluster) -> None:
    d = c.get("deployments", APP, NS)
    assert d is not None and d["spec"]["replicas"] == REPLICAS
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == IMG_OLD
    assert c.get("deployments", f"{APP}-canary", NS) is None
    assert pod_images(c) == [IMG_OLD] * REPLICAS


def snapshot(c: Cluster) -> dict[str, str]:
    """resourceVersion of every Deployment, ConfigMap and Pod in the namespace: equal means nothing changed."""
    return {f"{kind}/{o['metadata']['name']}": o["metadata"]["resourceVersion"]
            for kind in ("deployments", "configmaps", "pods") for o in c.list(kind, NS)}


@pytest.mark.slow
def test_deploy_canary_stage_and_analysis_pass(app: Cluster, metrics: PrometheusServer, tmp_path: Path) -> None:
    code, log = run_workflow(tmp_path, "deploy.yml", deploy_workflow(app.kubeconfig), "healthy", {"image": IMG_NEW},
                             "--var", f"PROMETHEUS_URL={metrics.url}")
    assert code == 0, log[-4000:]
    out = outputs(log)
    stage, gate = out["canary-10"], out["analyze-10"]
    assert (stage["RESULT"], stage["STAGE"], stage["CANARY_SHARE"], stage["VERDICT"], stage["PHASE"]) == \
        ("pass", "10", "10.0", "pass", "canary")
    assert (stage["IMAGE"], stage["PREVIOUS_IMAGE"]) == (IMG_NEW, IMG_OLD)
    assert re.fullmatch(r"gh-\d+", stage["ROLLOUT_ID"]), stage
    assert (gate["RESULT"], gate["VERDICT"], gate["STAGE"], gate["CANARY_SHARE"]) == ("pass", "pass", "10", "10.0")
    assert gate["ROLLOUT_ID"] == stage["ROLLOUT_ID"]
    # The replicas strategy leaves the stable Deployment alone: its revision is still the one the rollout came from.
    for job in (stage, gate):
        assert (job["REVISION"], job["PREVIOUS_REVISION"]) == ("1", "1"), job
    assert "my-app: stage 10% held for 10s" in log
    assert "rollback" not in out and "deploy/rollback" not in log, "no rollback job when every stage passed"
    summary = summaries(log)
    assert "## ideogram-prod rollout: my-app — start" in summary
    assert "## ideogram-prod rollout: my-app — analyze" in summary
    assert "| Gate | Verdict | Value | Threshold | Requests | At | Query |" in summary
    for gate_id in ("api_down", "high_latency", "rate_limited", "auth_failures"):
        assert f"| {gate_id} | pass |" in summary
    assert "Traceback" not in log
    # The cluster is where the stage left it: one canary pod of the new image beside the stable.
    assert pod_images(app, {"app": APP, "track": "canary"}) == [IMG_NEW]
    assert app.get("deployments", APP, NS)["spec"]["template"]["spec"]["containers"][0]["image"] == IMG_OLD  # type: ignore[index]


@pytest.mark.slow
def test_deploy_breaching_canary_fails_and_the_rollback_job_restores_stable(
        app: Cluster, metrics: PrometheusServer, tmp_path: Path) -> None:
    code, log = run_workflow(tmp_path, "deploy.yml", deploy_workflow(app.kubeconfig), "api_down", {"image": IMG_NEW},
                             "--var", f"PROMETHEUS_URL={metrics.url}")
    assert code != 0, log[-4000:]
    out = outputs(log)
    assert (out["canary-10"]["RESULT"], out["canary-10"]["CANARY_SHARE"]) == ("pass", "10.0")
    gate = out["analyze-10"]
    assert (gate["RESULT"], gate["VERDICT"], gate["STAGE"]) == ("fail", "fail", "10")
    assert "my-app: stage 10% failed: compare-5xx: fail (5xx ratio worse on the canary" in log
    assert "Error: Job 'analyze 10%' failed" in log
    # The rollback job ran after the failed analysis, and succeeded.
    assert log.index("🏁  Job failed") < log.index("[ideogram-prod deploy/rollback") < log.rindex("🏁  Job succeeded")
    back = out["rollback"]
    assert (back["RESULT"], back["VERDICT"], back["PHASE"], back["STAGE"], back["CANARY_SHARE"]) == \
        ("pass", "rolled-back", "rolled-back", "0", "0.0")
    summary = summaries(log)
    assert "| compare-5xx | fail |" in summary
    assert "## ideogram-prod rollout: my-app — rollback" in summary
    assert "Traceback" not in log
    assert_stable_only(app)


def preflight_failure_workflow(kubeconfig: Path) -> str:
    """examples/workflows/deploy.yml cut to preflight (made to fail, as a down Ideogram API would) and the rollback
    job, exactly as the template wires it."""
    wf = yaml.safe_load((ROOT / "examples/workflows/deploy.yml").read_text(encoding="utf-8"))
    wf["jobs"] = {k: wf["jobs"][k] for k in ("preflight", "rollback")}
    wf["jobs"]["preflight"]["steps"] = [{"name": "preflight fails", "run": "exit 1"}]
    wf["jobs"]["preflight"].pop("environment")
    wf["jobs"]["rollback"]["needs"] = ["preflight"]
    return yaml.safe_dump(adapt(wf, kubeconfig), sort_keys=False)


@pytest.mark.slow
def test_failed_preflight_never_reverts_the_healthy_release_of_an_earlier_run(app: Cluster, tmp_path: Path) -> None:
    """Harm 1 of the rollout v2 issue, as the template runs it: run 1 promoted IMG_NEW; run 2's preflight fails and
    its rollback job runs. Before the fix it reverted run 1's healthy release to IMG_OLD."""
    base = ("--kubeconfig", str(app.kubeconfig), "-d", APP, "-n", NS)
    run1 = {"GITHUB_RUN_ID": "41"}
    assert run_cli("rollout", "start", "--image", IMG_NEW, *base, cwd=tmp_path, env=run1).returncode == 0
    assert run_cli("rollout", "promote", "--weight", "100", *base, cwd=tmp_path, env=run1).returncode == 0
    before = snapshot(app)
    code, log = run_workflow(tmp_path, "deploy.yml", preflight_failure_workflow(app.kubeconfig), "healthy",
                             {"image": "ghcr.io/acme/my-app:1.2"})
    assert code != 0, log[-4000:]
    assert "[ideogram-prod deploy/rollback" in log, "the rollback job ran after the failed preflight"
    back = outputs(log)["rollback"]
    assert (back["RESULT"], back["VERDICT"]) == ("pass", "none"), back
    assert re.search(r"rollout gh-\d+ is not in the cluster \(it holds rollout gh-41 \(promoted\)\)", log)
    assert snapshot(app) == before, "the rollback job changed the cluster"
    d = app.get("deployments", APP, NS)
    assert d is not None and d["spec"]["template"]["spec"]["containers"][0]["image"] == IMG_NEW
    assert "Traceback" not in log


def start_canary(c: Cluster, tmp_path: Path) -> None:
    r = run_cli("rollout", "start", "--image", IMG_NEW, "--kubeconfig", str(c.kubeconfig), "-d", APP, "-n", NS,
                cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert pod_images(c, {"app": APP, "track": "canary"}) == [IMG_NEW]


@pytest.mark.slow
@pytest.mark.parametrize("dry_run", [False, True])
def test_manual_rollback_template(app: Cluster, tmp_path: Path, dry_run: bool) -> None:
    start_canary(app, tmp_path)
    before = snapshot(app)
    # Every input a string, as in GitHub's workflow_dispatch payload: act makes `inputs.dry_run` true only from the
    # string "true" (a JSON true in the event file reads as false, and the "dry run" would really roll back).
    inputs = {"environment": "production-rollback", "deployment": APP, "namespace": NS, "rollout-id": "active",
              "revision": "", "reason": "canary 5xx | paged", "dry_run": str(dry_run).lower()}
    code, log = run_workflow(tmp_path, "rollback.yml", rollback_workflow(app.kubeconfig), "healthy", inputs)
    assert code == 0, log[-4000:]
    out = outputs(log)["rollback"]
    summary = summaries(log)
    assert "## Manual rollback" in summary and "- reason: canary 5xx | paged" in summary
    assert f"- dry run: {str(dry_run).lower()}" in summary and "- action: roll back rollout active" in summary
    assert "Traceback" not in log
    if dry_run:
        # `status` instead of `rollback`: it reports where the rollout stands and changes nothing.
        assert (out["RESULT"], out["VERDICT"], out["STAGE"], out["IMAGE"]) == ("pass", "canary", "10", IMG_NEW)
        assert "## ideogram-prod rollout: my-app — status" in summary
        assert snapshot(app) == before
        assert pod_images(app, {"app": APP, "track": "canary"}) == [IMG_NEW]
    else:
        assert (out["RESULT"], out["VERDICT"], out["PREVIOUS_IMAGE"]) == ("pass", "rolled-back", IMG_OLD)
        assert "## ideogram-prod rollout: my-app — rollback" in summary
        assert_stable_only(app)


@pytest.mark.parametrize(("value", "flag"), [("true", ["--rollback-on-failure"]), ("false", [])])
def test_rollback_on_failure_input_reaches_analyze(value: str, flag: list[str], tmp_path: Path) -> None:
    """The action's rollback-on-failure input (issue 12, harm 6) becomes analyze's flag, and only for analyze."""
    data = run_step(tmp_path, IP_COMMAND="rollout-analyze", IP_DURATION="10m", IP_ROLLBACK_ON_FAILURE=value)
    assert data["argv"][:4] == ["rollout", "analyze", "--duration", "10m"]
    assert ("--rollback-on-failure" in data["argv"]) is bool(flag)
    promote = run_step(tmp_path, IP_COMMAND="rollout-promote", IP_WEIGHT="50", IP_ROLLBACK_ON_FAILURE=value)
    assert "--rollback-on-failure" not in promote["argv"]


@pytest.mark.parametrize("value", ["yes", "true; id", "$(id)"])
def test_rollback_on_failure_input_rejects_anything_but_true_or_false(value: str, tmp_path: Path) -> None:
    proc = Runner(tmp_path).step("prepare", **{**PREPARE_OK, "PATH": "/nonexistent:/usr/bin:/bin",
                                              "IP_ROLLBACK_ON_FAILURE": value})
    assert proc.returncode == 2
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "input rollback-on-failure: must be true or false" in errors[0], proc.stdout
