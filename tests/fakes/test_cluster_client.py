"""The official kubernetes Python client against the fake API server: every call the product makes."""

from __future__ import annotations

import json
import threading
import time

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from tests.fakes.cluster import Cluster


def status_body(exc: ApiException) -> dict:
    return json.loads(exc.body)


def test_starts_well_under_a_second(tmp_path) -> None:
    t0 = time.perf_counter()
    c = Cluster(tmp_path).start()
    try:
        assert client.VersionApi(c.api_client()).get_code().git_version == "v1.31.0"
        assert time.perf_counter() - t0 < 0.5
    finally:
        c.stop()


def test_discovery_with_trailing_slashes(cluster: Cluster) -> None:
    api = cluster.api_client()
    assert client.CoreApi(api).get_api_versions().versions == ["v1"]
    groups = {g.name for g in client.ApisApi(api).get_api_versions().groups}
    assert {"apps", "coordination.k8s.io", "gateway.networking.k8s.io"} <= groups
    names = {r.name for r in client.AppsV1Api(api).get_api_resources().resources}
    assert {"deployments", "deployments/status", "deployments/scale", "replicasets"} <= names


def test_read_list_selectors_and_status_bodies(cluster: Cluster) -> None:
    apps = client.AppsV1Api(cluster.api_client())
    cluster.deployment("web", labels={"app": "web", "tier": "fe"})
    cluster.deployment("api", labels={"app": "api", "tier": "be"})
    d = apps.read_namespaced_deployment("web", "default")
    assert d.metadata.uid and d.metadata.generation == 1 and d.status.ready_replicas == 3
    assert d.spec.strategy.rolling_update.max_surge == "25%"  # server-side defaults
    names = lambda items: sorted(i.metadata.name for i in items)  # noqa: E731
    assert names(apps.list_namespaced_deployment("default", label_selector="tier=fe").items) == ["web"]
    assert names(apps.list_namespaced_deployment("default", label_selector="tier in (fe,be),app!=web").items) == ["api"]
    assert names(apps.list_deployment_for_all_namespaces(field_selector="metadata.name=api").items) == ["api"]
    assert len(client.CoreV1Api(cluster.api_client()).list_namespaced_pod("default", label_selector="app=web").items) == 3
    with pytest.raises(ApiException) as exc:
        apps.read_namespaced_deployment("nope", "default")
    assert exc.value.status == 404
    assert status_body(exc.value) == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'deployments.apps "nope" not found', "reason": "NotFound",
        "details": {"name": "nope", "group": "apps", "kind": "deployments"}, "code": 404,
    }
    with pytest.raises(ApiException) as exc:
        apps.list_namespaced_deployment("default", field_selector="spec.replicas=3")
    assert exc.value.status == 400


def test_create_conflicts_and_validation(cluster: Cluster) -> None:
    core = client.CoreV1Api(cluster.api_client())
    apps = client.AppsV1Api(cluster.api_client())
    body = {"metadata": {"name": "cfg"}, "data": {"a": "1"}}
    core.create_namespaced_config_map("default", body)
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map("default", body)
    assert (exc.value.status, status_body(exc.value)["reason"]) == (409, "AlreadyExists")
    assert status_body(exc.value)["message"] == 'configmaps "cfg" already exists'
    bad = {
        "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "x"}},
                 "spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
    }
    with pytest.raises(ApiException) as exc:
        apps.create_namespaced_deployment("default", bad)
    body422 = status_body(exc.value)
    assert exc.value.status == 422 and body422["reason"] == "Invalid"
    assert body422["message"].startswith('Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value')
    assert body422["details"]["causes"][0]["field"] == "spec.template.metadata.labels"
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map("missing-ns", body)
    assert exc.value.status == 404 and status_body(exc.value)["message"] == 'namespaces "missing-ns" not found'


