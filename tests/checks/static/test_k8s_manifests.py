"""k8s-* checks over fixture repos, judged in-process by the scan (the CLI as a process only where the test is about
the CLI: exit codes, one-line errors, the key in no output), plus table tests of the manifest helpers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from checker.checks.static import k8s_manifests as k8s

FIXTURES = Path(__file__).parents[2] / "fixtures" / "k8s"
IDS = "k8s-key-literal,k8s-key-missing,k8s-probes-missing,k8s-resources-missing,k8s-manifest-invalid"
LITERALS = ("ik_K8sCanary7Qx2Vb9Lm4Zp1Wd6Rt3Ys", "ik_K8sCanaryGen4Tz8Qm1Xc5Vb7Nh2")


def fixture(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


def report(path: Path) -> dict:
    return json.loads(path.read_text())


def findings(doc: dict) -> list[tuple[str, str, int]]:
    return [(f["check_id"], f["location"]["path"], f["location"]["line"]) for f in doc["findings"]]


def statuses(doc: dict) -> dict[str, str]:
    return {r["check_id"]: r["status"] for r in doc["results"]}


def reasons(doc: dict) -> dict[str, str]:
    return {r["check_id"]: r["reason"] for r in doc["results"]}


def scan(root: Path, ids: str = IDS, strict: bool = False) -> tuple[int, dict]:
    """What `check ROOT --select IDS --json` decides, in-process: run_scan with the repository's config, the exit
    code (0/1) and the JSON report's dict, without starting an interpreter per test."""
    from checker import __version__
    from checker.config import load_config
    from checker.findings import Report
    from checker.registry import BY_ID
    from checker.reporters.json_v1 import report_dict
    from checker.scan import ScanRequest, run_scan

    root = root.resolve()
    config = load_config(None, root)
    results = run_scan(ScanRequest(root, config, tuple(BY_ID[i] for i in ids.split(","))))
    report = Report(__version__, results, fail_on=config.fail_on, strict=strict)
    return int(report.failed), report_dict(report)


def test_failing_fixture_reports_every_check_with_file_and_line(cli, tmp_path):
    root = fixture("failing", tmp_path)
    out = tmp_path / "r.json"
    result = cli("check", str(root), "--select", IDS, "--json", str(out))
    assert result.returncode == 1, result.stderr
    doc = report(out)
    assert sorted(findings(doc)) == sorted([
        ("k8s-manifest-invalid", "k8s/broken.yaml", 6),
        ("k8s-key-missing", "k8s/cleanup-cronjob.yaml", 12),
        ("k8s-resources-missing", "k8s/cleanup-cronjob.yaml", 13),
        ("k8s-probes-missing", "k8s/deployment.yaml", 16),
        ("k8s-key-literal", "k8s/deployment.yaml", 20),
        ("k8s-resources-missing", "k8s/deployment.yaml", 21),
        ("k8s-manifest-invalid", "k8s/invalid.yaml", 17),
        ("k8s-manifest-invalid", "k8s/invalid.yaml", 24),
        ("k8s-key-literal", "kustomize/kustomization.yaml", 10),
    ])
    assert set(statuses(doc).values()) == {"failed"}
    messages = {(f["location"]["path"], f["location"]["line"]): f["message"] for f in doc["findings"]}
    assert "unknown field 'imagePullPolicyy'" in messages[("k8s/invalid.yaml", 17)]
    assert "data.retries: expected string" in messages[("k8s/invalid.yaml", 24)]
    assert "requests.memory, limits.cpu, limits.memory" in messages[("k8s/deployment.yaml", 21)]
    # the CronJob needs no probes; the PrometheusRule CRD and the Kustomize patch are not "invalid"
    assert "1 custom resource(s) without a schema" in reasons(doc)["k8s-manifest-invalid"]
    assert "charts/app" in reasons(doc)["k8s-manifest-invalid"]


def test_passing_fixture_is_green(tmp_path):
    code, doc = scan(fixture("passing", tmp_path))
    assert code == 0, doc
    assert findings(doc) == []
    assert set(statuses(doc).values()) == {"passed"}
    assert "2 custom resource(s) without a schema" in reasons(doc)["k8s-manifest-invalid"]
    assert "Job/ideogram-backfill" in reasons(doc)["k8s-key-missing"]


