"""The rollout commands as a subprocess on the real control plane: stages, idempotency, locking, deadlines, undo."""

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

from checker.rollout.state import state_name
from tests.helpers.plugin import CliResult, run_cli
from tests.helpers.real_k8s import READY_DELAY, Namespace, eventually

from .helpers import IMG_NEW, IMG_OLD, record, rollout, serving_images, stable_only

pytestmark = pytest.mark.real_k8s


@pytest.fixture
def web(kns: Namespace) -> Namespace:
    kns.deployment("web", IMG_OLD, replicas=5, container="app")
    kns.service("web", selector={"app": "web"})
    return kns


def test_replicas_stages_promote_and_idempotency(web: Namespace, tmp_path: Path) -> None:
    out = tmp_path / "start.json"
    r = rollout(web, tmp_path, "start", "--image", IMG_NEW, "--json", str(out))
    assert r.returncode == 0, r.stderr
    assert "10% asked, canary serves 10.0% (1 canary / 9 stable pods ready" in r.stdout
    assert serving_images(web, {"app": "web", "track": "canary"}) == [IMG_NEW]
    assert json.loads(out.read_text())["share"] == 0.1
    again = rollout(web, tmp_path, "start", "--image", IMG_NEW)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert serving_images(web, {"app": "web", "track": "canary"}) == [IMG_NEW]

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


def test_rollback_mid_stage_restores_capacity_and_removes_canary(web: Namespace, tmp_path: Path) -> None:
    assert rollout(web, tmp_path, "start", "--image", IMG_NEW).returncode == 0
    assert web.get("deployments", "web")["spec"]["replicas"] == 9  # type: ignore[index]  # scaled up, never down
    r = rollout(web, tmp_path, "rollback", "--active")
    assert r.returncode == 0, r.stderr
    stable_only(web)
    assert record(web).phase == "rolled-back"  # type: ignore[union-attr]


def test_rollback_reports_done_only_when_no_canary_pod_can_serve(web: Namespace, tmp_path: Path) -> None:
    """With real graceful termination a deleted canary pod lingers; rollback must wait until it is gone."""
    assert rollout(web, tmp_path, "start", "--image", IMG_NEW).returncode == 0
    canary = web.pods({"app": "web", "track": "canary"})
    assert len(canary) == 1
    web.patch("pods", canary[0]["metadata"]["name"],
              {"metadata": {"annotations": {"ideogram-prod.test/termination-delay": "6s"}}})
    r = rollout(web, tmp_path, "rollback", "--active")
    assert r.returncode == 0, r.stderr
    assert IMG_NEW not in serving_images(web), "rollback returned while a canary pod was still terminating"


def test_concurrent_starts_one_wins(web: Namespace, tmp_path: Path) -> None:
    """The state record's compare-and-swap under two concurrent drivers, on etcd's resourceVersions."""
    results: list[CliResult] = []
    barrier = threading.Barrier(2)

    def go(run_id: str) -> None:
        barrier.wait()
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
    eventually(lambda: serving_images(web, {"app": "web", "track": "canary"}) == [IMG_NEW + "-b"], timeout=30,
               what="the forced canary alone")
    assert rollout(web, tmp_path, "rollback", "--active").returncode == 0
    stable_only(web)


