"""Our undo against real `kubectl rollout undo` on two identical Deployments of the real control plane."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.clients.kube import Kube
from checker.rollout.driver import undo
from checker.rollout.undo import UndoError
from tests.helpers.plugin import run_cli
from tests.helpers.real_k8s import ControlPlane, Namespace
from tests.helpers.real_k8s_plugin import require_real_kubectl

pytestmark = pytest.mark.real_k8s

V1, V2, V3 = "ghcr.io/acme/app:1", "ghcr.io/acme/app:2", "ghcr.io/acme/app:3"


def snapshot(ns: Namespace) -> dict[str, Any]:
    d: Any = ns.get("deployments", "web")
    rs = [(r["spec"]["template"]["spec"]["containers"][0]["image"],
           (r["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision"),
           (r["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision-history"),
           (r["metadata"].get("annotations") or {}).get("kubernetes.io/change-cause"),
           r["metadata"]["labels"]["pod-template-hash"], r["spec"]["replicas"])
          for r in ns.replicasets("web")]
    return {"template": d["spec"]["template"], "annotations": d["metadata"].get("annotations"),
            "rs": sorted(rs, key=str)}


def seeded(plane: ControlPlane, hint: str) -> Namespace:
    ns = plane.namespace(hint)
    ns.deployment("web", V1, replicas=3, container="app",
                  annotations={"kubernetes.io/change-cause": "v1", "team": "imaging"})
    return ns


def test_rollback_after_promotion_matches_kubectl_undo(real_cluster: ControlPlane, tmp_path: Path) -> None:
    require_real_kubectl()
    ours, theirs = seeded(real_cluster, "undo-ours"), seeded(real_cluster, "undo-theirs")
    base = ("--kubeconfig", str(ours.kubeconfig), "-d", "web", "-n", ours.name)
    assert run_cli("rollout", "start", "--image", V2, "--id", "r1", *base, cwd=tmp_path).returncode == 0
    assert run_cli("rollout", "promote", "--weight", "100", *base, cwd=tmp_path).returncode == 0
    theirs.set_image("web", V2)  # what our promotion sends: `kubectl set image`'s patch
    for ns in (ours, theirs):
        ns.settle("web")
    assert snapshot(ours)["rs"] == snapshot(theirs)["rs"]

    r = run_cli("rollout", "rollback", "--id", "r1", *base, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    k = theirs.kubectl("rollout", "undo", "deployment/web")
    assert k.returncode == 0 and k.stdout.strip() == "deployment.apps/web rolled back"
    for ns in (ours, theirs):
        ns.settle("web")
    assert snapshot(ours) == snapshot(theirs)
    assert [x[1] for x in sorted(snapshot(ours)["rs"], key=lambda x: int(x[1]))] == ["2", "3"]


def test_undo_conformance_cases(real_cluster: ControlPlane) -> None:
    require_real_kubectl()
    ours, theirs = seeded(real_cluster, "conf-ours"), seeded(real_cluster, "conf-theirs")
    for ns in (ours, theirs):
        for image in (V2, V3):
            ns.set_image("web", image)
            ns.settle("web")
    kube = Kube(ours.api_client(), ours.name)
    # --to-revision equal to the current one: skipped, nothing written
    rv = ours.get("deployments", "web")["metadata"]["resourceVersion"]  # type: ignore[index]
    msg = undo(kube, "web", 3)
    k = theirs.kubectl("rollout", "undo", "deployment/web", "--to-revision=3")
    skipped = "deployment.apps/web skipped rollback (current template already matches revision 3)"
    assert msg == k.stdout.strip() == skipped
    assert ours.get("deployments", "web")["metadata"]["resourceVersion"] == rv  # type: ignore[index]
    # a missing revision: kubectl's error text
    with pytest.raises(UndoError) as exc:
        undo(kube, "web", 9)
    k = theirs.kubectl("rollout", "undo", "deployment/web", "--to-revision=9")
    assert k.returncode != 0 and str(exc.value) in k.stderr
    # to revision 1: same result as kubectl
    assert undo(kube, "web", 1) == "deployment.apps/web rolled back"
    assert theirs.kubectl("rollout", "undo", "deployment/web", "--to-revision=1").returncode == 0
    for ns in (ours, theirs):
        ns.settle("web")
    assert snapshot(ours) == snapshot(theirs)
    # paused: refused with kubectl's words
    for ns in (ours, theirs):
        ns.patch("deployments", "web", {"spec": {"paused": True}})
    with pytest.raises(UndoError) as exc:
        undo(kube, "web")
    k = theirs.kubectl("rollout", "undo", "deployment/web")
    assert k.returncode != 0 and str(exc.value) in k.stderr
