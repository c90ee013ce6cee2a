"""What a rollback cannot restore: the ConfigMaps and Secrets a pod template references (issue 12, harm 11)."""

from __future__ import annotations

from checker.rollout.refs import drift, referenced

TEMPLATE = {"spec": {
    "initContainers": [{"name": "init", "envFrom": [{"secretRef": {"name": "init-secret"}}]}],
    "containers": [{"name": "app", "env": [
        {"name": "IDEOGRAM_API_KEY", "valueFrom": {"secretKeyRef": {"name": "ideogram", "key": "api-key"}}},
        {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}},
        {"name": "PLAIN", "value": "x"}],
        "envFrom": [{"configMapRef": {"name": "flags"}}]}],
    "volumes": [{"name": "a", "configMap": {"name": "nginx"}}, {"name": "b", "secret": {"secretName": "tls"}},
                {"name": "c", "projected": {"sources": [{"configMap": {"name": "settings"}},
                                                        {"secret": {"name": "extra"}}]}},
                {"name": "d", "emptyDir": {}}]}}


def test_every_reference_kind_is_found_once() -> None:
    assert referenced(TEMPLATE) == [
        ("configmaps", "flags"), ("configmaps", "nginx"), ("configmaps", "settings"),
        ("secrets", "extra"), ("secrets", "ideogram"), ("secrets", "init-secret"), ("secrets", "tls")]
    assert referenced({"spec": {"containers": [{"name": "app"}]}}) == []


def test_drift_names_what_changed_and_never_contents() -> None:
    before = {"configmap/settings": "10", "secret/ideogram": "11", "configmap/flags": "absent"}
    now = {"configmap/settings": "10", "secret/ideogram": "42", "configmap/flags": "50"}
    assert drift(before, now) == [
        "configmap/flags created since the rollout began (resourceVersion absent -> 50)",
        "secret/ideogram changed since the rollout began (resourceVersion 11 -> 42)"]
    assert drift(before, {**before}) == []
    assert drift({"secret/tls": "3"}, {}) == ["secret/tls deleted since the rollout began (resourceVersion 3 -> absent)"]
