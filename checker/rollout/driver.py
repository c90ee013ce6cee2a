"""The side effects of a rollout: canary objects, route weights, promotion, undo and rollback, and waiting."""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checker.clients.kube import JSON_PATCH, SMP, Kube, KubeError, selector_string
from checker.rollout import plan
from checker.rollout.state import RolloutState
from checker.rollout.undo import REVISION, UndoError, controlled_by, templates_equal, undo_patch, undo_target

Obj = dict[str, Any]
MANAGED = "app.kubernetes.io/managed-by"


class StageFailed(Exception):
    """The cluster did not reach the stage's state in time (crash-looping pods, a stuck rollout)."""


@dataclass(frozen=True, slots=True)
class StageStatus:
    """What is actually serving: ready pods on each side and the canary's share of them."""

    stable_ready: int
    canary_ready: int
    canary_desired: int
    share: float
    problem: str = ""
    stable_desired: int = 0  # the stable's pods the stage needs Ready too (replicas and gateway strategies)


def hpa_for(kube: Kube, deployment: str) -> Obj | None:
    """The HorizontalPodAutoscaler that scales `deployment`, if any (it owns spec.replicas: we must not fight it)."""
    try:
        hpas = kube.list("horizontalpodautoscalers")
    except KubeError as exc:
        if exc.status in (403, 404):
            return None  # no autoscaling API, or not allowed to read it: as without an HPA
        raise
    for h in hpas:
        ref = (h.get("spec") or {}).get("scaleTargetRef") or {}
        if ref.get("kind") == "Deployment" and ref.get("name") == deployment:
            return h
    return None


def sizing(kube: Kube, state: RolloutState) -> tuple[int, bool]:
    """(the stable count a stage is sized from, whether an HPA owns it): the live count under an HPA, else the
    count recorded at start (the replicas strategy scales the stable itself)."""
    if hpa_for(kube, state.deployment) is None:
        return state.stable_replicas, False
    d = kube.get("deployments", state.deployment) or {}
    return max(1, int((d.get("spec") or {}).get("replicas") or state.stable_replicas)), True


def canary_name(deployment: str) -> str:
    return f"{deployment}-canary"


def label_pair(config_label: str) -> tuple[str, str]:
    key, value = config_label.split("=", 1)
    return key, value


def container_index(template: Obj, container: str | None) -> int:
    containers = template["spec"]["containers"]
    if container is None:
        return 0
    for i, c in enumerate(containers):
        if c["name"] == container:
            return i
    raise KeyError(container)


def image_of(template: Obj, container: str | None) -> str:
    return str(template["spec"]["containers"][container_index(template, container)].get("image", ""))


def _set_image_patch(template: Obj, container: str | None, image: str) -> Obj:
    """Exactly what `kubectl set image` sends: a strategic merge patch naming the container."""
    name = template["spec"]["containers"][container_index(template, container)]["name"]
    return {"spec": {"template": {"spec": {"containers": [{"name": name, "image": image}]}}}}


def canary_manifest(state: RolloutState, stable: Obj, replicas: int, label: tuple[str, str]) -> Obj:
    key, value = label
    template = copy.deepcopy(state.from_template)
    template.setdefault("metadata", {}).setdefault("labels", {})[key] = value
    template["metadata"]["labels"].pop("pod-template-hash", None)
    template["spec"]["containers"][container_index(template, state.container or None)]["image"] = state.to_image
    selector = copy.deepcopy(stable["spec"]["selector"])
    selector.setdefault("matchLabels", {})[key] = value
    labels = {**(stable["metadata"].get("labels") or {}), key: value, MANAGED: "ideogram-prod"}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": state.canary_name, "labels": labels,
                     "annotations": {"ideogram-prod/rollout-id": state.rollout_id}},
        "spec": {"replicas": replicas, "selector": selector, "template": template,
                 "revisionHistoryLimit": 1},
    }


def scale(kube: Kube, name: str, replicas: int) -> None:
    kube.patch("deployments", name, {"spec": {"replicas": replicas}}, SMP)


