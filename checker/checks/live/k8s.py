"""The cluster: the key's Secret exists and is not empty, staging's key differs, the Deployment is ready."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from fnmatch import fnmatchcase
from typing import Any

from checker.checks.live import LiveContext, errored, failed, passed, skipped
from checker.clients.kube import (
    FINISHED_PHASES,
    ROLLOUT_RECORD,
    KubeError,
    client_for,
    first_container,
    key_ref,
    rollout_record,
    secret_text,
)
from checker.config import ClusterTarget
from checker.findings import CheckResult, Status
from checker.redact import REDACTOR, secret_fingerprint

SECRET, DISTINCT, DEPLOYMENT = "live-k8s-secret", "live-k8s-key-distinct", "live-k8s-deployment"


def where(target: ClusterTarget, kind: str, name: str) -> str:
    return f"{kind}/{target.namespace}/{name}"


def read_key(target: ClusterTarget, key_env: str) -> tuple[str | None, str]:
    """(the key value, or None and why); the value is registered with the redactor at once."""
    kube = client_for(target)
    deploy = kube.get("deployments", target.deployment)
    if deploy is None:
        return None, f"Deployment {where(target, 'deployment', target.deployment)} not found"
    ref = key_ref(deploy, key_env, target.container)
    if ref is None:
        return None, f"its container gets {key_env} from no Secret"
    name, key = ref
    secret = kube.get("secrets", name)
    if secret is None:
        return None, f"Secret {where(target, 'secret', name)} (referenced for {key_env}) not found"
    value = secret_text(secret, key)
    REDACTOR.register(value)
    if not value or not value.strip():
        return None, f"Secret {where(target, 'secret', name)} has no value under key {key!r}"
    return value, f"Secret {where(target, 'secret', name)} key {key!r} holds {len(value)} characters"


def deployment_verdict(deploy: dict[str, Any], state: dict[str, Any] | None, canary: dict[str, Any] | None,
                       target: ClusterTarget) -> CheckResult:
    at = where(target, "deployment", target.deployment)
    spec, status = deploy.get("spec", {}), deploy.get("status", {})
    problems = []
    if spec.get("paused"):
        problems.append("paused")
    desired = spec.get("replicas", 1)
    if status.get("observedGeneration", 0) < deploy.get("metadata", {}).get("generation", 0):
        problems.append("spec change not yet observed by the controller")
    updated, available = status.get("updatedReplicas", 0), status.get("availableReplicas", 0)
    if updated < desired or status.get("replicas", 0) > updated:
        problems.append(f"rollout in progress ({updated}/{desired} updated)")
    if available < desired:
        problems.append(f"only {available}/{desired} replicas available")
    if state is not None and state.get("phase") not in FINISHED_PHASES:
        problems.append(f"ideogram-prod rollout {state.get('rollout_id')} is {state.get('phase')} at "
                        f"{state.get('weight')}%")
    if canary is not None and canary.get("spec", {}).get("replicas", 0) > 0:
        problems.append(f"canary Deployment {canary['metadata']['name']} is running")
    if problems:
        return failed(DEPLOYMENT, f"{at}: " + "; ".join(problems), at)
    container = first_container(deploy, target.container) or {}
    return passed(DEPLOYMENT, f"{at}: {available}/{desired} available, image {container.get('image', '?')}")


def judged_deployments(names: Iterable[str], patterns: Sequence[str], default: str) -> tuple[list[str], list[str]]:
    """(the Deployments to judge, the kubernetes.workload names/globs that match none): the rollout's Deployment
    and every one a pattern names (an integration often runs as web and worker)."""
    present = sorted(set(names))
    matched = {n for n in present if any(fnmatchcase(n, p) for p in patterns)}
    unmatched = [p for p in patterns if not any(fnmatchcase(n, p) for n in present)]
    return sorted(matched | {default}), unmatched


def workload_targets(target: ClusterTarget, patterns: Sequence[str]) -> tuple[list[ClusterTarget], list[str]]:
    if not patterns:
        return [target], []
    names = [str((d.get("metadata") or {}).get("name")) for d in client_for(target).list("deployments")]
    chosen, unmatched = judged_deployments(names, patterns, target.deployment)
    return [replace_target(target, n) for n in chosen], unmatched


def replace_target(target: ClusterTarget, deployment: str) -> ClusterTarget:
    return target.model_copy(update={"deployment": deployment})


def _combined(check_id: str, results: list[CheckResult], unmatched: list[str], namespace: str) -> CheckResult:
    """One result over several Deployments: failed if any failed, an error if a configured name matched no
    Deployment (never a pass), else passed with every reason."""
    bad = [r for r in results if r.status is not Status.PASSED]
    if len(results) == 1 and not unmatched:
        return results[0]
    if bad:
        first = bad[0]
        return replace(first, findings=tuple(f for r in bad for f in r.findings),
                       reason="; ".join(r.reason for r in bad))
    if unmatched:
        shown = ", ".join(repr(p) for p in unmatched)
        return errored(check_id, f"kubernetes.workload {shown} matches no Deployment in namespace {namespace} "
                                 f"(judged: {'; '.join(r.reason for r in results)})")
    return passed(check_id, "; ".join(r.reason for r in results))


def check_deployment(target: ClusterTarget) -> CheckResult:
    kube = client_for(target)
    deploy = kube.get("deployments", target.deployment)
    at = where(target, "deployment", target.deployment)
    if deploy is None:
        return failed(DEPLOYMENT, f"{at} not found", at)
    state = rollout_record(kube.get("configmaps", ROLLOUT_RECORD.format(deployment=target.deployment)))
    canary = kube.get("deployments", f"{target.deployment}-canary")
    return deployment_verdict(deploy, state, canary, target)


def run(ctx: LiveContext, ids: tuple[str, ...]) -> list[CheckResult]:
    cluster = ctx.config.cluster
    key_env = ctx.config.kubernetes.key_env
    prod = cluster.production
    results: list[CheckResult] = []
    try:
        prod_key, prod_note = (None, "")
        if SECRET in ids or DISTINCT in ids:
            prod_key, prod_note = read_key(prod, key_env)
        targets: list[ClusterTarget] = [prod]
        unmatched: list[str] = []
        if SECRET in ids or DEPLOYMENT in ids:
            targets, unmatched = workload_targets(prod, ctx.config.kubernetes.workload_patterns())
        if SECRET in ids:
            each = []
            for target in targets:
                key, note = (prod_key, prod_note) if target == prod else read_key(target, key_env)
                at = where(target, "deployment", target.deployment)
                each.append(passed(SECRET, note) if key else failed(SECRET, note, at))
            results.append(_combined(SECRET, each, unmatched, prod.namespace))
        if DISTINCT in ids:
            if cluster.staging is None:
                results.append(skipped(DISTINCT, "cluster.staging is not configured"))
            elif prod_key is None:
                results.append(errored(DISTINCT, f"production key unreadable: {prod_note}"))
            else:
                staging_key, staging_note = read_key(cluster.staging, key_env)
                if staging_key is None:
                    results.append(errored(DISTINCT, f"staging key unreadable: {staging_note}"))
                elif secret_fingerprint(staging_key) == secret_fingerprint(prod_key):
                    at = where(cluster.staging, "deployment", cluster.staging.deployment)
                    results.append(failed(DISTINCT, "staging and production use the same Ideogram key", at))
                else:
                    results.append(passed(DISTINCT, "staging and production keys differ (compared by fingerprint)"))
        if DEPLOYMENT in ids:
            results.append(_combined(DEPLOYMENT, [check_deployment(t) for t in targets], unmatched, prod.namespace))
    except KubeError as exc:
        done = {r.check_id for r in results}
        results += [errored(i, str(exc)) for i in ids if i not in done]
    return results