def test_helm_chart_without_rendered_output_is_skipped_with_reason(tmp_path):
    root = fixture("helm-only", tmp_path)
    code, doc = scan(root)
    assert code == 0
    assert set(statuses(doc).values()) == {"skipped"}
    assert all("helm template" in r and "charts/app" in r for r in reasons(doc).values())
    assert scan(root, strict=True)[0] == 1


def test_helm_chart_with_rendered_output_is_checked(make_repo):
    rendered = (FIXTURES / "failing" / "k8s" / "deployment.yaml").read_text()
    root = make_repo({"charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
                      "charts/app/templates/d.yaml": "replicas: {{ .Values.replicas }}\n",
                      "charts/app/values.yaml": "replicas: 2\n",
                      "rendered/all.yaml": rendered})
    code, doc = scan(root)
    assert code == 1
    assert ("k8s-key-literal", "rendered/all.yaml", 20) in findings(doc)


def test_no_manifests_skips_everything(make_repo):
    code, doc = scan(make_repo({"app.py": "print('hi')\n", ".github/workflows/ci.yaml": "on: push\njobs: {}\n"}))
    assert code == 0
    assert set(statuses(doc).values()) == {"skipped"}
    assert "no Kubernetes manifests found" in reasons(doc)["k8s-key-missing"]


DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: main
          image: {image}
"""


def test_workload_checks_skip_when_no_ideogram_workload_is_found(make_repo):
    code, doc = scan(make_repo({"k8s/web.yaml": DEPLOY.format(name="web", image="nginx:1.27")}))
    assert code == 0
    got = statuses(doc)
    assert got["k8s-key-literal"] == got["k8s-manifest-invalid"] == "passed"
    assert got["k8s-key-missing"] == got["k8s-probes-missing"] == got["k8s-resources-missing"] == "skipped"
    assert "set kubernetes.workload" in reasons(doc)["k8s-key-missing"]


def test_configured_workload_is_the_one_judged(make_repo):
    root = make_repo({
        "deploy/app.yaml": DEPLOY.format(name="imagegen", image="registry.example.com/imagegen:1"),
        "deploy/ideogram-proxy.yaml": DEPLOY.format(name="ideogram-proxy", image="envoy:1"),
        ".ideogram-prod.yaml": "kubernetes:\n  workload: imagegen\n",
    })
    code, doc = scan(root, "k8s-key-missing")
    assert code == 1
    assert findings(doc) == [("k8s-key-missing", "deploy/app.yaml", 12)]
    (root / ".ideogram-prod.yaml").write_text("kubernetes:\n  workload: nope\n")
    code, doc = scan(root, "k8s-key-missing")
    assert code == 0
    assert "'nope' matches none of the 2 workload(s)" in reasons(doc)["k8s-key-missing"]


CRON = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {name}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: main
              image: {image}
"""


def three_workloads(make_repo, workload: str) -> Path:
    """web, worker and cron of one integration (none mentions ideogram or the key), plus an unrelated proxy."""
    return make_repo({
        "deploy/web.yaml": DEPLOY.format(name="imagegen-web", image="registry.example.com/web:1"),
        "deploy/worker.yaml": DEPLOY.format(name="imagegen-worker", image="registry.example.com/worker:1"),
        "deploy/cron.yaml": CRON.format(name="imagegen-cleanup", image="registry.example.com/cron:1"),
        "deploy/proxy.yaml": DEPLOY.format(name="edge-proxy", image="envoy:1"),
        ".ideogram-prod.yaml": f"kubernetes:\n  workload: {workload}\n",
    })


@pytest.mark.parametrize(("workload", "judged"), [
    ("[imagegen-web, imagegen-worker]", ["deploy/web.yaml", "deploy/worker.yaml"]),
    ("'imagegen-*'", ["deploy/cron.yaml", "deploy/web.yaml", "deploy/worker.yaml"]),
    ("[imagegen-w*, imagegen-cleanup]", ["deploy/cron.yaml", "deploy/web.yaml", "deploy/worker.yaml"]),
    ("imagegen-worker", ["deploy/worker.yaml"]),
])
def test_every_workload_a_list_or_glob_names_is_judged(cli, make_repo, tmp_path, workload, judged):
    root = three_workloads(make_repo, workload)
    out = tmp_path / "r.json"
    assert cli("check", str(root), "--select", "k8s-key-missing", "--json", str(out)).returncode == 1
    assert sorted(path for _, path, _ in findings(report(out))) == judged
    assert "edge-proxy" not in reasons(report(out))["k8s-key-missing"]


