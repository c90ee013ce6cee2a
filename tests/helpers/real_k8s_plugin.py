"""pytest plugin: the session-wide `real_cluster` (a real control plane), a namespace per test, and a summary line."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .real_k8s import ControlPlane, Namespace, NotBuilt, bin_dir, control_plane, kubectl_path

_STATS: dict[str, object] = {"tests": 0, "seconds": 0.0, "failed": 0}
_PLANE: list[ControlPlane] = []


def _unavailable(message: str) -> None:
    """Skip locally; under CI a control plane that cannot be built or started fails the test (never a skip)."""
    if os.environ.get("CI"):
        pytest.fail(f"real control plane required in CI: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def real_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    """etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok built by tests/k8s/build.sh.

    Pods become Ready 1 s after scheduling (annotation ideogram-prod.test/ready-delay changes it per pod),
    deleted pods terminate for 1 s (ideogram-prod.test/termination-delay); see real_k8s.kwok_stages.
    """
    try:
        bins = bin_dir()
    except Exception as exc:  # noqa: BLE001 - any failure to locate the build is "unavailable"
        _unavailable(f"cannot locate the k8s build: {exc}")
    workdir = tmp_path_factory.mktemp("real-k8s")
    try:
        cm = control_plane(bins, workdir)
        plane = cm.__enter__()
    except NotBuilt as exc:
        _unavailable(str(exc))
    except Exception as exc:  # noqa: BLE001
        logs = "\n".join(f"--- {p.name}: {p.read_text(errors='replace')[-1500:]}" for p in Path(workdir).glob("*.log"))
        _unavailable(f"the control plane did not start: {exc}\n{logs}")
    _PLANE.append(plane)
    try:
        yield plane
    finally:
        cm.__exit__(None, None, None)


@pytest.fixture
def kns(real_cluster: ControlPlane, request: pytest.FixtureRequest) -> Iterator[Namespace]:
    """A fresh namespace of the real cluster for one test; deleted afterwards (not waited for)."""
    ns = real_cluster.namespace(request.node.name)
    yield ns
    real_cluster.check_alive()
    real_cluster.rest.delete("namespaces", ns.name)


def require_real_kubectl(version: str | None = None) -> str:
    found = kubectl_path(version)
    if found is None:
        what = f"kubectl.{version}" if version else "kubectl"
        if os.environ.get("CI"):
            pytest.fail(f"{what} is required in CI but was not found")
        pytest.skip(f"{what} not installed")
    return found


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    t0 = time.monotonic()
    yield
    if item.get_closest_marker("real_k8s") is not None and _PLANE:
        _STATS["seconds"] = float(_STATS["seconds"]) + time.monotonic() - t0  # type: ignore[arg-type]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count a test as run on the real control plane once its body ran (a skip or a setup error is not a run)."""
    if "real_k8s" not in report.keywords:
        return
    if report.when == "call":
        _STATS["tests"] = int(_STATS["tests"]) + 1  # type: ignore[call-overload]
    if report.failed and not hasattr(report, "wasxfail"):
        _STATS["failed"] = int(_STATS["failed"]) + 1  # type: ignore[call-overload]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _STATS["tests"] and not _STATS["failed"]:
        return
    tr = terminalreporter
    tr.section("real Kubernetes control plane")
    if _PLANE:
        p = _PLANE[0]
        startup = ", ".join(f"{k} {v:.1f}s" for k, v in p.timings.items())
        tr.write_line(f"apiserver gitVersion {p.git_version}; binaries {p.bins}; startup: {startup}")
    tr.write_line(f"{_STATS['tests']} tests ran on the real control plane in {float(_STATS['seconds']):.1f}s "  # type: ignore[arg-type]
                  f"(setup and teardown included), {_STATS['failed']} failed")
