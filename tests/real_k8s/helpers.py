"""What the real-cluster rollout tests share: the CLI against a namespace, the state record, "only stable serves"."""

from __future__ import annotations

import subprocess
from pathlib import Path

from checker.rollout.state import RolloutState, state_name
from tests.helpers.plugin import CliResult, run_cli
from tests.helpers.real_k8s import Namespace, eventually

IMG_OLD, IMG_NEW = "ghcr.io/acme/ideogram-integration:1.0", "ghcr.io/acme/ideogram-integration:1.1"


def rollout(ns: Namespace, cwd: Path, *args: str, env: dict[str, str] | None = None,
            deployment: str = "web", timeout: float = 180) -> CliResult:
    try:
        return run_cli("rollout", *args, "--kubeconfig", str(ns.kubeconfig), "-d", deployment, "-n", ns.name,
                       cwd=cwd, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as exc:  # say what it was waiting for, not just that it hung
        raise AssertionError(f"rollout {' '.join(args)} still running after {timeout:g}s\nstdout: {exc.stdout!r}\n"
                             f"stderr: {exc.stderr!r}\ndeployments: {summary(ns)}") from None


def summary(ns: Namespace) -> list[tuple[str, object, object]]:
    return [(d["metadata"]["name"], d["spec"].get("replicas"), d.get("status")) for d in ns.list("deployments")]


def record(ns: Namespace, deployment: str = "web") -> RolloutState | None:
    cm = ns.get("configmaps", state_name(deployment))
    return None if cm is None else RolloutState.from_data(cm["data"])


def serving_images(ns: Namespace, selector: dict[str, str] | None = None) -> list[str]:
    """Images of every pod that may still serve: terminating pods count until they are gone."""
    return ns.images(selector or {"app": "web"})


def stable_only(ns: Namespace, image: str = IMG_OLD, replicas: int = 5, timeout: float = 60) -> None:
    """Only the stable Deployment is left, at its replicas, and no pod of another image exists (or terminates)."""
    d = ns.get("deployments", "web")
    assert d is not None
    assert d["spec"]["replicas"] == replicas
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == image
    assert ns.get("deployments", "web-canary") is None
    eventually(lambda: serving_images(ns) == [image] * replicas, timeout=timeout,
               what=f"only {replicas} pods of {image} left")