def test_a_listed_workload_that_matches_nothing_is_never_a_pass(cli, make_repo, tmp_path):
    root = three_workloads(make_repo, "[imagegen-web, imagegen-wrokr]")
    out = tmp_path / "r.json"
    # the matched workload's findings still fail the check, and the typo is named in the reason
    assert cli("check", str(root), "--select", "k8s-key-missing", "--json", str(out)).returncode == 1
    assert findings(report(out)) == [("k8s-key-missing", "deploy/web.yaml", 12)]
    assert "'imagegen-wrokr' matches none of the 4 workload(s)" in reasons(report(out))["k8s-key-missing"]
    # a listed workload with nothing to report: skipped with the unmatched name, not passed
    fixed = DEPLOY.format(name="imagegen-web", image="r/web:1").replace(
        "image: r/web:1", "image: r/web:1\n          env:\n            - name: IDEOGRAM_API_KEY\n"
        "              valueFrom: {secretKeyRef: {name: ideogram, key: api-key}}")
    (root / "deploy/web.yaml").write_text(fixed)
    assert cli("check", str(root), "--select", "k8s-key-missing", "--json", str(out)).returncode == 0
    assert statuses(report(out)) == {"k8s-key-missing": "skipped"}
    assert "'imagegen-wrokr' matches none" in reasons(report(out))["k8s-key-missing"]
    (root / ".ideogram-prod.yaml").write_text("kubernetes:\n  workload: 'nothing-*'\n")
    assert cli("check", str(root), "--select", "k8s-key-missing", "--json", str(out)).returncode == 0
    assert statuses(report(out)) == {"k8s-key-missing": "skipped"}
    assert "'nothing-*' matches none of the 4 workload(s)" in reasons(report(out))["k8s-key-missing"]


@pytest.mark.parametrize("workload", ["[]", "''", "['imagegen-web', '  ']", "{web: 1}", "[[a]]"])
def test_an_empty_or_odd_workload_setting_is_bad_config(cli, make_repo, workload):
    root = three_workloads(make_repo, workload)
    result = cli("check", str(root), "--select", "k8s-key-missing")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("ideogram-prod: error: ") and "kubernetes.workload" in result.stderr
    assert "Traceback" not in result.stderr


def test_any_yaml_with_a_workload_is_found_outside_the_configured_paths(make_repo):
    root = make_repo({"ops/ideogram.yml": DEPLOY.format(name="ideogram-api", image="img:1")})
    code, doc = scan(root, "k8s-key-missing,k8s-probes-missing")
    assert code == 1
    assert findings(doc) == [("k8s-key-missing", "ops/ideogram.yml", 12),
                                     ("k8s-probes-missing", "ops/ideogram.yml", 13)]


def test_unsupported_kubernetes_version_is_an_error_not_a_pass(make_repo):
    root = make_repo({"k8s/web.yaml": DEPLOY.format(name="web", image="nginx:1.27"),
                      ".ideogram-prod.yaml": "kubernetes:\n  kubernetes_version: '1.20'\n"})
    code, doc = scan(root, "k8s-manifest-invalid")
    assert code == 1
    assert statuses(doc) == {"k8s-manifest-invalid": "error"}
    assert "1.20 is not covered by kubernetes-validate" in reasons(doc)["k8s-manifest-invalid"]


def test_bad_kubernetes_version_in_config_is_exit_2(cli, make_repo):
    root = make_repo({".ideogram-prod.yaml": "kubernetes:\n  kubernetes_version: latest\n"})
    result = cli("check", str(root), "--select", "k8s-manifest-invalid")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "kubernetes.kubernetes_version" in result.stderr


def test_cpu_limit_can_be_waived_and_inline_suppression_works(make_repo):
    deploy = DEPLOY.format(name="ideogram-api", image="img:1") + (
        "          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n            limits: {memory: 128Mi}\n"
        "          env:\n            # ideogram-prod: ignore[k8s-key-literal] -- a dev-only key\n"
        "            - {name: IDEOGRAM_API_KEY, value: dev-only-key}\n")
    root = make_repo({"k8s/d.yaml": deploy})
    _, doc = scan(root, "k8s-resources-missing,k8s-key-literal")
    assert findings(doc) == [("k8s-resources-missing", "k8s/d.yaml", 15)]
    assert "1 suppressed inline" in reasons(doc)["k8s-key-literal"]
    (root / ".ideogram-prod.yaml").write_text("kubernetes:\n  require_cpu_limit: false\n")
    assert scan(root, "k8s-resources-missing,k8s-key-literal")[0] == 0


