"""The fake deployment controller and patch engine, against what the real ones do."""

from __future__ import annotations

import pytest

from tests.fakes.cluster import Cluster
from tests.fakes.cluster.patch import json_patch, merge_patch, strategic_merge_patch

REVISION = "deployment.kubernetes.io/revision"


def counts(cluster: Cluster, name: str = "web") -> list[tuple[str, int, int]]:
    out = []
    for rs in cluster.replicasets(name):
        image = rs["spec"]["template"]["spec"]["containers"][0]["image"]
        out.append((image, rs["spec"]["replicas"], rs.get("status", {}).get("availableReplicas", 0)))
    return out


def test_rolling_update_honours_max_surge_and_max_unavailable(cluster: Cluster) -> None:
    cluster.deployment("web", "app:v1", replicas=4,
                       strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
    cluster.pod_ready_seconds = 10
    cluster.set_image("web", "app:v2")
    assert counts(cluster) == [("app:v1", 4, 4), ("app:v2", 1, 0)]
    cluster.advance(9)
    assert counts(cluster) == [("app:v1", 4, 4), ("app:v2", 1, 0)]
    cluster.advance(1)
    assert counts(cluster) == [("app:v1", 3, 3), ("app:v2", 2, 1)]
    elapsed = cluster.settle()
    assert elapsed == 30 and counts(cluster) == [("app:v1", 0, 0), ("app:v2", 4, 4)]
    d = cluster.get("deployments", "web")
    assert d is not None and d["status"]["observedGeneration"] == 2 and d["status"]["updatedReplicas"] == 4


def test_rolling_update_with_percentages_keeps_availability(cluster: Cluster) -> None:
    cluster.deployment("web", "app:v1", replicas=10)  # default 25%/25%: surge 3, unavailable 2
    cluster.pod_ready_seconds = 5
    cluster.set_image("web", "app:v2")
    while True:
        total = sum(n for _, n, _ in counts(cluster))
        available = sum(a for _, _, a in counts(cluster))
        assert total <= 13 and available >= 8
        if counts(cluster)[-1][2] == 10:
            break
        cluster.advance(1)


def test_progress_deadline_exceeded_for_a_never_ready_image(cluster: Cluster) -> None:
    cluster.deployment("web", "app:v1", replicas=2, progressDeadlineSeconds=120)
    cluster.set_image("web", "app:crashloop-v2")
    cluster.advance(119)
    cond = lambda: next(c for c in cluster.get("deployments", "web")["status"]["conditions"] if c["type"] == "Progressing")  # noqa: E731
    assert cond()["reason"] == "ReplicaSetUpdated"
    cluster.advance(2)
    assert (cond()["status"], cond()["reason"]) == ("False", "ProgressDeadlineExceeded")
    assert counts(cluster) == [("app:v1", 2, 2), ("app:crashloop-v2", 1, 0)]


def test_revision_history_limit_prunes_old_replicasets(cluster: Cluster) -> None:
    cluster.deployment("web", "app:v0", replicas=1, revisionHistoryLimit=2)
    for i in range(1, 6):
        cluster.set_image("web", f"app:v{i}", settle=True)
    revisions = [rs["metadata"]["annotations"][REVISION] for rs in cluster.replicasets("web")]
    assert revisions == ["4", "5", "6"]


def test_scaling_mid_rollout_is_proportional(cluster: Cluster) -> None:
    cluster.deployment("web", "app:v1", replicas=10)
    cluster.image_ready_seconds["app:v2"] = 1000
    cluster.set_image("web", "app:v2")
    cluster.advance(1)
    before = counts(cluster)
    assert before == [("app:v1", 8, 8), ("app:v2", 5, 0)]
    d = cluster.get("deployments", "web")
    assert d is not None
    cluster.apply({**d, "spec": {**d["spec"], "replicas": 20}})
    after = counts(cluster)
    assert sum(n for _, n, _ in after) == 25  # 20 + maxSurge 5, split by the previous proportions
    assert after[0][1] > after[1][1] > 5


def test_recreate_strategy_scales_old_down_first(cluster: Cluster) -> None:
    cluster.deployment("web", "app:v1", replicas=3, strategy={"type": "Recreate"})
    cluster.set_image("web", "app:v2", settle=True)
    assert counts(cluster) == [("app:v1", 0, 0), ("app:v2", 3, 3)]


@pytest.mark.parametrize(("doc", "patch", "expected"), [
    ({"a": {"b": 1, "c": 2}}, {"a": {"b": None, "d": 3}}, {"a": {"c": 2, "d": 3}}),
    ({"l": [1, 2]}, {"l": [3]}, {"l": [3]}),
])
def test_merge_patch(doc: dict, patch: dict, expected: dict) -> None:
    assert merge_patch(doc, patch) == expected


def test_json_patch_ops_and_failed_test() -> None:
    doc = {"a": [1, 2], "b": {"c": 1}}
    ops = [{"op": "add", "path": "/a/-", "value": 3}, {"op": "move", "from": "/b/c", "path": "/d"},
           {"op": "replace", "path": "/a/0", "value": 0}, {"op": "remove", "path": "/b"}]
    assert json_patch(doc, ops) == {"a": [0, 2, 3], "d": 1}
    with pytest.raises(ValueError):
        json_patch(doc, [{"op": "test", "path": "/b/c", "value": 2}])


_POD = {"containers": [
    {"name": "a", "image": "a:1", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}],
     "ports": [{"containerPort": 80}]},
    {"name": "b", "image": "b:1"},
]}


@pytest.mark.parametrize(("patch", "expected"), [
    # containers merge by name, env by name
    ({"containers": [{"name": "a", "image": "a:2"}]},
     [("a", "a:2", ["X", "Y"]), ("b", "b:1", [])]),
    ({"containers": [{"name": "a", "env": [{"name": "Z", "value": "3"}]}]},
     [("a", "a:1", ["X", "Y", "Z"]), ("b", "b:1", [])]),
    ({"containers": [{"name": "a", "env": [{"name": "X", "$patch": "delete"}]}]},
     [("a", "a:1", ["Y"]), ("b", "b:1", [])]),
    ({"containers": [{"name": "b", "$patch": "delete"}]}, [("a", "a:1", ["X", "Y"])]),
    ({"containers": [{"name": "c", "image": "c:1"}, {"$patch": "replace"}]}, [("c", "c:1", [])]),
    ({"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}], "containers": [{"name": "b", "image": "b:2"}]},
     [("b", "b:2", []), ("a", "a:1", ["X", "Y"])]),
])
def test_strategic_merge_patch(patch: dict, expected: list) -> None:
    out = strategic_merge_patch(_POD, patch)
    assert [(c["name"], c["image"], [e["name"] for e in c.get("env", [])]) for c in out["containers"]] == expected
    assert not any(k.startswith("$") for c in out["containers"] for k in c)


def test_strategic_merge_retain_keys_and_service_ports() -> None:
    strategy = {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}
    patch = {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": None}}
    assert strategic_merge_patch(strategy, patch) == {"strategy": {"type": "Recreate"}}
    svc = {"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}}
    out = strategic_merge_patch(svc, {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}})
    assert out["spec"]["ports"] == [{"port": 80, "targetPort": 9090}, {"port": 443}]
