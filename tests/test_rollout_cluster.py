"""The rollout commands as a subprocess against the fake cluster: stages, idempotency, locking, deadlines, undo."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from checker.rollout.state import RolloutState, state_name
from tests.cluster.cluster import Cluster
from tests.helpers.plugin import CliResult, run_cli

IMG_OLD, IMG_NEW = "ghcr.io/acme/ideogram-integration:1.0", "ghcr.io/acme/ideogram-integration:1.1"


def rollout(cluster: Cluster, cwd: Path, *args: str, env: dict[str, str] | None = None) -> CliResult:
    return run_cli("rollout", *args, "--kubeconfig", str(cluster.kubeconfig), "-d", "web", "-n", "default",
                   cwd=cwd, env=env, timeout=120)


def record(cluster: Cluster) -> RolloutState | None:
    cm = cluster.get("configmaps", state_name("web"))
    return None if cm is None else RolloutState.from_data(cm["data"])


def images(cluster: Cluster, selector: dict[str, str] | None = None) -> list[str]:
    return sorted(p["spec"]["containers"][0]["image"] for p in cluster.pods(selector=selector or {"app": "web"}))


def stable_only(cluster: Cluster, image: str = IMG_OLD, replicas: int = 5) -> None:
    d = cluster.get("deployments", "web")
    assert d is not None
    assert d["spec"]["replicas"] == replicas
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == image
    assert cluster.get("deployments", "web-canary") is None
    assert images(cluster) == [image] * replicas


@pytest.fixture
def web(cluster: Cluster) -> Cluster:
    cluster.deployment("web", IMG_OLD, replicas=5, container="app")
    cluster.service("web", selector={"app": "web"})
    return cluster


def test_replicas_stages_promote_and_idempotency(web: Cluster, tmp_path: Path) -> None:
    out = tmp_path / "start.json"
    r = rollout(web, tmp_path, "start", "--image", IMG_NEW, "--json", str(out))
    assert r.returncode == 0, r.stderr
    assert "10% asked, canary serves 10.0% (1 canary / 9 stable pods ready" in r.stdout
    assert images(web, {"app": "web", "track": "canary"}) == [IMG_NEW]
    assert json.loads(out.read_text())["share"] == 0.1
    again = rollout(web, tmp_path, "start", "--image", IMG_NEW)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert images(web, {"app": "web", "track": "canary"}) == [IMG_NEW]

    r = rollout(web, tmp_path, "promote", "--weight", "50")
    assert r.returncode == 0, r.stderr
    assert "canary serves 50.0% (5 canary / 5 stable" in r.stdout
    r = rollout(web, tmp_path, "promote", "--weight", "100")
    assert r.returncode == 0, r.stderr
    assert "verified" in r.stdout
    stable_only(web, IMG_NEW)
    state = record(web)
    assert state is not None and state.phase == "promoted" and state.from_image == IMG_OLD
    r = rollout(web, tmp_path, "promote", "--weight", "100")
    assert r.returncode == 0 and "nothing to do" in r.stdout

    st = rollout(web, tmp_path, "status", "--json", str(tmp_path / "status.json"))
    assert st.returncode == 0 and "promoted at 100%" in st.stdout
    assert json.loads((tmp_path / "status.json").read_text())["schema_version"] == 1

    # A promoted release is no rollout "in progress": --active leaves it alone; naming its id rolls it back.
    r = rollout(web, tmp_path, "rollback", "--active")
    assert r.returncode == 0 and "nothing to roll back" in r.stdout
    stable_only(web, IMG_NEW)
    rid = json.loads((tmp_path / "status.json").read_text())["rollout_id"]
    r = rollout(web, tmp_path, "rollback", "--id", rid)
    assert r.returncode == 0, r.stderr
    stable_only(web, IMG_OLD)
    r = rollout(web, tmp_path, "rollback", "--id", rid)
    assert r.returncode == 0 and "nothing to do" in r.stdout
    stable_only(web, IMG_OLD)


def test_rollback_mid_stage_restores_capacity_and_removes_canary(web: Cluster, tmp_path: Path) -> None:
    assert rollout(web, tmp_path, "start", "--image", IMG_NEW).returncode == 0
    assert web.get("deployments", "web")["spec"]["replicas"] == 9  # scaled up for an exact 10%, never down
    r = rollout(web, tmp_path, "rollback", "--active")
    assert r.returncode == 0, r.stderr
    stable_only(web)
    assert record(web).phase == "rolled-back"  # type: ignore[union-attr]


def test_concurrent_starts_one_wins(web: Cluster, tmp_path: Path) -> None:
    results: list[CliResult] = []

    def go(run_id: str) -> None:
        results.append(rollout(web, tmp_path, "start", "--image", IMG_NEW, env={"GITHUB_RUN_ID": run_id}))

    threads = [threading.Thread(target=go, args=(rid,)) for rid in ("101", "202")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 1], [(r.returncode, r.stdout, r.stderr) for r in results]
    loser = next(r for r in results if r.returncode == 1)
    assert "already has rollout gh-" in loser.stderr and "rollback" in loser.stderr
    assert len(loser.stderr.strip().splitlines()) == 1
    # --force takes over the stale one and keeps where it came from.
    r = rollout(web, tmp_path, "start", "--image", IMG_NEW + "-b", "--force", env={"GITHUB_RUN_ID": "303"})
    assert r.returncode == 0, r.stderr
    state = record(web)
    assert state is not None and state.rollout_id == "gh-303" and state.from_image == IMG_OLD
    assert images(web, {"app": "web", "track": "canary"}) == [IMG_NEW + "-b"]
    assert rollout(web, tmp_path, "rollback", "--active").returncode == 0
    stable_only(web)


def test_crash_looping_canary_fails_its_stage_deadline(web: Cluster, tmp_path: Path) -> None:
    t0 = time.monotonic()
    r = rollout(web, tmp_path, "start", "--image", "ghcr.io/acme/crashloop:2", "--stage-deadline", "2s")
    assert r.returncode == 1
    assert "canary not Ready within the stage deadline (2s): 0/1 ready" in r.stderr
    assert "CrashLoopBackOff" in r.stderr
    assert time.monotonic() - t0 < 30
    assert rollout(web, tmp_path, "rollback", "--active").returncode == 0
    stable_only(web)


def test_kill_9_mid_stage_then_rollback(web: Cluster, tmp_path: Path) -> None:
    web.never_ready_images = ("crashloop", "slow")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    proc = subprocess.Popen([sys.executable, "-m", "checker", "rollout", "start", "--image", "ghcr.io/acme/slow:2",
                             "--kubeconfig", str(web.kubeconfig), "-d", "web"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while web.get("deployments", "web-canary") is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert web.get("deployments", "web-canary") is not None
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert record(web).active  # type: ignore[union-attr]
    again = rollout(web, tmp_path, "start", "--image", "ghcr.io/acme/other:3")
    assert again.returncode == 1 and "roll" in again.stderr
    r = rollout(web, tmp_path, "rollback", "--active")
    assert r.returncode == 0, r.stderr
    stable_only(web)


def test_undo_without_record_removes_leftover_canary_and_does_not_undo_itself(web: Cluster, tmp_path: Path) -> None:
    assert rollout(web, tmp_path, "start", "--image", IMG_NEW).returncode == 0
    assert rollout(web, tmp_path, "promote", "--weight", "100").returncode == 0
    web.apply({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web-canary"},
               "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web", "track": "canary"}},
                        "template": {"metadata": {"labels": {"app": "web", "track": "canary"}},
                                     "spec": {"containers": [{"name": "app", "image": IMG_NEW}]}}}})
    web.delete("configmaps", state_name("web"))
    # No record: a rollback has nothing of its own to undo, and changes nothing.
    r = rollout(web, tmp_path, "rollback", "--active")
    assert r.returncode == 0 and "no rollout is recorded" in r.stdout
    assert web.get("deployments", "web-canary") is not None
    r = rollout(web, tmp_path, "undo")
    assert r.returncode == 0, r.stderr
    assert "deployment.apps/web rolled back" in r.stdout and "removed deployment/web-canary" in r.stdout
    stable_only(web)
    again = rollout(web, tmp_path, "undo")
    assert again.returncode == 0 and "nothing to do" in again.stdout  # it does not undo the undo
    stable_only(web)


def test_undo_refuses_while_a_rollout_is_in_progress(web: Cluster, tmp_path: Path) -> None:
    assert rollout(web, tmp_path, "start", "--image", IMG_NEW, "--id", "r-7").returncode == 0
    r = rollout(web, tmp_path, "undo")
    assert r.returncode == 1 and "rollout rollback --id r-7" in r.stderr
    assert images(web, {"app": "web", "track": "canary"}) == [IMG_NEW]


def test_rollback_never_reverts_another_runs_release(web: Cluster, tmp_path: Path) -> None:
    """Harm 1 of the rollout v2 issue: run 2's preflight fails, its rollback job must not revert run 1's release."""
    run1, run2 = {"GITHUB_RUN_ID": "1001"}, {"GITHUB_RUN_ID": "1002"}
    assert rollout(web, tmp_path, "start", "--image", IMG_NEW, env=run1).returncode == 0
    assert rollout(web, tmp_path, "promote", "--weight", "100", env=run1).returncode == 0
    stable_only(web, IMG_NEW)
    before = web.get("deployments", "web")
    # Run 2 never started a rollout (its preflight failed); its rollback job runs with its own run id.
    out = tmp_path / "rb.json"
    r = rollout(web, tmp_path, "rollback", "--json", str(out), env=run2)
    assert r.returncode == 0, r.stderr
    assert "rollout gh-1002 is not in the cluster (it holds rollout gh-1001 (promoted))" in r.stdout
    assert json.loads(out.read_text())["verdict"] == "none"
    stable_only(web, IMG_NEW)
    assert web.get("deployments", "web") == before  # not one field changed
    assert record(web).rollout_id == "gh-1001"  # type: ignore[union-attr]
    # Nor does an earlier run's undone record, nor a missing one, make a rollback act.
    web.delete("configmaps", state_name("web"))
    r = rollout(web, tmp_path, "rollback", env=run2)
    assert r.returncode == 0 and "no rollout is recorded" in r.stdout
    stable_only(web, IMG_NEW)
    # Outside Actions, a rollback names what it undoes.
    r = rollout(web, tmp_path, "rollback")
    assert r.returncode == 2 and "--id: name the rollout to roll back" in r.stderr


def test_rollback_of_its_own_run_restores_from_any_stage(web: Cluster, tmp_path: Path) -> None:
    run = {"GITHUB_RUN_ID": "2001"}
    assert rollout(web, tmp_path, "start", "--image", IMG_NEW, env=run).returncode == 0
    assert rollout(web, tmp_path, "promote", "--weight", "100", env=run).returncode == 0
    r = rollout(web, tmp_path, "rollback", env=run)  # e.g. `verify` failed after promotion in the same run
    assert r.returncode == 0, r.stderr
    stable_only(web, IMG_OLD)


def test_transient_api_errors_are_retried(web: Cluster, tmp_path: Path) -> None:
    web.faults.add(status=500, rate=0.3, times=6)
    web.faults.add(status=409, method="PUT", path="/configmaps/", times=1)
    r = rollout(web, tmp_path, "start", "--image", IMG_NEW)
    assert r.returncode == 0, r.stderr
    web.faults.clear()
    assert rollout(web, tmp_path, "rollback", "--active").returncode == 0
    stable_only(web)


@pytest.mark.parametrize(("args", "message"), [
    (("start", "--image", IMG_NEW, "--weight", "0"), "--weight: must be within 1..99"),
    (("analyze", "--interval", "soon"), "--interval: expected a duration"),
    (("promote",), "the following arguments are required: --weight"),
])
def test_bad_usage_is_one_line_exit_2(web: Cluster, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    r = rollout(web, tmp_path, *args)
    assert r.returncode == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_unknown_deployment_or_namespace_is_exit_2(web: Cluster, tmp_path: Path) -> None:
    r = run_cli("rollout", "status", "--kubeconfig", str(web.kubeconfig), "-d", "nope", cwd=tmp_path)
    assert r.returncode == 2 and "deployment/nope not found in namespace default" in r.stderr
    r = run_cli("rollout", "start", "--image", IMG_NEW, "--kubeconfig", str(web.kubeconfig), "-d", "web",
                "-n", "ghost", cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_gateway_strategy_sets_exact_route_weights(cluster: Cluster, tmp_path: Path) -> None:
    labels = {"app": "web", "track": "stable"}
    cluster.deployment("web", IMG_OLD, replicas=4, container="app", labels=labels)
    cluster.service("web", selector=labels)
    cluster.create({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                    "metadata": {"name": "web", "namespace": "default"},
                    "spec": {"parentRefs": [{"name": "gw"}],
                             "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]}})
    r = rollout(cluster, tmp_path, "start", "--image", IMG_NEW, "--strategy", "gateway")
    assert r.returncode == 0, r.stderr
    assert "canary serves 10.0%" in r.stdout
    refs = cluster.get("httproutes", "web")["spec"]["rules"][0]["backendRefs"]  # type: ignore[index]
    assert [(b["name"], b["weight"]) for b in refs] == [("web", 90), ("web-canary", 10)]
    assert cluster.get("services", "web-canary")["spec"]["selector"] == {"app": "web", "track": "canary"}  # type: ignore[index]
    assert rollout(cluster, tmp_path, "promote", "--weight", "50").returncode == 0
    refs = cluster.get("httproutes", "web")["spec"]["rules"][0]["backendRefs"]  # type: ignore[index]
    assert [(b["name"], b["weight"]) for b in refs] == [("web", 50), ("web-canary", 50)]
    assert rollout(cluster, tmp_path, "rollback", "--active").returncode == 0
    refs = cluster.get("httproutes", "web")["spec"]["rules"][0]["backendRefs"]  # type: ignore[index]
    assert [(b["name"], b["weight"]) for b in refs] == [("web", 100)]
    assert cluster.get("services", "web-canary") is None and cluster.get("deployments", "web-canary") is None


def test_rolling_strategy_reports_what_the_replicasets_hold(web: Cluster, tmp_path: Path) -> None:
    r = rollout(web, tmp_path, "start", "--image", IMG_NEW, "--strategy", "rolling")
    assert r.returncode == 0, r.stderr
    # The fake kubelet makes pods Ready at once, so resume runs through: the share says so instead of "10%".
    d: Any = web.get("deployments", "web")
    assert d["spec"]["paused"] is True
    state = record(web)
    assert state is not None and state.share is not None and state.share >= 0.1
    assert f"canary serves {state.share * 100:.1f}%" in r.stdout
    r = rollout(web, tmp_path, "rollback", "--active")
    assert r.returncode == 0, r.stderr
    stable_only(web)
    assert web.get("deployments", "web")["spec"].get("paused") in (None, False)  # type: ignore[index]
