"""Our undo against real `kubectl rollout undo` on identical fake clusters: same template, annotations, revisions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checker.rollout.driver import undo
from checker.rollout.kube import Kube
from checker.rollout.undo import UndoError
from tests.cluster.cluster import Cluster
from tests.cluster.plugin import require_kubectl
from tests.helpers.plugin import run_cli

V1, V2, V3 = "ghcr.io/acme/app:1", "ghcr.io/acme/app:2", "ghcr.io/acme/app:3"


def snapshot(c: Cluster) -> dict[str, Any]:
    d: Any = c.get("deployments", "web")
    rs = [(r["spec"]["template"]["spec"]["containers"][0]["image"],
           (r["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision"),
           (r["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision-history"),
           (r["metadata"].get("annotations") or {}).get("kubernetes.io/change-cause"),
           r["metadata"]["labels"]["pod-template-hash"])
          for r in c.replicasets("web")]
    template = dict(d["spec"]["template"])
    return {"template": template, "annotations": d["metadata"].get("annotations"), "rs": sorted(rs, key=str)}


def seeded(make_cluster: Callable[..., Cluster]) -> Cluster:
    c = make_cluster()
    c.deployment("web", V1, replicas=3, container="app",
                 annotations={"kubernetes.io/change-cause": "v1", "team": "imaging"})
    return c


def test_rollback_after_promotion_matches_kubectl_undo(make_cluster: Callable[..., Cluster], tmp_path: Path) -> None:
    require_kubectl()
    ours, theirs = seeded(make_cluster), seeded(make_cluster)
    base = ("--kubeconfig", str(ours.kubeconfig), "-d", "web")
    assert run_cli("rollout", "start", "--image", V2, "--id", "r1", *base, cwd=tmp_path).returncode == 0
    assert run_cli("rollout", "promote", "--weight", "100", *base, cwd=tmp_path).returncode == 0
    theirs.set_image("web", V2, settle=True)  # what our promotion sends: `kubectl set image`'s patch
    assert snapshot(ours)["rs"] == snapshot(theirs)["rs"]

    r = run_cli("rollout", "rollback", "--id", "r1", *base, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    k = theirs.kubectl("rollout", "undo", "deployment/web")
    assert k.returncode == 0 and k.stdout.strip() == "deployment.apps/web rolled back"
    theirs.settle()
    assert snapshot(ours) == snapshot(theirs)
    assert [x[1] for x in sorted(snapshot(ours)["rs"], key=lambda x: int(x[1]))] == ["2", "3"]


def test_undo_conformance_cases(make_cluster: Callable[..., Cluster]) -> None:
    require_kubectl()
    ours, theirs = seeded(make_cluster), seeded(make_cluster)
    for c in (ours, theirs):
        c.set_image("web", V2, settle=True)
        c.set_image("web", V3, settle=True)
    kube = Kube(ours.api_client(), "default")
    # --to-revision equal to the current one: skipped, no PATCH
    ours.clear_requests()
    msg = undo(kube, "web", 3)
    k = theirs.kubectl("rollout", "undo", "deployment/web", "--to-revision=3")
    skipped = "deployment.apps/web skipped rollback (current template already matches revision 3)"
    assert msg == k.stdout.strip() == skipped
    assert not ours.requests("PATCH")
    # a missing revision: kubectl's error text
    with pytest.raises(UndoError) as exc:
        undo(kube, "web", 9)
    k = theirs.kubectl("rollout", "undo", "deployment/web", "--to-revision=9")
    assert k.returncode != 0 and str(exc.value) in k.stderr
    # to revision 1: one JSON Patch with two replace ops; same result as kubectl
    ours.clear_requests()
    assert undo(kube, "web", 1) == "deployment.apps/web rolled back"
    patches = ours.requests("PATCH")
    assert len(patches) == 1
    assert theirs.kubectl("rollout", "undo", "deployment/web", "--to-revision=1").returncode == 0
    for c in (ours, theirs):
        c.settle()
    assert snapshot(ours) == snapshot(theirs)
    # paused: refused with kubectl's words
    for c in (ours, theirs):
        c.apply({**c.get("deployments", "web"), "spec": {**c.get("deployments", "web")["spec"], "paused": True}})  # type: ignore[index]
    with pytest.raises(UndoError) as exc:
        undo(kube, "web")
    k = theirs.kubectl("rollout", "undo", "deployment/web")
    assert k.returncode != 0 and str(exc.value) in k.stderr