def test_literal_key_value_appears_in_no_output(cli, tmp_path):
    root = fixture("failing", tmp_path)
    out, sarif, summary = tmp_path / "r.json", tmp_path / "r.sarif", tmp_path / "s.md"
    result = cli("check", str(root), "--select", IDS + ",webhook-insecure-url", "-vv", "--github",
                 "--json", str(out), "--sarif", str(sarif), "--summary", str(summary))
    assert result.returncode == 1
    for text in (result.stdout, result.stderr, out.read_text(), sarif.read_text(), summary.read_text()):
        for literal in LITERALS:
            assert literal not in text
            assert literal[3:15] not in text


# --- table tests of the pure helpers ---

@pytest.mark.parametrize(("value", "placeholder"), [
    ("${IDEOGRAM_API_KEY}", True), ("<your key>", True), ("changeme", True), ("REPLACE_ME", True), ("", True),
    ("{{ .Values.key }}", True), ("xxxxxxxx", True), ("ik_9Qm2Xv7Lp4Rt8Wz1Yb6Cf3", False), ("hunter2", False),
])
def test_is_placeholder(value, placeholder):
    assert k8s.is_placeholder(value) is placeholder


def container(text: str) -> yaml.Node:
    return yaml.compose(text)


@pytest.mark.parametrize(("resources", "defaults", "cpu_limit", "gaps"), [
    ("{}", set(), True, ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]),
    ("{requests: {cpu: 1, memory: 1Gi}, limits: {cpu: 1, memory: 1Gi}}", set(), True, []),
    ("{limits: {cpu: 1, memory: 1Gi}}", set(), True, []),  # requests default to the limits
    ("{requests: {cpu: 1, memory: 1Gi}}", set(), True, ["limits.cpu", "limits.memory"]),
    ("{requests: {cpu: 1, memory: 1Gi}, limits: {memory: 1Gi}}", set(), False, []),
    ("{}", {"requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}, True, []),  # a LimitRange
])
def test_resource_gaps(resources, defaults, cpu_limit, gaps):
    node = container(f"{{name: c, resources: {resources}}}")
    assert k8s.resource_gaps(node, defaults, cpu_limit) == gaps


@pytest.mark.parametrize(("path", "expected"), [
    ([], "(document)"), (["spec"], "spec"), (["spec", "containers", 0, "env", 1, "value"],
                                            "spec.containers[0].env[1].value"),
])
def test_json_path(path, expected):
    assert k8s.json_path(path) == expected


def test_node_at_finds_the_deepest_existing_node_and_its_line():
    root = yaml.compose("a:\n  b:\n    - x: 1\n    - y: 2\n")
    assert k8s.line_of(k8s.node_at(root, ["a", "b", 1, "y"])) == 4
    assert k8s.line_of(k8s.node_at(root, ["a", "b", 7])) == 3  # stops at the sequence


def test_documents_keep_dates_as_strings_and_skip_empty_documents():
    docs = k8s.documents("---\n---\na: 2024-05-01\nb: =\n")
    assert [d.data for d in docs] == [{"a": "2024-05-01", "b": "="}]


@pytest.mark.parametrize(("files", "charts"), [
    (["charts/app/Chart.yaml", "charts/app/templates/d.yaml"], ["charts/app"]),
    (["Chart.yaml", "templates/x.yaml"], ["."]),
    (["charts/lib/Chart.yaml", "charts/lib/values.yaml"], []),  # no templates: not a renderable chart
])
def test_chart_dirs(files, charts):
    assert k8s.chart_dirs(files) == charts


def test_patch_files_named_by_a_kustomization():
    node = yaml.compose("patchesStrategicMerge: [a.yaml]\npatches:\n  - path: ./p/b.yaml\n  - patch: |-\n"
                        "      - op: remove\npatchesJson6902:\n  - {path: ../c.yaml}\n")
    assert k8s._patch_files("overlays/prod/kustomization.yaml", node) == {
        "overlays/prod/a.yaml", "overlays/prod/p/b.yaml", "overlays/c.yaml"}


def test_env_reference_is_not_a_literal(tmp_path):
    from checker.config import KubernetesConfig

    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "d.yaml").write_text(DEPLOY.format(name="ideogram", image="i") + (
        "          env:\n            - {name: RAW, valueFrom: {secretKeyRef: {name: s, key: k}}}\n"
        "            - {name: IDEOGRAM_API_KEY, value: $(RAW)}\n"))
    from checker.checks.base import NativeContext
    from checker.config import Config

    ctx = NativeContext(tmp_path, ("k8s/d.yaml",), Config(), (k8s.LITERAL,))
    inv = k8s.inventory(ctx, KubernetesConfig())
    assert k8s.literal_hits(inv, "IDEOGRAM_API_KEY") == []
    assert k8s.missing_hits(k8s.workloads(inv), "IDEOGRAM_API_KEY") == []


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: ideogram-api}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers:
        - name: api
          image: ideogram-api:1