def ensure_canary(kube: Kube, state: RolloutState, replicas: int, label: tuple[str, str]) -> None:
    """Create or resize `<name>-canary` (idempotent: the same call twice changes nothing)."""
    stable = kube.get("deployments", state.deployment)
    if stable is None:
        raise StageFailed(f"deployment/{state.deployment} disappeared")
    current = kube.get("deployments", state.canary_name)
    if current is None:
        try:
            kube.create("deployments", canary_manifest(state, stable, replicas, label))
            return
        except KubeError as exc:
            if exc.status != 409:
                raise
            current = kube.get("deployments", state.canary_name)
            assert current is not None
    if image_of(current["spec"]["template"], state.container or None) != state.to_image:
        # A leftover canary of another image: replace its template rather than serve the wrong build.
        body = canary_manifest(state, stable, replicas, label)
        kube.patch("deployments", state.canary_name, [{"op": "replace", "path": "/spec/template",
                                                       "value": body["spec"]["template"]}], JSON_PATCH)
    if (current["spec"].get("replicas") or 0) != replicas:
        scale(kube, state.canary_name, replicas)


def set_route(kube: Kube, state: RolloutState, stable_weight: int, canary_weight: int) -> None:
    """HTTPRoute backendRefs: stable and canary Services with exact weights (the canary ref dropped at 0)."""
    def mutate(route: Obj) -> bool:
        before = copy.deepcopy(route)
        rules = route.get("spec", {}).get("rules") or []
        found = False
        for rule in rules:
            refs = rule.get("backendRefs") or []
            names = [r.get("name") for r in refs]
            if state.stable_service not in names:
                continue
            found = True
            stable_ref = refs[names.index(state.stable_service)]
            stable_ref["weight"] = stable_weight
            others = [r for r in refs if r.get("name") not in (state.stable_service, state.canary_service)]
            new = [stable_ref]
            if canary_weight > 0:
                canary_ref = {k: v for k, v in stable_ref.items() if k != "weight"}
                canary_ref.update(name=state.canary_service, weight=canary_weight)
                new.append(canary_ref)
            rule["backendRefs"] = new + others
        if not found:
            raise StageFailed(f"httproute/{state.route} has no backendRef to service/{state.stable_service}")
        return route != before

    if kube.update("httproutes", state.route, mutate) is None:
        raise StageFailed(f"httproute/{state.route} not found")


def ensure_canary_service(kube: Kube, state: RolloutState, label: tuple[str, str]) -> None:
    stable = kube.get("services", state.stable_service)
    if stable is None:
        raise StageFailed(f"service/{state.stable_service} not found")
    selector = dict((stable.get("spec") or {}).get("selector") or {})
    key, value = label
    if selector.get(key) != value and key not in selector:
        # The stable Service would also reach canary pods, so the route's weights would lie.
        raise StageFailed(f"service/{state.stable_service} selects canary pods too: add {key}: <stable value> "
                          "to its selector (and the stable pods) for the gateway strategy")
    selector[key] = value
    if kube.get("services", state.canary_service) is None:
        ports = [{k: v for k, v in p.items() if k != "nodePort"} for p in stable["spec"].get("ports") or []]
        try:
            kube.create("services", {"apiVersion": "v1", "kind": "Service",
                                     "metadata": {"name": state.canary_service, "labels": {MANAGED: "ideogram-prod"}},
                                     "spec": {"selector": selector, "ports": ports}})
        except KubeError as exc:
            if exc.status != 409:
                raise


def apply_stage(kube: Kube, state: RolloutState, weight: int, label: tuple[str, str], max_pods_factor: float) -> None:
    """Put the cluster at `weight`% (< 100) for the state's strategy; safe to repeat."""
    from checker.rollout.strategies import strategy

    strategy(state.strategy).apply(kube, state, weight, label, max_pods_factor)