def test_replace_with_stale_resource_version_conflicts(cluster: Cluster) -> None:
    coord = client.CoordinationV1Api(cluster.api_client())
    lease = coord.create_namespaced_lease("default", {
        "metadata": {"name": "rollout-web"},
        "spec": {"holderIdentity": "a", "leaseDurationSeconds": 30, "renewTime": "2025-01-01T00:00:00.000000Z"},
    })
    stale = lease.metadata.resource_version
    lease.spec.holder_identity = "b"
    fresh = coord.replace_namespaced_lease("rollout-web", "default", lease)
    assert fresh.spec.holder_identity == "b" and fresh.metadata.resource_version != stale
    lease.spec.holder_identity = "c"
    lease.metadata.resource_version = stale
    with pytest.raises(ApiException) as exc:
        coord.replace_namespaced_lease("rollout-web", "default", lease)
    assert exc.value.status == 409
    assert status_body(exc.value)["message"] == (
        'Operation cannot be fulfilled on leases.coordination.k8s.io "rollout-web": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    assert coord.read_namespaced_lease("rollout-web", "default").spec.holder_identity == "b"
    coord.delete_namespaced_lease("rollout-web", "default")
    assert coord.list_namespaced_lease("default").items == []


def test_patch_in_three_content_types(cluster: Cluster) -> None:
    apps = client.AppsV1Api(cluster.api_client())
    cluster.deployment("web")
    env = [{"name": "A", "value": "1"}]
    # a dict body goes as strategic merge: the container merges by name and keeps its image
    apps.patch_namespaced_deployment("web", "default", {"spec": {"template": {"spec": {"containers": [{"name": "web", "env": env}]}}}})
    # a list body goes as JSON patch
    apps.patch_namespaced_deployment("web", "default", [{"op": "replace", "path": "/spec/replicas", "value": 2}])
    apps.patch_namespaced_deployment(
        "web", "default", {"metadata": {"labels": {"x": "y"}}}, _content_type="application/merge-patch+json"
    )
    kinds = [r.content_type for r in cluster.requests("PATCH")]
    assert kinds == ["application/strategic-merge-patch+json", "application/json-patch+json", "application/merge-patch+json"]
    d = apps.read_namespaced_deployment("web", "default")
    assert d.spec.template.spec.containers[0].image == "nginx:1.25"
    assert [(e.name, e.value) for e in d.spec.template.spec.containers[0].env] == [("A", "1")]
    assert d.spec.replicas == 2 and d.metadata.labels["x"] == "y"
    cluster.settle()
    assert len(cluster.pods()) == 2


def test_server_dry_run_does_not_persist(cluster: Cluster) -> None:
    apps = client.AppsV1Api(cluster.api_client())
    cluster.deployment("web")
    before = cluster.get("deployments", "web")
    out = apps.patch_namespaced_deployment("web", "default", {"spec": {"replicas": 7}}, dry_run="All")
    assert out.spec.replicas == 7
    assert cluster.get("deployments", "web") == before
    client.CoreV1Api(cluster.api_client()).create_namespaced_secret("default", {"metadata": {"name": "s"}}, dry_run="All")
    assert cluster.get("secrets", "s") is None


def test_delete_garbage_collects_replicasets_and_pods(cluster: Cluster) -> None:
    apps = client.AppsV1Api(cluster.api_client())
    cluster.deployment("web")
    cluster.deployment("keep")
    assert len(cluster.list("replicasets")) == 2 and len(cluster.pods()) == 6
    status = apps.delete_namespaced_deployment("web", "default")
    assert status["status"] == "Success"  # the client returns delete bodies as plain dicts
    assert [rs["metadata"]["name"].split("-")[0] for rs in cluster.list("replicasets")] == ["keep"]
    assert {p["metadata"]["name"].split("-")[0] for p in cluster.pods()} == {"keep"}
    apps.delete_namespaced_deployment("keep", "default", propagation_policy="Orphan")
    (rs,) = cluster.list("replicasets")
    assert "ownerReferences" not in rs["metadata"] and len(cluster.pods()) == 3


def test_watch_streams_changes(cluster: Cluster) -> None:
    core = client.CoreV1Api(cluster.api_client())
    cluster.configmap("one", {"a": "1"})
    seen: list[tuple[str, str]] = []
    w = watch.Watch()

    def later() -> None:
        time.sleep(0.2)
        cluster.configmap("two", {"b": "2"})
        core.patch_namespaced_config_map("one", "default", {"data": {"a": "2"}})
        core.delete_namespaced_config_map("two", "default")

    threading.Thread(target=later).start()
    for event in w.stream(core.list_namespaced_config_map, "default", timeout_seconds=5):
        seen.append((event["type"], event["object"].metadata.name))
        if len(seen) == 4:
            w.stop()
    assert seen == [("ADDED", "one"), ("ADDED", "two"), ("MODIFIED", "one"), ("DELETED", "two")]


def test_httproute_crud_as_custom_objects(cluster: Cluster) -> None:
    co = client.CustomObjectsApi(cluster.api_client())
    args = ("gateway.networking.k8s.io", "v1", "default", "httproutes")
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "web"},
        "spec": {"parentRefs": [{"name": "gw"}], "rules": [{"backendRefs": [
            {"name": "web-stable", "port": 80, "weight": 100}, {"name": "web-canary", "port": 80, "weight": 0}]}]},
    }
    created = co.create_namespaced_custom_object(*args, route)
    assert created["metadata"]["generation"] == 1
    rules = created["spec"]["rules"]
    rules[0]["backendRefs"][0]["weight"], rules[0]["backendRefs"][1]["weight"] = 90, 10
    patched = co.patch_namespaced_custom_object(*args, "web", {"spec": {"rules": rules}})
    assert [b["weight"] for b in patched["spec"]["rules"][0]["backendRefs"]] == [90, 10]
    assert patched["metadata"]["generation"] == 2
    assert [o["metadata"]["name"] for o in co.list_namespaced_custom_object(*args)["items"]] == ["web"]
    # custom resources take no strategic merge patch, like a real CRD
    with pytest.raises(ApiException) as exc:
        co.patch_namespaced_custom_object(
            *args, "web", {"spec": {}}, _content_type="application/strategic-merge-patch+json"
        )
    assert exc.value.status == 415
    co.delete_namespaced_custom_object(*args, "web")
    assert co.list_namespaced_custom_object(*args)["items"] == []