"""


@pytest.mark.parametrize("levels", [150, 5000])
def test_deeply_nested_yaml_is_that_files_finding_and_the_rest_is_still_judged(make_repo, levels):
    nested = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: " + "[" * levels + "]" * levels
    code, doc = scan(make_repo({"k8s/deep.yaml": nested + "\n", "k8s/deployment.yaml": DEPLOYMENT}))
    assert code == 1
    assert ("k8s-manifest-invalid", "k8s/deep.yaml", 1) in findings(doc)
    assert statuses(doc)["k8s-key-missing"] == "failed"  # the other manifest was still read and judged


def test_an_undecodable_manifest_is_an_error_never_a_skipped_file(make_repo):
    root = make_repo({"k8s/deployment.yaml": DEPLOYMENT})
    (root / "k8s" / "blob.yaml").write_bytes(b"kind: \xff\x00\x01\xfe Secret\n")  # untracked: still listed
    code, doc = scan(root)
    assert code == 1
    assert set(statuses(doc).values()) == {"error"}
    assert "k8s/blob.yaml: cannot be read as text" in reasons(doc)["k8s-key-literal"]


def test_a_repository_without_manifests_is_not_applicable(make_repo):
    code, doc = scan(make_repo({"src/app.py": "print('hi')\n"}))
    assert code == 0
    assert {r["status"] for r in doc["results"]} == {"skipped"}
    assert {r["applicable"] for r in doc["results"]} == {False}
    assert {r["files"]["read"] for r in doc["results"]} == {0}


@pytest.mark.parametrize(("names", "patterns", "judged", "unmatched"), [
    (["imagegen-web", "imagegen-worker", "edge"], (), ["ideogram-integration"], []),
    (["imagegen-web", "imagegen-worker", "edge"], ("imagegen-*",), ["ideogram-integration", "imagegen-web",
                                                                   "imagegen-worker"], []),
    (["imagegen-web", "imagegen-worker"], ("imagegen-web", "imagegen-wrokr"), ["ideogram-integration",
                                                                              "imagegen-web"], ["imagegen-wrokr"]),
    ([], ("imagegen-*",), ["ideogram-integration"], ["imagegen-*"]),
])
def test_live_checks_judge_every_deployment_kubernetes_workload_names(names, patterns, judged, unmatched):
    from checker.checks.live.k8s import judged_deployments

    assert judged_deployments(names, patterns, "ideogram-integration") == (judged, unmatched)


def test_live_results_over_several_deployments_never_pass_an_unmatched_name():
    from checker.checks.live import failed, passed
    from checker.checks.live.k8s import DEPLOYMENT, _combined
    from checker.findings import Status

    ok = [passed(DEPLOYMENT, "web: 2/2 available"), passed(DEPLOYMENT, "worker: 1/1 available")]
    assert _combined(DEPLOYMENT, ok, [], "prod").status is Status.PASSED
    assert _combined(DEPLOYMENT, ok, ["wrokr"], "prod").status is Status.ERROR
    assert "'wrokr' matches no Deployment in namespace prod" in _combined(DEPLOYMENT, ok, ["wrokr"], "prod").reason
    broken = [ok[0], failed(DEPLOYMENT, "worker: only 0/1 replicas available", "deployment/prod/worker")]
    result = _combined(DEPLOYMENT, broken, ["wrokr"], "prod")
    assert result.status is Status.FAILED and len(result.findings) == 1 and "0/1" in result.reason
