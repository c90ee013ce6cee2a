"""Every check id the tool knows, in one explicit ordered table: ids are API and never renamed."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from checker.findings import Severity

DOCS_BASE = "https://github.com/org/ideogram-prod/blob/main/README.md"


class Engine(enum.StrEnum):
    """Which runner produces a check's findings; one run of each engine serves all its checks."""

    SECRETS = "secrets"
    SEMGREP = "semgrep"


@dataclass(frozen=True, slots=True)
class CheckSpec:
    id: str
    title: str
    engine: Engine
    severity: Severity
    checklist_item: str
    fix: str

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE}#{self.id}"


CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "secret-ideogram-key",
        "An Ideogram API key is committed to the repository",
        Engine.SECRETS, Severity.ERROR, "step1.keys-in-vault",
        "Revoke the key in the Ideogram dashboard, remove it from the code and its history, and read it "
        "from a secret store (a Kubernetes Secret, External Secrets, a vault) through an env var.",
    ),
    CheckSpec(
        "secret-generic",
        "A credential (cloud key, private key, token, password) is committed to the repository",
        Engine.SECRETS, Severity.ERROR, "step2.no-hardcoded-credentials",
        "Rotate the credential, remove it, and load it from a secret store. Audited false positives "
        "belong in .secrets.baseline.",
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
    ),
    CheckSpec(
        "code-ideogram-key-client-exposed",
        "The Ideogram API key reaches browser code",
        Engine.SEMGREP, Severity.ERROR, "step1.keys-in-vault",
        "Call Ideogram only from server code (route handlers, server actions, a backend); never put the key in "
        "NEXT_PUBLIC_/VITE_/REACT_APP_ variables or bundler defines.",
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
)

BY_ID: dict[str, CheckSpec] = {spec.id: spec for spec in CHECKS}


def spec_for(check_id: str) -> CheckSpec:
    return BY_ID[check_id]
