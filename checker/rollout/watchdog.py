"""The watchdog: a CronJob `start` creates that judges the canary between jobs and rolls it back (issue 12, harm 6).

Why in-cluster: a stage may wait days for an approval and no runner is alive then; a scheduled GitHub workflow
runs at best every 5 minutes, late under load, and needs cluster credentials in GitHub. The CronJob runs
`rollout analyze --rollback-on-failure` with the same image and a ServiceAccount bound to the `rollout` Role
(checker/rollout/rbac.py). It has no owner: were the canary Deployment its owner, the rollback the watchdog
itself runs would delete the canary, and the garbage collector would kill the watchdog's pod mid-rollback.
Promote to 100% and rollback delete it by name once the record says promoted / rolled-back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from checker.clients.kube import Kube
    from checker.config import Config
    from checker.rollout.state import RolloutState

CONFIG_PATH = "/etc/ideogram-prod/config.yaml"
MANAGED = {"app.kubernetes.io/managed-by": "ideogram-prod", "app.kubernetes.io/component": "rollout-watchdog"}


def watchdog_name(deployment: str) -> str:
    return f"{deployment}-rollout-watchdog"


def pod_config(config: Config) -> str:
    """The config the watchdog's pod runs with: the runner's, minus what only makes sense on the runner."""
    data = config.model_dump(mode="json", exclude_defaults=True)
    production = (data.get("cluster") or {}).get("production") or {}
    for key in ("kubeconfig", "context"):
        production.pop(key, None)  # in the pod: its ServiceAccount
    return yaml.safe_dump(data, sort_keys=True)


def command(state: RolloutState, config: Config) -> list[str]:
    """What each run executes: one analysis of the stage live now, rolling back at a failure."""
    cfg = config.rollout
    return ["ideogram-prod", "rollout", "analyze", "-d", state.deployment, "-n", state.namespace, "--config",
            CONFIG_PATH, "--duration", cfg.watchdog_duration, "--interval", "30s", "--rollback-on-failure"]


def manifests(state: RolloutState, config: Config) -> tuple[dict[str, Any], ...]:
    """The ConfigMap with the pod's config, and the CronJob."""
    cfg = config.rollout
    assert cfg.watchdog_image is not None
    name = watchdog_name(state.deployment)
    meta: dict[str, Any] = {"name": name, "labels": dict(MANAGED),
                            "annotations": {"ideogram-prod/rollout-id": state.rollout_id}}
    configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta,
                 "data": {"config.yaml": pod_config(config)}}
    pod = {"serviceAccountName": cfg.watchdog_service_account, "restartPolicy": "Never",
           "containers": [{"name": "watchdog", "image": cfg.watchdog_image, "command": command(state, config),
                           "env": [{"name": "IDEOGRAM_PROD_PROMETHEUS_TOKEN", "valueFrom": {"secretKeyRef": {
                               "name": name, "key": "prometheus-token", "optional": True}}}],
                           "volumeMounts": [{"name": "config", "mountPath": "/etc/ideogram-prod",
                                             "readOnly": True}]}],
           "volumes": [{"name": "config", "configMap": {"name": name}}]}
    cronjob = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
               "spec": {"schedule": cfg.watchdog_schedule, "concurrencyPolicy": "Forbid",
                        "startingDeadlineSeconds": 300, "successfulJobsHistoryLimit": 1,
                        "failedJobsHistoryLimit": 1,
                        "jobTemplate": {"spec": {"backoffLimit": 0, "template": {
                            "metadata": {"labels": dict(MANAGED)}, "spec": pod}}}}}
    return configmap, cronjob


def ensure(kube: Kube, state: RolloutState, config: Config) -> str:
    """Create (or refresh) the watchdog of this rollout; '' when rollout.watchdog_image is not set."""
    from checker.clients.kube import KubeError

    if not config.rollout.watchdog_image:
        return ""
    for body in manifests(state, config):
        plural = "configmaps" if body["kind"] == "ConfigMap" else "cronjobs"
        try:
            kube.create(plural, body)
        except KubeError as exc:
            if exc.status != 409:
                raise
            current = kube.get(plural, body["metadata"]["name"])
            if current is not None:
                body["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
                kube.replace(plural, body)
    return f"cronjob/{watchdog_name(state.deployment)} judges the canary every '{config.rollout.watchdog_schedule}'"


def remove(kube: Kube, deployment: str) -> list[str]:
    """Delete the watchdog (promote to 100%, rollback): what was removed."""
    from checker.clients.kube import KubeError

    done = []
    for plural in ("cronjobs", "configmaps"):
        try:
            if kube.delete(plural, watchdog_name(deployment)):
                done.append(f"{plural[:-1]}/{watchdog_name(deployment)}")
        except KubeError as exc:
            if exc.status not in (403, 404):
                raise
    return done
