"""Every check id the tool knows, in one explicit ordered table: ids are API and never renamed."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from checker.findings import Severity


class Engine(enum.StrEnum):
    """Which runner produces a check's findings; one run of each engine serves all its checks."""

    SECRETS = "secrets"
    SEMGREP = "semgrep"
    NATIVE = "native"  # a Python module in checker/checks/static/, named by CheckSpec.runner
    LIVE = "live"  # run by `preflight` against live endpoints; a module in checker/checks/live/
    GATE = "gate"  # the scan's judgement of the gate's own settings under --diff-base (checker/base_ref.py)


@dataclass(frozen=True, slots=True)
class CheckSpec:
    id: str
    title: str
    engine: Engine
    severity: Severity
    checklist_item: str
    fix: str
    runner: str = ""  # NATIVE and LIVE: the module under checker/checks/static/ or checker/checks/live/
    tags: tuple[str, ...] = ("reliability",)  # SARIF rule tags; "security" makes GitHub read security-severity

    @property
    def help_uri(self) -> str:
        """The check's docs page at the released tag (SARIF helpUri, the text report's help link)."""
        from checker.docs_links import check_doc_url

        return check_doc_url(self.id)


SECURITY = ("security",)  # a finding an attacker can use (a leaked key, an unverified webhook), not only an outage

CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "secret-ideogram-key",
        "An Ideogram API key is committed to the repository",
        Engine.SECRETS, Severity.ERROR, "step1.keys-in-vault",
        "Revoke the key in the Ideogram dashboard, remove it from the code and its history, and read it "
        "from a secret store (a Kubernetes Secret, External Secrets, a vault) through an env var.",
        tags=SECURITY,
    ),
    CheckSpec(
        "secret-generic",
        "A credential (cloud key, private key, token, password) is committed to the repository",
        Engine.SECRETS, Severity.ERROR, "step2.no-hardcoded-credentials",
        "Rotate the credential, remove it, and load it from a secret store. Audited false positives "
        "belong in .secrets.baseline.",
        tags=SECURITY,
    ),
    CheckSpec(
        "code-ideogram-no-backoff",
        "An Ideogram call is not retried with backoff on 429/5xx",
        Engine.SEMGREP, Severity.WARNING, "step2.rate-limit-backoff",
        "Retry 429 and 5xx with exponential backoff and jitter (tenacity, backoff, urllib3 Retry, p-retry), "
        "honour Retry-After, and never retry 402 or other 4xx.",
    ),
    CheckSpec(
        "code-ideogram-unhandled-errors",
        "Ideogram failures (401/403, 402, 422, 429, 5xx) are not told apart",
        Engine.SEMGREP, Severity.WARNING, "step2.error-handling",
        "Branch on the status code: auth (401/403) and funds (402) alert, safety (422) goes back to the user, "
        "429 and 5xx retry, and nothing is swallowed.",
    ),
    CheckSpec(
        "code-ideogram-no-timeout",
        "An Ideogram call has no explicit request timeout",
        Engine.SEMGREP, Severity.WARNING, "step2.rate-limit-backoff",
        "Pass an explicit timeout sized for image generation (e.g. 60-120 s): timeout= on the call or client, "
        "AbortSignal.timeout(ms) for fetch, timeout on the axios instance.",
    ),
    CheckSpec(
        "code-ideogram-key-logged",
        "The Ideogram API key (or part of it) reaches a log, print or console call",
        Engine.SEMGREP, Severity.ERROR, "step2.production-logging",
        "Never log the key or a prefix of it; log a fingerprint (a short hash) if you must tell keys apart.",
        tags=SECURITY,
    ),
    CheckSpec(
        "code-ideogram-key-client-exposed",
        "The Ideogram API key reaches browser code",
        Engine.SEMGREP, Severity.ERROR, "step1.keys-in-vault",
        "Call Ideogram only from server code (route handlers, server actions, a backend); never put the key in "
        "NEXT_PUBLIC_/VITE_/REACT_APP_ variables or bundler defines.",
        tags=SECURITY,
    ),
    CheckSpec(
        "code-ideogram-url-not-persisted",
        "An expiring Ideogram image URL is stored or served without the image being kept",
        Engine.SEMGREP, Severity.WARNING, "step2.error-handling",
        "Download the image as soon as it is generated and store it (object storage, CDN); serve your copy.",
    ),
    CheckSpec(
        "code-ideogram-unsafe-unchecked",
        "is_image_safe is never read before a generated image is used",
        Engine.SEMGREP, Severity.WARNING, "step2.error-handling",
        "Check is_image_safe on every returned image and handle unsafe results (no URL) explicitly.",
    ),
    CheckSpec(
        "code-ideogram-wrong-auth-header",
        "Authorization: Bearer is sent to api.ideogram.ai instead of the Api-Key header",
        Engine.SEMGREP, Severity.ERROR, "step2.error-handling",
        "Send the key in the Api-Key header; Ideogram rejects Bearer tokens with 401.",
    ),
    # --- production readiness beyond code (issue 4) ---
    CheckSpec(
        "k8s-key-literal",
        "The Ideogram key is given as a literal value in a Kubernetes manifest",
        Engine.NATIVE, Severity.ERROR, "step1.keys-in-vault",
        "Reference a Secret (valueFrom.secretKeyRef or envFrom.secretRef), a CSI secret volume or an "
        "External Secrets source instead of `value:`.",
        runner="k8s_manifests",
        tags=SECURITY,
    ),
    CheckSpec(
        "k8s-key-missing",
        "The Ideogram workload gets no API key at all",
        Engine.NATIVE, Severity.ERROR, "step1.env-in-platform",
        "Give the container the key env var (default IDEOGRAM_API_KEY) from a Secret.",
        runner="k8s_manifests",
    ),
    CheckSpec(
        "k8s-probes-missing",
        "The Ideogram workload has no readiness (or liveness) probe",
        Engine.NATIVE, Severity.WARNING, "step3.health-check",
        "Add a readinessProbe on the health endpoint that reports Ideogram connectivity, and a livenessProbe.",
        runner="k8s_manifests",
    ),
    CheckSpec(
        "k8s-resources-missing",
        "The Ideogram workload has no CPU/memory requests and limits",
        Engine.NATIVE, Severity.WARNING, "step3.monitoring",
        "Set resources.requests and resources.limits for cpu and memory on every container.",
        runner="k8s_manifests",
    ),
    CheckSpec(
        "k8s-manifest-invalid",
        "A Kubernetes manifest does not validate against the Kubernetes schema",
        Engine.NATIVE, Severity.ERROR, "step1.env-in-platform",
        "Fix the fields the validator names; `kubectl apply --dry-run=server` would reject the same manifest.",
        runner="k8s_manifests",
    ),
    CheckSpec(
        "webhook-insecure-url",
        "A webhook or callback URL uses plain http://",
        Engine.NATIVE, Severity.ERROR, "step1.webhook-https",
        "Serve webhooks over HTTPS only; loopback URLs for local development are allowed.",
        runner="webhooks",
        tags=SECURITY,
    ),
    CheckSpec(
        "webhook-unverified",
        "A webhook handler never verifies the request signature with a constant-time compare",
        Engine.SEMGREP, Severity.ERROR, "step1.webhook-secrets",
        "Verify the signature (HMAC or Ed25519) of every webhook before using it, with hmac.compare_digest / "
        "crypto.timingSafeEqual, and keep the webhook secret in a secret store.",
        tags=SECURITY,
    ),
    CheckSpec(
        "code-no-circuit-breaker",
        "Ideogram calls are not protected by a circuit breaker",
        Engine.SEMGREP, Severity.WARNING, "step3.circuit-breaker",
        "Wrap Ideogram calls in a circuit breaker (pybreaker, aiobreaker, opossum, cockatiel) so an outage "
        "fails fast instead of piling up requests.",
    ),
    CheckSpec(
        "code-no-degradation",
        "An Ideogram failure propagates as an unhandled 500 with no fallback",
        Engine.SEMGREP, Severity.WARNING, "step3.graceful-degradation",
        "Catch Ideogram failures at the handler and degrade: a cached or placeholder image, a queued retry, "
        "or a clear 503 with Retry-After.",
    ),
    CheckSpec(
        "docs-runbook",
        "No incident runbook for the Ideogram integration",
        Engine.NATIVE, Severity.WARNING, "step4.runbook",
        "Write a runbook section: symptoms, dashboards, first steps for each alert (`ideogram-prod init` "
        "writes one).",
        runner="docs",
    ),
    CheckSpec(
        "docs-key-rotation",
        "No documented Ideogram API key rotation procedure",
        Engine.NATIVE, Severity.WARNING, "step4.key-rotation",
        "Document how to create a new key, roll it out through the secret store, verify, and revoke the old one.",
        runner="docs",
        tags=SECURITY,
    ),
    CheckSpec(
        "docs-rollback",
        "No documented rollback procedure",
        Engine.NATIVE, Severity.WARNING, "step4.rollback",
        "Document the rollback commands (`ideogram-prod rollout rollback`, `kubectl rollout undo`) and how "
        "to verify.",
        runner="docs",
    ),
    CheckSpec(
        "docs-escalation",
        "No on-call escalation path",
        Engine.NATIVE, Severity.WARNING, "step4.escalation",
        "Document who is paged for P1/P2, how to reach them, and when to contact Ideogram support.",
        runner="docs",
    ),
    CheckSpec(
        "alerts-missing",
        "Prometheus alert rules do not cover the Ideogram production checklist's four alerts",
        Engine.NATIVE, Severity.ERROR, "step3.monitoring",
        "Alert on 5xx > 10/min (P1), p99 > 5000 ms (P2), 429 > 5/min (P2) and any 401/403 (P1); "
        "`ideogram-prod alerts` writes the rules.",
        runner="alerts",
    ),
    CheckSpec(
        "tests-pass",
        "The project's test suite does not pass",
        Engine.NATIVE, Severity.ERROR, "step2.tests-passing",
        "Make the tests pass, or configure the right command under `tests.command`.",
        runner="tests_pass",
    ),
    CheckSpec(
        "gate-config-changed",
        "The pull request changes the gate's own settings (config, secrets baseline, .gitattributes, .semgrepignore)",
        Engine.GATE, Severity.WARNING, "step2.no-hardcoded-credentials",
        "Nothing to fix if the change is intended: under --diff-base the gate enforced the base branch's config "
        "and baseline, not this change. Have the files' code owners review it; it takes effect once merged. "
        "Land such changes in a pull request of their own.",
        tags=SECURITY,
    ),
    # --- live pre-flight checks (issue 5), run by `ideogram-prod preflight` ---
    CheckSpec(
        "live-ideogram-auth",
        "The Ideogram API key does not authenticate (checked without spending credit)",
        Engine.LIVE, Severity.ERROR, "step1.env-in-platform",
        "Check the key in the secret store against the Ideogram dashboard; 402 means the account has no credit.",
        runner="ideogram",
    ),
    CheckSpec(
        "live-ideogram-smoke",
        "Generating one image end to end fails (opt-in with --spend)",
        Engine.LIVE, Severity.ERROR, "step2.error-handling",
        "Look at the status, latency and safety verdict in the evidence; the image URL must download.",
        runner="ideogram",
    ),
    CheckSpec(
        "live-ideogram-status",
        "Ideogram's status page reports an incident",
        Engine.LIVE, Severity.WARNING, "step5.preflight",
        "Wait for the incident to clear before rolling out, or mark the check advisory in the configuration.",
        runner="ideogram",
    ),
    CheckSpec(
        "live-staging-health",
        "The staging health endpoint is down, slow, or reports Ideogram disconnected",
        Engine.LIVE, Severity.ERROR, "step3.health-check",
        "Fix staging first: the evidence shows the status code, latency and the health body's Ideogram fields.",
        runner="staging",
    ),
    CheckSpec(
        "live-prometheus",
        "Prometheus lacks the series or alert rules the rollout gates depend on",
        Engine.LIVE, Severity.ERROR, "step3.monitoring",
        "Instrument the metric contract (`ideogram-prod init` has snippets) and load the rules from "
        "`ideogram-prod alerts`.",
        runner="prometheus",
    ),
    CheckSpec(
        "live-k8s-secret",
        "The Secret holding the Ideogram key is missing or empty in the cluster",
        Engine.LIVE, Severity.ERROR, "step1.keys-in-vault",
        "Create the Secret the Deployment references (External Secrets, sealed secrets, or kubectl create secret).",
        runner="k8s",
    ),
    CheckSpec(
        "live-k8s-key-distinct",
        "Staging and production use the same Ideogram key",
        Engine.LIVE, Severity.ERROR, "step1.keys-in-vault",
        "Give each environment its own key so a staging leak or load test cannot burn production's quota.",
        runner="k8s",
        tags=SECURITY,
    ),
    CheckSpec(
        "live-k8s-deployment",
        "The production Deployment is missing, unavailable, paused, or already rolling out",
        Engine.LIVE, Severity.ERROR, "step5.preflight",
        "Wait for the current rollout to finish (or roll it back), resume a paused Deployment, fix availability.",
        runner="k8s",
    ),
)

BY_ID: dict[str, CheckSpec] = {spec.id: spec for spec in CHECKS}


def spec_for(check_id: str) -> CheckSpec:
    return BY_ID[check_id]