def test_crash_looping_canary_fails_its_stage_deadline(web: Namespace, tmp_path: Path) -> None:
    t0 = time.monotonic()
    r = rollout(web, tmp_path, "start", "--image", "ghcr.io/acme/crashloop:2", "--stage-deadline", "5s")
    assert r.returncode == 1
    assert "canary not Ready within the stage deadline (5s): 0/1 ready" in r.stderr
    assert "CrashLoopBackOff" in r.stderr
    assert time.monotonic() - t0 < 40
    assert rollout(web, tmp_path, "rollback", "--active").returncode == 0
    stable_only(web)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_killed_mid_stage_then_rollback(web: Namespace, tmp_path: Path, sig: signal.Signals) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    proc = subprocess.Popen([sys.executable, "-m", "checker", "rollout", "start", "--image",
                             "ghcr.io/acme/never-ready:2", "--kubeconfig", str(web.kubeconfig), "-d", "web",
                             "-n", web.name], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    eventually(lambda: web.get("deployments", "web-canary"), timeout=60, interval=0.05, what="the canary")
    proc.send_signal(sig)
    proc.wait(20)
    if sig == signal.SIGTERM:
        assert proc.returncode == 130, proc.stderr.read() if proc.stderr else ""
    assert record(web).active  # type: ignore[union-attr]
    again = rollout(web, tmp_path, "start", "--image", "ghcr.io/acme/other:3")
    assert again.returncode == 1 and "roll" in again.stderr
    r = rollout(web, tmp_path, "rollback", "--active")
    assert r.returncode == 0, r.stderr
    stable_only(web)


def test_undo_without_record_removes_leftover_canary_and_does_not_undo_itself(web: Namespace,
                                                                            tmp_path: Path) -> None:
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


def test_undo_refuses_while_a_rollout_is_in_progress(web: Namespace, tmp_path: Path) -> None:
    assert rollout(web, tmp_path, "start", "--image", IMG_NEW, "--id", "r-7").returncode == 0
    r = rollout(web, tmp_path, "undo")
    assert r.returncode == 1 and "rollout rollback --id r-7" in r.stderr
    assert serving_images(web, {"app": "web", "track": "canary"}) == [IMG_NEW]


def written(d: dict[str, Any] | None) -> tuple[Any, ...]:
    """What a client can change on a Deployment; status and resourceVersion also move with the controller."""
    assert d is not None
    md = d["metadata"]
    return md.get("generation"), md.get("labels"), md.get("annotations"), d["spec"]


def test_rollback_never_reverts_another_runs_release(web: Namespace, tmp_path: Path) -> None:
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
    assert written(web.get("deployments", "web")) == written(before)  # not one field changed (status is the controller's)
    assert record(web).rollout_id == "gh-1001"  # type: ignore[union-attr]
    # Nor does an earlier run's undone record, nor a missing one, make a rollback act.
    web.delete("configmaps", state_name("web"))
    r = rollout(web, tmp_path, "rollback", env=run2)
    assert r.returncode == 0 and "no rollout is recorded" in r.stdout
    stable_only(web, IMG_NEW)
    # Outside Actions, a rollback names what it undoes.
    r = rollout(web, tmp_path, "rollback")
    assert r.returncode == 2 and "--id: name the rollout to roll back" in r.stderr


def test_rollback_of_its_own_run_restores_from_any_stage(web: Namespace, tmp_path: Path) -> None:
    run = {"GITHUB_RUN_ID": "2001"}
    assert rollout(web, tmp_path, "start", "--image", IMG_NEW, env=run).returncode == 0
    assert rollout(web, tmp_path, "promote", "--weight", "100", env=run).returncode == 0
    r = rollout(web, tmp_path, "rollback", env=run)  # e.g. `verify` failed after promotion in the same run
    assert r.returncode == 0, r.stderr
    stable_only(web, IMG_OLD)


@pytest.mark.parametrize(("args", "message"), [
    (("start", "--image", IMG_NEW, "--weight", "0"), "--weight: must be within 1..99"),
    (("analyze", "--interval", "soon"), "--interval: expected a duration"),
    (("promote",), "the following arguments are required: --weight"),
])
def test_bad_usage_is_one_line_exit_2(web: Namespace, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    r = rollout(web, tmp_path, *args)
    assert r.returncode == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_unknown_deployment_or_namespace_is_exit_2(web: Namespace, tmp_path: Path) -> None:
    r = run_cli("rollout", "status", "--kubeconfig", str(web.kubeconfig), "-d", "nope", "-n", web.name, cwd=tmp_path)
    assert r.returncode == 2 and f"deployment/nope not found in namespace {web.name}" in r.stderr
    r = run_cli("rollout", "start", "--image", IMG_NEW, "--kubeconfig", str(web.kubeconfig), "-d", "web",
                "-n", "ghost", cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def route_refs(ns: Namespace) -> list[tuple[str, int]]:
    refs = ns.get("httproutes", "web")["spec"]["rules"][0]["backendRefs"]  # type: ignore[index]
    return [(b["name"], b.get("weight", 1)) for b in refs]


def test_gateway_strategy_sets_exact_route_weights_on_the_real_crd(kns: Namespace, tmp_path: Path) -> None:
    labels = {"app": "web", "track": "stable"}
    kns.deployment("web", IMG_OLD, replicas=4, container="app", labels=labels)
    kns.service("web", selector=labels)
    kns.create({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "web"},
                "spec": {"parentRefs": [{"name": "gw"}], "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]}})
    r = rollout(kns, tmp_path, "start", "--image", IMG_NEW, "--strategy", "gateway")
    assert r.returncode == 0, r.stderr
    assert "canary serves 10.0%" in r.stdout
    assert route_refs(kns) == [("web", 90), ("web-canary", 10)]
    assert kns.get("services", "web-canary")["spec"]["selector"] == {"app": "web", "track": "canary"}  # type: ignore[index]
    # the real EndpointSlice controller lists the canary pod behind the canary Service
    eventually(lambda: len(kns.endpoints_ready("web-canary")) == 1, timeout=30, what="canary endpoint ready")
    assert rollout(kns, tmp_path, "promote", "--weight", "50").returncode == 0
    assert route_refs(kns) == [("web", 50), ("web-canary", 50)]
    assert rollout(kns, tmp_path, "rollback", "--active").returncode == 0
    assert route_refs(kns) == [("web", 100)]
    assert kns.get("services", "web-canary") is None and kns.get("deployments", "web-canary") is None


def test_rolling_strategy_with_fast_pods_pauses_and_rolls_back(web: Namespace, tmp_path: Path) -> None:
    r = rollout(web, tmp_path, "start", "--image", IMG_NEW, "--strategy", "rolling")
    assert r.returncode == 0, r.stderr
    d: Any = web.get("deployments", "web")
    assert d["spec"]["paused"] is True
    state = record(web)
    assert state is not None and state.share is not None and state.share >= 0.1
    assert f"canary serves {state.share * 100:.1f}%" in r.stdout
    r = rollout(web, tmp_path, "rollback", "--active")
    assert r.returncode == 0, r.stderr
    stable_only(web)
    assert web.get("deployments", "web")["spec"].get("paused") in (None, False)  # type: ignore[index]


def new_share(ns: Namespace, image: str) -> float:
    """Share of Ready pods that run `image`, once the paused Deployment's pods have all come up."""
    pods = [p for p in ns.pods({"app": "web"}, include_terminating=False)
            if any(c["type"] == "Ready" and c["status"] == "True" for c in (p.get("status") or {}).get("conditions") or [])]
    new = sum(1 for p in pods if p["spec"]["containers"][0]["image"] == image)
    return new / len(pods) if pods else 0.0


def test_rolling_strategy_pause_holds_its_weight_when_pods_are_slow(kns: Namespace, tmp_path: Path) -> None:
    kns.deployment("web", IMG_OLD, replicas=10, container="app")
    kns.patch("deployments", "web", {"spec": {"template": {"metadata": {"annotations": {READY_DELAY: "8s"}}}}})
    kns.settle("web", timeout=120)
    r = rollout(kns, tmp_path, "start", "--image", IMG_NEW, "--strategy", "rolling", "--stage-deadline", "60s")
    assert r.returncode == 0, r.stderr
    time.sleep(12)  # let every pod the paused Deployment started become Ready
    share = new_share(kns, IMG_NEW)
    assert share <= 0.1 + 1e-9, f"paused at 10% but {share:.0%} of Ready pods run the new image"
