"""Real kubectl (the GKE dispatcher, 1.27 and 1.33) against the real control plane: rollout status/history/undo/
pause/resume, as the product's own undo and the cross-checks in test_undo.py rely on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.real_k8s import READY_DELAY, Namespace, eventually
from tests.helpers.real_k8s_plugin import require_real_kubectl

pytestmark = pytest.mark.real_k8s

# None is /usr/bin/kubectl: the GKE dispatcher that asks /version and runs kubectl.1.<minor> (a build it
# has, for this 1.36 server). The oldest build and the dispatcher cover the rollout verbs; the rest need one kubectl.
VERSIONS = [None, "1.27"]
IDS = ["dispatcher", "1.27"]
REVISION = "deployment.kubernetes.io/revision"
HISTORY = "deployment.kubernetes.io/revision-history"
CAUSE = "kubernetes.io/change-cause"


def manifest(tmp_path: Path, image: str, cause: str, ready_delay: str = "1s", **extra_annotations: str) -> Path:
    doc = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "annotations": {CAUSE: cause, **extra_annotations}},
        "spec": {
            "replicas": 3, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}, "annotations": {READY_DELAY: ready_delay}},
                         "spec": {"containers": [{"name": "web", "image": image}]}},
        },
    }
    path = tmp_path / "web.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def run(ns: Namespace, version: str | None, *args: str, ok: bool = True, **kw: Any) -> tuple[str, str]:
    result = ns.kubectl(*args, version=version, **kw)
    assert (result.returncode == 0) == ok, (args, result.returncode, result.stdout, result.stderr)
    return result.stdout, result.stderr


def annots(obj: dict[str, Any] | None) -> dict[str, str]:
    assert obj is not None
    return dict(obj["metadata"].get("annotations") or {})


def rs_by_image(ns: Namespace) -> dict[str, dict[str, Any]]:
    return {rs["spec"]["template"]["spec"]["containers"][0]["image"]: rs for rs in ns.replicasets("web")}


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_apply_set_image_status_history_undo(kns: Namespace, tmp_path: Path, version: str | None) -> None:
    require_real_kubectl(version)
    out, _ = run(kns, version, "apply", "-f", str(manifest(tmp_path, "nginx:1.25", "v1")))
    assert out == "deployment.apps/web created\n"
    out, _ = run(kns, version, "rollout", "status", "deployment/web", "--timeout=60s")
    assert out.endswith('deployment "web" successfully rolled out\n')
    out, _ = run(kns, version, "get", "deploy", "web")
    assert out.split("\n")[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert out.split("\n")[1].split()[:4] == ["web", "3/3", "3", "3"]

    out, _ = run(kns, version, "set", "image", "deployment/web", "web=nginx:1.26")
    assert out == "deployment.apps/web image updated\n"
    run(kns, version, "annotate", "deployment/web", f"{CAUSE}=v2", "--overwrite")
    out, _ = run(kns, version, "rollout", "status", "deployment/web", "--timeout=60s")
    assert 'Waiting for deployment "web" rollout to finish: ' in out
    assert out.endswith('deployment "web" successfully rolled out\n')

    out, _ = run(kns, version, "rollout", "history", "deployment/web")
    assert [line.split() for line in out.splitlines()[1:] if line.strip()] == [
        ["REVISION", "CHANGE-CAUSE"], ["1", "v1"], ["2", "v2"],
    ]

    out, _ = run(kns, version, "rollout", "undo", "deployment/web")
    assert out == "deployment.apps/web rolled back\n"
    kns.wait_available("web")
    d = kns.get("deployments", "web")
    assert d is not None and d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    # the rolled-back-to RS is renumbered: 1 -> 3, no new RS or hash
    by_image = rs_by_image(kns)
    assert len(by_image) == 2
    assert annots(by_image["nginx:1.25"])[REVISION] == "3"
    assert annots(by_image["nginx:1.25"])[HISTORY] == "1"
    assert annots(by_image["nginx:1.26"])[REVISION] == "2"
    assert annots(d)[REVISION] == "3" and annots(d)[CAUSE] == "v1"
    out, _ = run(kns, version, "rollout", "history", "deployment/web")
    assert [line.split() for line in out.splitlines()[2:] if line.strip()] == [["2", "v2"], ["3", "v1"]]

    out, _ = run(kns, version, "rollout", "undo", "deployment/web", "--to-revision=2")
    assert out == "deployment.apps/web rolled back\n"
    kns.wait_available("web")
    eventually(lambda: annots(rs_by_image(kns)["nginx:1.26"]).get(REVISION) == "4", timeout=30)
    assert annots(rs_by_image(kns)["nginx:1.26"])[HISTORY] == "2"

    before = kns.get("deployments", "web")["metadata"]["resourceVersion"]  # type: ignore[index]
    out, _ = run(kns, version, "rollout", "undo", "deployment/web", "--to-revision=4")
    assert out == "deployment.apps/web skipped rollback (current template already matches revision 4)\n"
    assert kns.get("deployments", "web")["metadata"]["resourceVersion"] == before  # type: ignore[index]
    _, err = run(kns, version, "rollout", "undo", "deployment/web", "--to-revision=9", ok=False)
    assert err == "error: unable to find specified revision 9 in history\n"


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_rollout_status_reports_progress_deadline_exceeded(kns: Namespace, version: str | None) -> None:
    require_real_kubectl(version)
    kns.deployment("web", "nginx:1.25", replicas=2, progressDeadlineSeconds=5)
    kns.set_image("web", "registry.local/app:crashloop")
    out, err = run(kns, version, "rollout", "status", "deployment/web", "--timeout=90s", ok=False)
    assert 'Waiting for deployment "web" rollout to finish: 1 out of 2 new replicas have been updated...' in out
    assert err == 'error: deployment "web" exceeded its progress deadline\n'
    d = kns.get("deployments", "web")
    assert d is not None
    progressing = next(c for c in d["status"]["conditions"] if c["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("False", "ProgressDeadlineExceeded")
    assert progressing["message"].endswith("has timed out progressing.")


@pytest.mark.parametrize("version", ["1.33"])
def test_pause_resume_and_paused_undo(kns: Namespace, version: str) -> None:
    require_real_kubectl(version)
    kns.deployment("web", "nginx:1.25")
    kns.set_image("web", "nginx:1.26")
    kns.settle("web")
    assert run(kns, version, "rollout", "pause", "deployment/web")[0] == "deployment.apps/web paused\n"
    _, err = run(kns, version, "rollout", "pause", "deployment/web", ok=False)
    assert err == 'error: deployments.apps "web" is already paused\n'
    _, err = run(kns, version, "rollout", "undo", "deployment/web", ok=False)
    assert err == (
        "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' "
        "and try again\n"
    )
    out, _ = run(kns, version, "rollout", "undo", "deployment/web", "--dry-run=client")
    assert "Image:\tnginx:1.25" in out and out.rstrip().endswith("(dry run)")
    # while paused a template change makes no new ReplicaSet
    run(kns, version, "set", "image", "deployment/web", "web=nginx:1.27")

    def paused_condition() -> tuple[str, str] | None:
        d = kns.get("deployments", "web") or {}
        c = next((c for c in (d.get("status") or {}).get("conditions") or [] if c["type"] == "Progressing"), None)
        return (c["status"], c["reason"]) if c and c["reason"] == "DeploymentPaused" else None

    assert eventually(paused_condition, timeout=30) == ("Unknown", "DeploymentPaused")
    assert len(kns.replicasets("web")) == 2
    assert run(kns, version, "rollout", "resume", "deployment/web")[0] == "deployment.apps/web resumed\n"
    _, err = run(kns, version, "rollout", "resume", "deployment/web", ok=False)
    assert err == 'error: deployments.apps "web" is not paused\n'
    kns.settle("web")
    assert [annots(rs)[REVISION] for rs in kns.replicasets("web")] == ["1", "2", "3"]


@pytest.mark.parametrize("version", ["1.33"])
def test_undo_server_dry_run_does_not_persist(kns: Namespace, version: str) -> None:
    require_real_kubectl(version)
    kns.deployment("web", "nginx:1.25")
    kns.set_image("web", "nginx:1.26")
    kns.settle("web")
    before = kns.get("deployments", "web")
    out, _ = run(kns, version, "rollout", "undo", "deployment/web", "--dry-run=server")
    assert out == "deployment.apps/web rolled back (server dry run)\n"
    assert kns.get("deployments", "web") == before


@pytest.mark.parametrize("version", ["1.33"])
def test_undo_ignores_replicasets_of_other_deployments_and_drops_custom_annotations(
    kns: Namespace, tmp_path: Path, version: str
) -> None:
    require_real_kubectl(version)
    run(kns, version, "apply", "-f", str(manifest(tmp_path, "web:v1", "v1")))
    kns.wait_available("web")
    run(kns, version, "apply", "-f", str(manifest(tmp_path, "web:v2", "v2", **{"team.example/owner": "a"})))
    kns.wait_available("web")
    # a second Deployment whose ReplicaSets carry the same app=web label and higher revisions
    kns.deployment("other", "other:v1", labels={"app": "web", "variant": "other"})
    for image in ("other:v2", "other:v3"):
        kns.set_image("other", image)
        kns.wait_available("other")
    d = kns.get("deployments", "web")
    assert annots(d)["team.example/owner"] == "a"
    run(kns, version, "rollout", "undo", "deployment/web")
    d = kns.get("deployments", "web")
    assert d is not None
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "web:v1"
    kept = annots(d)
    assert "team.example/owner" not in kept  # not on the rev-1 ReplicaSet, so undo removed it
    assert kept[CAUSE] == "v1" and "kubectl.kubernetes.io/last-applied-configuration" in kept
    other = kns.get("deployments", "other")
    assert other is not None and other["spec"]["template"]["spec"]["containers"][0]["image"] == "other:v3"


@pytest.mark.parametrize("version", ["1.33"])
def test_history_revision_and_missing_revision(kns: Namespace, version: str) -> None:
    require_real_kubectl(version)
    kns.deployment("web", "nginx:1.25")
    out, _ = run(kns, version, "rollout", "history", "deployment/web", "--revision=1")
    assert out.startswith("deployment.apps/web with revision #1\nPod Template:\n")
    assert "Image:\tnginx:1.25" in out and "pod-template-hash" in out
    _, err = run(kns, version, "rollout", "undo", "deployment/web", ok=False)
    assert err == 'error: no rollout history found for deployment "web"\n'
    _, err = run(kns, version, "rollout", "undo", "deployment/web", "--to-revision=-1", ok=False)
    assert err == "error: unable to find specified revision -1 in history\n"


@pytest.mark.parametrize("version", ["1.33"])
def test_get_patch_scale_and_errors(kns: Namespace, version: str) -> None:
    require_real_kubectl(version)
    kns.deployment("web", "nginx:1.25", replicas=2)
    out, _ = run(kns, version, "get", "rs", "-l", "app=web", "-o", "name")
    assert out.startswith("replicaset.apps/web-")
    out, _ = run(kns, version, "get", "pods", "--field-selector=status.phase=Running", "-o", "name")
    assert len(out.split()) == 2
    # strategic merge keeps the container's other fields; env merges by name
    patch = '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"A","value":"1"}]}]}}}}'
    run(kns, version, "patch", "deployment/web", "-p", patch)
    run(kns, version, "patch", "deployment/web", "--type=merge", "-p", '{"metadata":{"labels":{"tier":"fe"}}}')
    run(kns, version, "patch", "deployment/web", "--type=json",
        "-p", '[{"op":"add","path":"/metadata/annotations/x","value":"y"}]')
    d = kns.get("deployments", "web")
    assert d is not None
    (c,) = d["spec"]["template"]["spec"]["containers"]
    assert c["image"] == "nginx:1.25" and c["env"] == [{"name": "A", "value": "1"}]
    assert d["metadata"]["labels"]["tier"] == "fe" and d["metadata"]["annotations"]["x"] == "y"
    assert run(kns, version, "scale", "deployment/web", "--replicas=4")[0] == "deployment.apps/web scaled\n"
    kns.settle("web")
    assert len(kns.pods()) == 4
    _, err = run(kns, version, "get", "deployment", "nope", ok=False)
    assert err == 'Error from server (NotFound): deployments.apps "nope" not found\n'
