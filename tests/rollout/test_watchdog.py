"""The watchdog's objects as pure data: what the CronJob runs, with which config and identity (issue 12, harm 6)."""

from __future__ import annotations

import yaml

from checker.config import parse_config
from checker.rollout.state import RolloutState
from checker.rollout.watchdog import CONFIG_PATH, manifests, watchdog_name

STATE = RolloutState(rollout_id="gh-7", deployment="web", namespace="prod", strategy="replicas", container="app",
                     from_image="a:1", to_image="a:2", from_revision=1, from_template={}, stable_replicas=5)


def test_the_cronjob_runs_one_analysis_with_rollback_and_the_runner_config_minus_its_kubeconfig() -> None:
    config = parse_config({"prometheus": {"url": "http://prom:9090"},
                           "cluster": {"production": {"deployment": "web", "kubeconfig": "/home/runner/kc",
                                                      "context": "ci"}},
                           "rollout": {"watchdog_image": "ghcr.io/acme/ideogram-prod@sha256:" + "0" * 64}}, "t")
    configmap, cronjob = manifests(STATE, config)
    assert configmap["metadata"]["name"] == cronjob["metadata"]["name"] == watchdog_name("web")
    assert "ownerReferences" not in cronjob["metadata"]  # the GC must not kill a watchdog mid-rollback
    pod_config = yaml.safe_load(configmap["data"]["config.yaml"])
    assert pod_config["prometheus"]["url"] == "http://prom:9090"
    assert pod_config["cluster"]["production"] == {"deployment": "web"}  # the pod uses its ServiceAccount
    spec = cronjob["spec"]
    assert spec["schedule"] == "*/5 * * * *" and spec["concurrencyPolicy"] == "Forbid"
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "ideogram-prod-watchdog" and pod["restartPolicy"] == "Never"
    (c,) = pod["containers"]
    assert c["command"] == ["ideogram-prod", "rollout", "analyze", "-d", "web", "-n", "prod", "--config", CONFIG_PATH,
                            "--duration", "6m", "--interval", "30s", "--rollback-on-failure"]
    assert c["volumeMounts"][0]["mountPath"] + "/config.yaml" == CONFIG_PATH
    token = c["env"][0]
    assert token["name"] == "IDEOGRAM_PROD_PROMETHEUS_TOKEN" and token["valueFrom"]["secretKeyRef"]["optional"]