def apply_rolling(kube: Kube, state: RolloutState, weight: int, poll_s: float = 0.05, wait_s: float = 30.0) -> None:
    """The seed's `set image` on the one Deployment, driven by the new ReplicaSet (issue 12, harm 8).

    maxSurge is set so the controller's next step adds exactly the new pods this stage needs and maxUnavailable
    0 keeps every old pod; the Deployment is paused again as soon as the new ReplicaSet asks for them, before any
    is Ready, so the controller cannot roll further whatever the pods' timing. The share is then what is observed
    (e.g. 1 new of 11 pods at 10%); the Deployment's own strategy comes back at promote or rollback.
    """
    d = kube.get("deployments", state.deployment)
    assert d is not None
    replicas = int(d["spec"].get("replicas") if d["spec"].get("replicas") is not None else 1)
    target = max(1, math.ceil(replicas * weight / 100))
    new, old = _new_and_old(kube, d, state)
    if new >= target:
        if not d["spec"].get("paused"):
            kube.patch("deployments", state.deployment, {"spec": {"paused": True}}, SMP)
        return
    kube.patch("deployments", state.deployment, {"spec": {"paused": True}}, SMP)
    ops: list[Obj] = [{"op": "replace", "path": "/spec/strategy", "value": {
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": target + old - replicas, "maxUnavailable": 0}}}]
    c = container_index(d["spec"]["template"], state.container or None)
    if image_of(d["spec"]["template"], state.container or None) != state.to_image:
        ops.append({"op": "replace", "path": f"/spec/template/spec/containers/{c}/image", "value": state.to_image})
    kube.patch("deployments", state.deployment, ops, JSON_PATCH)
    kube.patch("deployments", state.deployment, {"spec": {"paused": False}}, SMP)
    end = time.monotonic() + wait_s
    try:
        while time.monotonic() < end:
            current = kube.get("deployments", state.deployment)
            if current is not None and _new_and_old(kube, current, state)[0] >= target:
                return
            time.sleep(poll_s)
        raise StageFailed(f"deployment/{state.deployment}: the new ReplicaSet did not ask for {target} pod(s) within "
                          f"{wait_s:g}s")
    finally:
        kube.patch("deployments", state.deployment, {"spec": {"paused": True}}, SMP)


def _new_and_old(kube: Kube, d: Obj, state: RolloutState) -> tuple[int, int]:
    """Pods the ReplicaSets running the new image ask for, and those the others ask for."""
    new = old = 0
    for rs in owned_replicasets(kube, d):
        n = int(rs["spec"].get("replicas") or 0)
        if image_of(rs["spec"]["template"], state.container or None) == state.to_image:
            new += n
        else:
            old += n
    return new, old


def restore_strategy(kube: Kube, state: RolloutState) -> list[str]:
    """The Deployment's own spec.strategy back, as recorded at start (the rolling strategy changes it)."""
    d = kube.get("deployments", state.deployment)
    if d is None or state.from_strategy is None or d["spec"].get("strategy") == state.from_strategy:
        return []
    kube.patch("deployments", state.deployment, [{"op": "replace", "path": "/spec/strategy",
                                                   "value": state.from_strategy}], JSON_PATCH)
    return [f"deployment.apps/{state.deployment} strategy restored"]


def owned_replicasets(kube: Kube, d: Obj) -> list[Obj]:
    rs = kube.list("replicasets", selector_string(d["spec"].get("selector")))
    return [r for r in rs if controlled_by(r, d["metadata"]["uid"])]


def _ready(d: Obj | None) -> int:
    return int(((d or {}).get("status") or {}).get("readyReplicas") or 0)


def stage_status(kube: Kube, state: RolloutState) -> StageStatus:
    """Ready pods per side and the real share, as the state's strategy observes them."""
    from checker.rollout.strategies import strategy

    return strategy(state.strategy).observe(kube, state)


def rolling_status(kube: Kube, state: RolloutState) -> StageStatus:
    """Ready pods of the new ReplicaSet (the canary) and of the old ones (the stable)."""
    d = kube.get("deployments", state.deployment)
    if d is None:
        return StageStatus(0, 0, 0, 0.0, f"deployment/{state.deployment} not found")
    new_ready = old_ready = new_desired = old_desired = 0
    for rs in owned_replicasets(kube, d):
        ready, want = int((rs.get("status") or {}).get("readyReplicas") or 0), int(rs["spec"].get("replicas") or 0)
        if image_of(rs["spec"]["template"], state.container or None) == state.to_image:
            new_ready, new_desired = new_ready + ready, new_desired + want
        else:
            old_ready, old_desired = old_ready + ready, old_desired + want
    return StageStatus(old_ready, new_ready, new_desired if state.weight else 0, plan.share_of(old_ready, new_ready),
                       "", old_desired)


def pods_status(kube: Kube, state: RolloutState, gateway: bool) -> StageStatus:
    """A canary Deployment beside the stable: pod share, or the route's weight once a canary pod is Ready."""
    stable = kube.get("deployments", state.deployment)
    canary = kube.get("deployments", state.canary_name)
    c_ready, s_ready = _ready(canary), _ready(stable)
    desired = int(((canary or {}).get("spec") or {}).get("replicas") or 0)
    share = (state.weight / 100 if c_ready else 0.0) if gateway else plan.share_of(s_ready, c_ready)
    problem = _pod_problem(kube, canary) if canary is not None and c_ready < desired else ""
    s_desired = int(((stable or {}).get("spec") or {}).get("replicas") or 0)
    return StageStatus(s_ready, c_ready, desired, share, problem, s_desired)


def _pod_problem(kube: Kube, d: Obj) -> str:
    for pod in kube.list("pods", selector_string(d["spec"].get("selector"))):
        for cs in (pod.get("status") or {}).get("containerStatuses") or []:
            waiting = (cs.get("state") or {}).get("waiting") or {}
            if waiting.get("reason") in ("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull",
                                         "CreateContainerConfigError"):
                return f"pod {pod['metadata']['name']}: {waiting['reason']} (restarts: {cs.get('restartCount', 0)})"
    return ""


def wait_stage(kube: Kube, state: RolloutState, deadline_s: float, started: float,
               tick: Callable[[StageStatus], None] | None = None) -> StageStatus:
    """Until every canary pod is Ready; StageFailed once the stage deadline (from `started`) passes."""
    while True:
        st = stage_status(kube, state)
        if tick:
            tick(st)
        # Both sides Ready: the share reported is the one that serves, not one of a stable still scaling up.
        if st.canary_ready >= st.canary_desired and st.stable_ready >= st.stable_desired:
            return st
        if time.time() - started >= deadline_s:
            raise StageFailed(f"canary not Ready within the stage deadline ({deadline_s:g}s): "
                              f"{st.canary_ready}/{st.canary_desired} ready"
                              + (f"; {st.problem}" if st.problem else ""))
        time.sleep(0.2)


# ---------------------------------------------------------------------------------------- serving checks
def serving_problem(kube: Kube, name: str, image: str, container: str | None, replicas: int | None) -> str:
    """'' when the Deployment serves exactly `image` on all its replicas (observed, updated, available, pods)."""
    d = kube.get("deployments", name)
    if d is None:
        return f"deployment/{name} not found"
    spec, status = d["spec"], d.get("status") or {}
    want = int(spec.get("replicas") if spec.get("replicas") is not None else 1)
    if replicas is not None and want != replicas:
        return f"{want} replicas asked, {replicas} expected"
    if spec.get("paused"):
        return "paused"
    if (status.get("observedGeneration") or 0) < (d["metadata"].get("generation") or 0):
        return "spec change not yet observed"
    if image_of(spec["template"], container) != image:
        return f"template runs {image_of(spec['template'], container)}"
    updated, available, total = (int(status.get(k) or 0) for k in ("updatedReplicas", "availableReplicas", "replicas"))
    if updated < want or total > updated or available < want:
        return f"{updated}/{want} updated, {available} available, {total} total"
    for rs in owned_replicasets(kube, d):
        pods = [p for p in kube.list("pods", selector_string(rs["spec"].get("selector")))
                if controlled_by(p, rs["metadata"]["uid"])]
        for pod in pods:
            running = image_of({"spec": pod["spec"]}, container)
            if running != image:
                return f"pod {pod['metadata']['name']} still runs {running}"
    return ""


def wait_serving(kube: Kube, name: str, image: str, container: str | None, replicas: int | None,
                 deadline_s: float) -> None:
    end = time.monotonic() + deadline_s
    problem = ""
    while time.monotonic() < end:
        problem = serving_problem(kube, name, image, container, replicas)
        if not problem:
            return
        time.sleep(0.2)
    raise StageFailed(f"deployment/{name} does not serve {image} within {deadline_s:g}s: {problem}")


# ---------------------------------------------------------------------------------------- promote
def promote_full(kube: Kube, state: RolloutState, deadline_s: float) -> None:
    """100%: the stable runs the new image (as `kubectl set image` would patch it), verified, then the canary goes."""
    d = kube.get("deployments", state.deployment)
    assert d is not None
    container = state.container or None
    restore_strategy(kube, state)
    if d["spec"].get("paused"):
        kube.patch("deployments", state.deployment, {"spec": {"paused": False}}, SMP)
    if image_of(d["spec"]["template"], container) != state.to_image:
        kube.patch("deployments", state.deployment, _set_image_patch(d["spec"]["template"], container,
                                                                      state.to_image), SMP)
    wait_serving(kube, state.deployment, state.to_image, container, None, deadline_s)
    pods = canary_pod_selector(kube, state)
    remove_canary(kube, state)
    wait_pods_gone(kube, pods, deadline_s)
    _, autoscaled = sizing(kube, state)
    if not autoscaled and (d["spec"].get("replicas") or 0) != state.stable_replicas:
        scale(kube, state.deployment, state.stable_replicas)
    # Under an HPA the count is its to choose: verify the image on every pod it asks for, not a count.
    wait_serving(kube, state.deployment, state.to_image, container, None if autoscaled else state.stable_replicas,
                 deadline_s)


def remove_canary(kube: Kube, state: RolloutState) -> list[str]:
    """Traffic back to stable first, then the canary objects; returns what it removed (empty = nothing to do)."""
    from checker.rollout.strategies import STRATEGIES

    done = STRATEGIES[state.strategy].cleanup(kube, state) if state.strategy in STRATEGIES else []
    return done + delete_canary_deployment(kube, state)


def delete_canary_deployment(kube: Kube, state: RolloutState) -> list[str]:
    if kube.delete("deployments", state.canary_name or canary_name(state.deployment)):
        return [f"deployment/{state.canary_name}"]
    return []


def canary_pod_selector(kube: Kube, state: RolloutState) -> str | None:
    """The canary Deployment's pod selector, read before it is deleted (its pods outlive it while terminating)."""
    canary = kube.get("deployments", state.canary_name or canary_name(state.deployment))
    return None if canary is None else selector_string(canary["spec"].get("selector"))


def wait_pods_gone(kube: Kube, selector: str | None, deadline_s: float) -> int:
    """Until no pod matches `selector`, terminating ones included (they may still serve); the pods it waited for."""
    if not selector:
        return 0
    end = time.monotonic() + deadline_s
    seen = 0
    while True:
        pods = kube.list("pods", selector)
        seen = max(seen, len(pods))
        if not pods:
            return seen
        if time.monotonic() >= end:
            names = ", ".join(p["metadata"]["name"] for p in pods[:3])
            raise StageFailed(f"canary pod(s) still exist after {deadline_s:g}s (terminating pods may still serve): "
                              f"{names}")
        time.sleep(0.2)


def route_settled(route: Obj) -> bool | None:
    """Whether every parent Gateway accepted the route's current generation; None if no controller reports status."""
    parents = (route.get("status") or {}).get("parents") or []
    if not parents:
        return None
    generation = (route.get("metadata") or {}).get("generation") or 0
    for parent in parents:
        accepted = [c for c in parent.get("conditions") or [] if c.get("type") == "Accepted"]
        if not accepted or any(c.get("status") != "True" or (c.get("observedGeneration") or 0) < generation
                               for c in accepted):
            return False
    return True


def wait_route_drained(kube: Kube, state: RolloutState, drain_s: float, deadline_s: float) -> str:
    """After the route's canary weight went to 0: its status for that generation, else `drain_s` (no controller
    reports status, like Argo's abortScaleDownDelaySeconds), before the canary's objects may go."""
    end = time.monotonic() + deadline_s
    while True:
        route = kube.get("httproutes", state.route)
        settled = None if route is None else route_settled(route)
        if settled is None:
            time.sleep(drain_s)
            return f"waited the {drain_s:g}s drain delay (no route status to wait for)"
        if settled:
            return f"httproute/{state.route}: every Gateway accepted the stable-only weights"
        if time.monotonic() >= end:
            raise StageFailed(f"httproute/{state.route}: the Gateways did not accept the stable-only weights within "
                              f"{deadline_s:g}s; the canary objects stay until they do")
        time.sleep(0.2)


# ---------------------------------------------------------------------------------------- undo / rollback
def undo(kube: Kube, name: str, to_revision: int = 0, allow_paused: bool = False) -> str:
    """`kubectl rollout undo deployment/NAME [--to-revision=N]`: one JSON Patch, kubectl's messages."""
    d = kube.get("deployments", name)
    if d is None:
        raise UndoError(f'deployments.apps "{name}" not found')
    target = undo_target(d, owned_replicasets(kube, d), to_revision)
    if d["spec"].get("paused") and not allow_paused:
        raise UndoError("you cannot rollback a paused deployment; resume it first with "
                        "'kubectl rollout resume' and try again")
    ops = undo_patch(d, target)
    rev = (target["metadata"].get("annotations") or {}).get(REVISION, "0")
    if ops is None:
        return f"deployment.apps/{name} skipped rollback (current template already matches revision {rev})"
    kube.patch("deployments", name, ops, JSON_PATCH)
    return f"deployment.apps/{name} rolled back"


def revision_with_template(kube: Kube, d: Obj, template: Obj) -> int | None:
    for rs in owned_replicasets(kube, d):
        if templates_equal(rs["spec"]["template"], template):
            raw = (rs["metadata"].get("annotations") or {}).get(REVISION)
            if raw and raw.isdigit():
                return int(raw)
    return None


def restore_stable(kube: Kube, state: RolloutState, to_revision: int | None) -> list[str]:
    """The stable back to the recorded template (via undo, so history matches kubectl's) and replica count."""
    done: list[str] = []
    d = kube.get("deployments", state.deployment)
    if d is None:
        raise StageFailed(f"deployment/{state.deployment} not found")
    wanted = state.from_template
    if to_revision or not templates_equal(d["spec"]["template"], wanted):
        rev = to_revision or revision_with_template(kube, d, wanted)
        if rev:
            # NOTE: a paused Deployment is patched first and resumed after, so the bad template never rolls on.
            message = undo(kube, state.deployment, rev, allow_paused=True)
            done.append(message)
        else:
            kube.patch("deployments", state.deployment,
                       [{"op": "replace", "path": "/spec/template", "value": wanted}], JSON_PATCH)
            done.append(f"deployment.apps/{state.deployment} template restored from the rollout record")
    done += restore_strategy(kube, state)
    if d["spec"].get("paused"):
        kube.patch("deployments", state.deployment, {"spec": {"paused": False}}, SMP)
        done.append(f"deployment.apps/{state.deployment} resumed")
    _, autoscaled = sizing(kube, state)
    if autoscaled:
        done.append(f"deployment.apps/{state.deployment}: replicas left to its HPA")
    elif (d["spec"].get("replicas") or 0) != state.stable_replicas:
        scale(kube, state.deployment, state.stable_replicas)
        done.append(f"deployment.apps/{state.deployment} scaled to {state.stable_replicas}")
    return done
