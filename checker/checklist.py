"""The seed checklist as data, and the verdict of each item from the check results and attestations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from checker.findings import ChecklistEntry, CheckResult, ItemStatus, Status


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    step: str
    text: str
    check_ids: tuple[str, ...]
    # Several items share one check (the alert table and `alerts-missing`): an item then fails only on
    # findings whose message names it.
    topic: str | None = None


STEP1 = "Step 1: Pre-Deployment Configuration"
STEP2 = "Step 2: Code Quality Verification"
STEP3 = "Step 3: Infrastructure Setup"
STEP4 = "Step 4: Documentation Requirements"
STEP5 = "Step 5: Deploy with Gradual Rollout"
ALERTS = "Error Handling: alert table"

# NOTE: ids not in the registry yet are listed on purpose: an item counts as machine-checked only
# for the checks that exist and ran, so later checks slot in without touching this table.
ITEMS: tuple[Item, ...] = (
    Item("step1.keys-in-vault", STEP1, "Production API keys in secure vault",
         ("secret-ideogram-key", "code-ideogram-key-client-exposed", "k8s-key-literal", "live-k8s-secret")),
    Item("step1.env-in-platform", STEP1, "Environment variables set in deployment platform",
         ("k8s-key-missing", "live-ideogram-auth", "live-k8s-secret", "live-k8s-key-distinct")),
    Item("step1.key-scopes", STEP1, "API key scopes are minimal (least privilege)", ()),
    Item("step1.webhook-https", STEP1, "Webhook endpoints configured with HTTPS", ("webhook-insecure-url",)),
    Item("step1.webhook-secrets", STEP1, "Webhook secrets stored securely", ("webhook-unverified",)),
    Item("step2.tests-passing", STEP2, "All tests passing", ("tests-pass",)),
    Item("step2.no-hardcoded-credentials", STEP2, "No hardcoded credentials",
         ("secret-ideogram-key", "secret-generic", "k8s-key-literal")),
    Item("step2.error-handling", STEP2, "Error handling covers all Ideogram error types",
         ("code-ideogram-unhandled-errors", "code-ideogram-unsafe-unchecked",
          "code-ideogram-url-not-persisted", "code-ideogram-wrong-auth-header", "live-ideogram-smoke")),
    Item("step2.rate-limit-backoff", STEP2, "Rate limiting/backoff implemented",
         ("code-ideogram-no-backoff", "code-ideogram-no-timeout")),
    Item("step2.production-logging", STEP2, "Logging is production-appropriate", ("code-ideogram-key-logged",)),
    Item("step3.health-check", STEP3, "Health check endpoint includes Ideogram connectivity",
         ("k8s-probes-missing", "live-staging-health")),
    Item("step3.monitoring", STEP3, "Monitoring/alerting configured",
         ("alerts-missing", "k8s-resources-missing", "live-prometheus")),
    Item("step3.circuit-breaker", STEP3, "Circuit breaker pattern implemented", ("code-no-circuit-breaker",)),
    Item("step3.graceful-degradation", STEP3, "Graceful degradation configured", ("code-no-degradation",)),
    Item("step4.runbook", STEP4, "Incident runbook created", ("docs-runbook",)),
    Item("step4.key-rotation", STEP4, "Key rotation procedure documented", ("docs-key-rotation",)),
    Item("step4.rollback", STEP4, "Rollback procedure documented", ("docs-rollback",)),
    Item("step4.escalation", STEP4, "On-call escalation path defined", ("docs-escalation",)),
    Item("step5.preflight", STEP5, "Pre-flight checks: staging healthy, Ideogram up, cluster ready",
         ("live-staging-health", "live-ideogram-status", "live-k8s-deployment")),
    Item("alerts.api-down", ALERTS, "API Down: 5xx errors > 10/min (P1)", ("alerts-missing",),
         topic="the checklist's API Down alert"),
    Item("alerts.high-latency", ALERTS, "High Latency: p99 > 5000ms (P2)", ("alerts-missing",),
         topic="the checklist's High Latency alert"),
    Item("alerts.rate-limited", ALERTS, "Rate Limited: 429 errors > 5/min (P2)", ("alerts-missing",),
         topic="the checklist's Rate Limited alert"),
    Item("alerts.auth-failures", ALERTS, "Auth Failures: 401/403 errors > 0 (P1)", ("alerts-missing",),
         topic="the checklist's Auth Failures alert"),
)

ITEM_IDS: frozenset[str] = frozenset(item.id for item in ITEMS)


@dataclass(frozen=True, slots=True)
class Attestation:
    """A person's word that a manual item is done: who, when, and where the evidence lives."""

    by: str
    date: str
    link: str
    note: str = ""

    def evidence(self) -> str:
        text = f"attested by {self.by} on {self.date}: {self.link}"
        return f"{text} ({self.note})" if self.note else text


def item_entry(
    item: Item, results: Mapping[str, CheckResult], attestation: Attestation | None, known: frozenset[str],
) -> ChecklistEntry:
    """Failed or errored checks fail the item; an item no check exists for is manual unless attested; an item
    whose checks all read nothing is not applicable (never pass)."""
    ran = [results[cid] for cid in item.check_ids if cid in results]
    active = [r for r in ran if r.status is not Status.SKIPPED]
    ids = tuple(r.check_id for r in ran)
    if not ran:
        checkable = sorted(cid for cid in item.check_ids if cid in known)
        if checkable:
            return ChecklistEntry(item.id, item.step, item.text, ItemStatus.SKIPPED,
                                  "not run this time: " + ", ".join(checkable), ())
        if attestation is not None:
            return ChecklistEntry(item.id, item.step, item.text, ItemStatus.PASS, attestation.evidence(), ids)
        return ChecklistEntry(item.id, item.step, item.text, ItemStatus.MANUAL,
                              "no machine check; attest it under `attestations` in .ideogram-prod.yaml", ids)
    if not active:
        # NOTE: checks that found nothing of theirs to read say the item does not apply here; that is
        # never a pass, and a check skipped for another reason (disabled, diff mode) leaves it skipped.
        reasons = "; ".join(f"{r.check_id}: {r.reason}" for r in ran)
        verdict = ItemStatus.NOT_APPLICABLE if not any(r.applicable for r in ran) else ItemStatus.SKIPPED
        return ChecklistEntry(item.id, item.step, item.text, verdict, reasons, ids)
    bad = [r for r in active if r.status is Status.ERROR or (
        r.status is Status.FAILED and (item.topic is None or any(item.topic in f.message for f in r.findings)))]
    if bad:
        parts = []
        for r in bad:
            if r.status is Status.ERROR:
                parts.append(f"{r.check_id} errored: {r.reason}")
            else:
                relevant = [f for f in r.findings if item.topic is None or item.topic in f.message]
                parts.append(f"{r.check_id}: {len(relevant)} finding(s)")
        return ChecklistEntry(item.id, item.step, item.text, ItemStatus.FAIL, "; ".join(parts), ids)
    return ChecklistEntry(item.id, item.step, item.text, ItemStatus.PASS,
                          "checked by " + ", ".join(r.check_id for r in active), ids)


def checklist(
    results: Sequence[CheckResult], attestations: Mapping[str, Attestation], known: frozenset[str],
) -> tuple[ChecklistEntry, ...]:
    """`known` is every check id the tool has, so an item whose checks were not selected reads as skipped."""
    by_id = {r.check_id: r for r in results}
    return tuple(item_entry(item, by_id, attestations.get(item.id), known) for item in ITEMS)
