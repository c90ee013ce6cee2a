"""The least Kubernetes privilege each rollout command needs, as RBAC Role rules (issue 12, harm 5).

`analyze` and `status` only read: their credentials can be the `read` Role. `analyze` then writes nothing (its
evidence goes to the report); with --rollback-on-failure it needs the `rollout` Role too.
"""

from __future__ import annotations

from typing import Any

Rule = dict[str, list[str]]

READ: tuple[Rule, ...] = (
    {"apiGroups": ["apps"], "resources": ["deployments", "replicasets"], "verbs": ["get", "list"]},
    {"apiGroups": [""], "resources": ["pods", "configmaps"], "verbs": ["get", "list"]},
)
ROLLOUT: tuple[Rule, ...] = (
    {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "create", "patch", "update",
                                                                     "delete"]},
    {"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": ["get", "list"]},
    {"apiGroups": [""], "resources": ["pods", "secrets"], "verbs": ["get", "list"]},  # secrets: resourceVersion only
    {"apiGroups": [""], "resources": ["configmaps", "services"], "verbs": ["get", "list", "create", "update",
                                                                          "delete"]},
    {"apiGroups": ["gateway.networking.k8s.io"], "resources": ["httproutes"], "verbs": ["get", "update"]},
    {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "verbs": ["list"]},
    {"apiGroups": ["batch"], "resources": ["cronjobs"], "verbs": ["get", "create", "update", "delete"]},  # watchdog
)
ROLES: dict[str, tuple[Rule, ...]] = {"read": READ, "rollout": ROLLOUT}


def role(name: str, verbs_group: str, namespace: str | None = None) -> dict[str, Any]:
    """A Role manifest for one verb group of ROLES."""
    metadata: dict[str, Any] = {"name": name, "labels": {"app.kubernetes.io/managed-by": "ideogram-prod"}}
    if namespace:
        metadata["namespace"] = namespace
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": metadata,
            "rules": [dict(r) for r in ROLES[verbs_group]]}