def test_secret_string_data_is_folded_into_data(cluster: Cluster) -> None:
    core = client.CoreV1Api(cluster.api_client())
    core.create_namespaced_secret("default", {"metadata": {"name": "tok"}, "stringData": {"k": "v"}})
    s = core.read_namespaced_secret("tok", "default")
    assert s.data == {"k": "dg=="} and s.type == "Opaque"


def test_fault_injection_and_request_log(cluster: Cluster) -> None:
    apps = client.AppsV1Api(cluster.api_client())
    cluster.deployment("web")
    cluster.faults.add(500, method="GET", path="/deployments/web$", times=1)
    with pytest.raises(ApiException) as exc:
        apps.read_namespaced_deployment("web", "default")
    assert exc.value.status == 500 and status_body(exc.value)["reason"] == "InternalError"
    assert apps.read_namespaced_deployment("web", "default").metadata.name == "web"  # times=1 used up
    cluster.faults.add(409, method="PATCH")
    with pytest.raises(ApiException) as exc:
        apps.patch_namespaced_deployment("web", "default", {"spec": {"replicas": 1}})
    assert exc.value.status == 409 and status_body(exc.value)["reason"] == "Conflict"
    cluster.faults.clear()
    cluster.faults.slow(0.3, path="/deployments")
    t0 = time.perf_counter()
    apps.read_namespaced_deployment("web", "default")
    assert time.perf_counter() - t0 >= 0.3
    cluster.faults.clear()
    cluster.faults.add(500, rate=0.5)
    codes = []
    for _ in range(40):
        try:
            apps.read_namespaced_deployment("web", "default")
            codes.append(200)
        except ApiException as e:
            codes.append(e.status)
    assert 5 < codes.count(500) < 35 and codes.count(200) > 5
    log = cluster.requests("PATCH")
    assert [(r.path, r.status, r.body) for r in log] == [
        ("/apis/apps/v1/namespaces/default/deployments/web", 409, {"spec": {"replicas": 1}}),
    ]
