"""The fake API server held to its peer: real kubectl (old, new and the dispatcher) against it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.cluster import Cluster
from tests.cluster.plugin import require_kubectl

# None is /usr/bin/kubectl: the GKE dispatcher that asks /version and runs kubectl.1.<minor>
VERSIONS = [None, "1.27", "1.33"]
IDS = ["dispatcher", "1.27", "1.33"]
REVISION = "deployment.kubernetes.io/revision"
HISTORY = "deployment.kubernetes.io/revision-history"
CAUSE = "kubernetes.io/change-cause"


def manifest(tmp_path: Path, image: str, cause: str, **extra_annotations: str) -> Path:
    doc = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "annotations": {CAUSE: cause, **extra_annotations}},
        "spec": {
            "replicas": 3, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": image}]}},
        },
    }
    path = tmp_path / "web.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def run(cluster: Cluster, version: str | None, *args: str, ok: bool = True, **kw: object) -> tuple[str, str]:
    result = cluster.kubectl(*args, version=version, **kw)  # type: ignore[arg-type]
    assert (result.returncode == 0) == ok, (args, result.returncode, result.stdout, result.stderr)
    return result.stdout, result.stderr


def annotations(obj: dict | None) -> dict[str, str]:
    assert obj is not None
    return dict(obj["metadata"].get("annotations") or {})


def rs_by_image(cluster: Cluster) -> dict[str, dict]:
    return {rs["spec"]["template"]["spec"]["containers"][0]["image"]: rs for rs in cluster.replicasets("web")}


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_apply_set_image_status_history_undo(cluster: Cluster, tmp_path: Path, version: str | None) -> None:
    require_kubectl(version)
    out, _ = run(cluster, version, "apply", "-f", str(manifest(tmp_path, "nginx:1.25", "v1")))
    assert out == "deployment.apps/web created\n"
    out, _ = run(cluster, version, "get", "deploy", "web")
    assert out.split("\n")[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert out.split("\n")[1].split()[:4] == ["web", "3/3", "3", "3"]
    out, _ = run(cluster, version, "rollout", "status", "deployment/web", "--timeout=10s")
    assert out == 'deployment "web" successfully rolled out\n'

    cluster.pod_ready_seconds = 10
    out, _ = run(cluster, version, "set", "image", "deployment/web", "web=nginx:1.26")
    assert out == "deployment.apps/web image updated\n"
    run(cluster, version, "annotate", "deployment/web", f"{CAUSE}=v2", "--overwrite")
    out, _ = run(cluster, version, "rollout", "status", "deployment/web", "--timeout=30s", speed=200)
    assert 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...' in out
    assert out.endswith('deployment "web" successfully rolled out\n')

    out, _ = run(cluster, version, "rollout", "history", "deployment/web")
    assert [line.split() for line in out.splitlines()[1:] if line.strip()] == [
        ["REVISION", "CHANGE-CAUSE"], ["1", "v1"], ["2", "v2"],
    ]

    cluster.clear_requests()
    out, _ = run(cluster, version, "rollout", "undo", "deployment/web")
    assert out == "deployment.apps/web rolled back\n"
    patches = cluster.requests("PATCH")
    assert len(patches) == 1 and patches[0].content_type == "application/json-patch+json"
    assert [(op["op"], op["path"]) for op in patches[0].body] == [
        ("replace", "/spec/template"), ("replace", "/metadata/annotations"),
    ]
    cluster.settle()
    d = cluster.get("deployments", "web")
    assert d is not None and d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    # the rolled-back-to RS is renumbered: 1 -> 3, no new RS or hash
    by_image = rs_by_image(cluster)
    assert len(by_image) == 2
    assert annotations(by_image["nginx:1.25"])[REVISION] == "3"
    assert annotations(by_image["nginx:1.25"])[HISTORY] == "1"
    assert annotations(by_image["nginx:1.26"])[REVISION] == "2"
    assert annotations(d)[REVISION] == "3" and annotations(d)[CAUSE] == "v1"
    out, _ = run(cluster, version, "rollout", "history", "deployment/web")
    assert [line.split() for line in out.splitlines()[2:] if line.strip()] == [["2", "v2"], ["3", "v1"]]

    out, _ = run(cluster, version, "rollout", "undo", "deployment/web", "--to-revision=2")
    assert out == "deployment.apps/web rolled back\n"
    cluster.settle()
    assert annotations(rs_by_image(cluster)["nginx:1.26"])[REVISION] == "4"
    assert annotations(rs_by_image(cluster)["nginx:1.26"])[HISTORY] == "2"

    cluster.clear_requests()
    out, _ = run(cluster, version, "rollout", "undo", "deployment/web", "--to-revision=4")
    assert out == "deployment.apps/web skipped rollback (current template already matches revision 4)\n"
    assert cluster.requests("PATCH") == []
    _, err = run(cluster, version, "rollout", "undo", "deployment/web", "--to-revision=9", ok=False)
    assert err == "error: unable to find specified revision 9 in history\n"


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_rollout_status_reports_progress_deadline_exceeded(cluster: Cluster, version: str | None) -> None:
    require_kubectl(version)
    cluster.deployment("web", "nginx:1.25", replicas=2, progressDeadlineSeconds=60)
    cluster.set_image("web", "registry.local/app:crashloop")
    out, err = run(cluster, version, "rollout", "status", "deployment/web", "--timeout=30s", speed=400, ok=False)
    assert 'Waiting for deployment "web" rollout to finish: 1 out of 2 new replicas have been updated...' in out
    assert err == 'error: deployment "web" exceeded its progress deadline\n'
    d = cluster.get("deployments", "web")
    assert d is not None
    progressing = next(c for c in d["status"]["conditions"] if c["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("False", "ProgressDeadlineExceeded")
    assert progressing["message"].endswith("has timed out progressing.")


@pytest.mark.parametrize("version", ["1.27", "1.33"])
def test_pause_resume_and_paused_undo(cluster: Cluster, version: str | None) -> None:
    require_kubectl(version)
    cluster.deployment("web", "nginx:1.25")
    cluster.set_image("web", "nginx:1.26", settle=True)
    assert run(cluster, version, "rollout", "pause", "deployment/web")[0] == "deployment.apps/web paused\n"
    cluster.clear_requests()
    _, err = run(cluster, version, "rollout", "pause", "deployment/web", ok=False)
    assert err == 'error: deployments.apps "web" is already paused\n'
    assert cluster.requests("PATCH") == []
    _, err = run(cluster, version, "rollout", "undo", "deployment/web", ok=False)
    assert err == (
        "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' "
        "and try again\n"
    )
    out, _ = run(cluster, version, "rollout", "undo", "deployment/web", "--dry-run=client")
    assert "Image:\tnginx:1.25" in out and out.rstrip().endswith("(dry run)")
    # while paused a template change makes no new ReplicaSet
    run(cluster, version, "set", "image", "deployment/web", "web=nginx:1.27")
    cluster.settle()
    assert len(cluster.replicasets("web")) == 2
    d = cluster.get("deployments", "web")
    assert d is not None
    progressing = next(c for c in d["status"]["conditions"] if c["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("Unknown", "DeploymentPaused")
    assert run(cluster, version, "rollout", "resume", "deployment/web")[0] == "deployment.apps/web resumed\n"
    _, err = run(cluster, version, "rollout", "resume", "deployment/web", ok=False)
    assert err == 'error: deployments.apps "web" is not paused\n'
    cluster.settle()
    assert [annotations(rs)[REVISION] for rs in cluster.replicasets("web")] == ["1", "2", "3"]


@pytest.mark.parametrize("version", ["1.27", "1.33"])
def test_undo_server_dry_run_does_not_persist(cluster: Cluster, version: str) -> None:
    require_kubectl(version)
    cluster.deployment("web", "nginx:1.25")
    cluster.set_image("web", "nginx:1.26", settle=True)
    before = cluster.get("deployments", "web")
    cluster.clear_requests()
    out, _ = run(cluster, version, "rollout", "undo", "deployment/web", "--dry-run=server")
    assert out == "deployment.apps/web rolled back (server dry run)\n"
    (patch,) = cluster.requests("PATCH")
    assert patch.query.get("dryRun") == "All"
    assert cluster.get("deployments", "web") == before


@pytest.mark.parametrize("version", ["1.27", "1.33"])
def test_undo_ignores_replicasets_of_other_deployments_and_drops_custom_annotations(
    cluster: Cluster, tmp_path: Path, version: str
) -> None:
    require_kubectl(version)
    run(cluster, version, "apply", "-f", str(manifest(tmp_path, "web:v1", "v1")))
    run(cluster, version, "apply", "-f", str(manifest(tmp_path, "web:v2", "v2", **{"team.example/owner": "a"})))
    # a second Deployment whose ReplicaSets carry the same app=web label and higher revisions
    cluster.deployment("other", "other:v1", labels={"app": "web", "variant": "other"})
    cluster.set_image("other", "other:v2", settle=True)
    cluster.set_image("other", "other:v3", settle=True)
    d = cluster.get("deployments", "web")
    assert annotations(d)["team.example/owner"] == "a"
    run(cluster, version, "rollout", "undo", "deployment/web")
    d = cluster.get("deployments", "web")
    assert d is not None
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "web:v1"
    kept = annotations(d)
    assert "team.example/owner" not in kept  # not on the rev-1 ReplicaSet, so undo removed it
    assert kept[CAUSE] == "v1" and "kubectl.kubernetes.io/last-applied-configuration" in kept
    other = cluster.get("deployments", "other")
    assert other is not None and other["spec"]["template"]["spec"]["containers"][0]["image"] == "other:v3"


@pytest.mark.parametrize("version", ["1.27", "1.33"])
def test_history_revision_and_missing_revision(cluster: Cluster, version: str) -> None:
    require_kubectl(version)
    cluster.deployment("web", "nginx:1.25")
    out, _ = run(cluster, version, "rollout", "history", "deployment/web", "--revision=1")
    assert out.startswith("deployment.apps/web with revision #1\nPod Template:\n")
    assert "Image:\tnginx:1.25" in out and "pod-template-hash" in out
    _, err = run(cluster, version, "rollout", "undo", "deployment/web", ok=False)
    assert err == 'error: no rollout history found for deployment "web"\n'
    _, err = run(cluster, version, "rollout", "undo", "deployment/web", "--to-revision=-1", ok=False)
    assert err == "error: unable to find specified revision -1 in history\n"


@pytest.mark.parametrize("version", ["1.27", "1.33"])
def test_get_patch_scale_and_errors(cluster: Cluster, version: str) -> None:
    require_kubectl(version)
    cluster.deployment("web", "nginx:1.25", replicas=2)
    out, _ = run(cluster, version, "get", "rs", "-l", "app=web", "-o", "name")
    assert out.startswith("replicaset.apps/web-")
    out, _ = run(cluster, version, "get", "pods", "--field-selector=status.phase=Running", "-o", "name")
    assert len(out.split()) == 2
    # strategic merge keeps the container's other fields; env merges by name
    patch = '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"A","value":"1"}]}]}}}}'
    run(cluster, version, "patch", "deployment/web", "-p", patch)
    run(cluster, version, "patch", "deployment/web", "--type=merge", "-p", '{"metadata":{"labels":{"tier":"fe"}}}')
    run(cluster, version, "patch", "deployment/web", "--type=json",
        "-p", '[{"op":"add","path":"/metadata/annotations/x","value":"y"}]')
    d = cluster.get("deployments", "web")
    assert d is not None
    (c,) = d["spec"]["template"]["spec"]["containers"]
    assert c["image"] == "nginx:1.25" and c["env"] == [{"name": "A", "value": "1"}]
    assert d["metadata"]["labels"]["tier"] == "fe" and d["metadata"]["annotations"]["x"] == "y"
    assert run(cluster, version, "scale", "deployment/web", "--replicas=4")[0] == "deployment.apps/web scaled\n"
    cluster.settle()
    assert len(cluster.pods()) == 4
    _, err = run(cluster, version, "get", "deployment", "nope", ok=False)
    assert err == 'Error from server (NotFound): deployments.apps "nope" not found\n'
