"""An HPA on the rolled-out Deployment. The real HPA controller scales it: with no metrics API in this
control plane it cannot compute utilisation, but it still enforces minReplicas/maxReplicas through the
scale subresource, which is the path that fights a rollout over spec.replicas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.real_k8s import Namespace, eventually

from .helpers import IMG_NEW, IMG_OLD, record, rollout, serving_images, stable_only

pytestmark = pytest.mark.real_k8s


def hpa(name: str, min_replicas: int, max_replicas: int) -> dict[str, Any]:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                     "minReplicas": min_replicas, "maxReplicas": max_replicas,
                     "metrics": [{"type": "Resource", "resource": {
                         "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}}


def test_real_hpa_scales_the_promoted_deployment_and_a_second_rollout_keeps_its_size(kns: Namespace,
                                                                                     tmp_path: Path) -> None:
    kns.deployment("web", IMG_OLD, replicas=5, container="app")
    assert rollout(kns, tmp_path, "start", "--image", IMG_NEW).returncode == 0
    r = rollout(kns, tmp_path, "promote", "--weight", "100")
    assert r.returncode == 0, r.stderr
    stable_only(kns, IMG_NEW)

    kns.create(hpa("web", 7, 10))
    eventually(lambda: kns.get("deployments", "web")["spec"]["replicas"] == 7, timeout=60,  # type: ignore[index]
               what="the HPA controller scaling web to minReplicas")
    kns.wait_available("web")
    h = kns.get("horizontalpodautoscalers", "web")
    assert h is not None and h["status"]["desiredReplicas"] == 7
    assert serving_images(kns) == [IMG_NEW] * 7

    # A second rollout starts from what the HPA made (7), and rolling back leaves it there.
    img3 = "ghcr.io/acme/ideogram-integration:1.2"
    r = rollout(kns, tmp_path, "start", "--image", img3)
    assert r.returncode == 0, r.stderr
    state = record(kns)
    assert state is not None and state.stable_replicas == 7
    r = rollout(kns, tmp_path, "rollback", "--active")
    assert r.returncode == 0, r.stderr
    stable_only(kns, IMG_NEW, replicas=7)
    kns.wait_available("web")
