"""pytest plugin: the `cluster` fixture (a fresh fake API server per test) and kubectl guards."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .cluster import Cluster, kubectl_path

KUBECTL_VERSIONS = ("1.27", "1.33")  # the oldest and newest versioned builds we cross-check


def require_kubectl(version: str | None = None) -> str:
    """Path of kubectl (or kubectl.<version>); skip when missing, but fail when env CI is set."""
    found = kubectl_path(version)
    if found is None:
        what = f"kubectl.{version}" if version else "kubectl"
        if os.environ.get("CI"):
            pytest.fail(f"{what} is required in CI but was not found")
        pytest.skip(f"{what} not installed")
    return found


@pytest.fixture
def make_cluster(tmp_path: Path) -> Iterator[Callable[..., Cluster]]:
    """Start extra clusters with options (pod_ready_seconds, server_version, seed); all stop at teardown."""
    started: list[Cluster] = []

    def make(**kwargs: Any) -> Cluster:
        c = Cluster(tmp_path / f"cluster-{len(started)}", **kwargs).start()
        started.append(c)
        return c

    yield make
    for c in started:
        c.stop()


@pytest.fixture
def cluster(make_cluster: Callable[..., Cluster]) -> Cluster:
    """A fresh fake cluster: namespaces default/kube-system/..., no workloads, controllers on a manual clock."""
    return make_cluster()
