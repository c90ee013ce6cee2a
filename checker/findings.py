"""The data every check produces and every reporter renders: frozen, ordered, free of secrets."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    def reaches(self, threshold: Severity) -> bool:
        """At or above `threshold` (`--fail-on`): error > warning > note."""
        return _RANK[self] >= _RANK[threshold]


_RANK = {Severity.NOTE: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Status(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    MANUAL = "manual"


class ItemStatus(enum.StrEnum):
    """A checklist item's verdict: what a reviewer reads in the summary."""

    PASS = "pass"
    FAIL = "fail"
    MANUAL = "manual"
    SKIPPED = "skipped"
    NOT_APPLICABLE = "not applicable"  # its checks ran and found nothing of theirs to read


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A repo-relative path (POSIX) with 1-based lines, or an endpoint/object for live checks."""

    path: str
    line: int | None = None
    end_line: int | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    check_id: str
    severity: Severity
    message: str
    location: Location | None
    fingerprint: str
    checklist_item: str

    def sort_key(self) -> tuple[str, int, str, str]:
        loc = self.location
        return (loc.path if loc else "", (loc.line or 0) if loc else 0, self.check_id, self.fingerprint)


class SuppressionKind(enum.StrEnum):
    """Why a hit is not a finding. SARIF's suppression kind follows: inline is `inSource`, the rest `external`."""

    INLINE = "inline"  # `ideogram-prod: ignore[id] -- reason`, or detect-secrets' allowlist pragma
    BASELINE = "baseline"  # audited in the secrets baseline
    EXCLUDE = "exclude"  # a `checks.<id>.exclude` pattern
    NOISE = "noise"  # the secrets engine's noise rules: a lock-file hash, a placeholder, a local dev credential


@dataclass(frozen=True, slots=True)
class Suppression:
    """A hit the scan saw and did not report: every one is listed, none is dropped silently."""

    check_id: str
    kind: SuppressionKind
    location: Location | None
    fingerprint: str
    justification: str

    def sort_key(self) -> tuple[str, int, str, str]:
        loc = self.location
        return (loc.path if loc else "", (loc.line or 0) if loc else 0, self.check_id, self.fingerprint)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A setting that keeps files or a whole check out of the scan, and how many files it kept out."""

    setting: str  # "exclude", "checks.<id>.exclude" or "checks.<id>.enabled"
    value: str  # the pattern, or "false"
    files: int | None = None  # files it kept out of the scan (None: not a file pattern)


@dataclass(frozen=True, slots=True)
class Files:
    """How many files a static check was given and how many it really read: "passed" needs read > 0."""

    given: int
    read: int


@dataclass(frozen=True, slots=True)
class CheckResult:
    check_id: str
    status: Status
    reason: str = ""
    findings: tuple[Finding, ...] = ()
    suppressed: tuple[Suppression, ...] = ()
    files: Files | None = None  # None: a live check, which reads endpoints, not files
    applicable: bool = True  # False: skipped because the repository holds nothing this check judges

    def __post_init__(self) -> None:
        # NOTE: the project's first rule as an invariant: a code path that would pass a check which read
        # nothing is a bug (exit 3), never a green gate.
        if self.status is Status.PASSED and self.files is not None and self.files.read == 0:
            raise ValueError(f"{self.check_id}: a check that read no file cannot pass")


def judged(check_id: str, findings: Iterable[Finding], files: Files, reason: str, nothing_read: str,
           suppressed: tuple[Suppression, ...] = ()) -> CheckResult:
    """failed with findings; passed only when at least one file was read; else skipped as not applicable."""
    found = tuple(sorted(findings, key=Finding.sort_key))
    if found:
        return CheckResult(check_id, Status.FAILED, reason, found, suppressed, files)
    if files.read == 0:
        return CheckResult(check_id, Status.SKIPPED, nothing_read, (), suppressed, files, applicable=False)
    return CheckResult(check_id, Status.PASSED, reason, (), suppressed, files)


@dataclass(frozen=True, slots=True)
class ChecklistEntry:
    item_id: str
    step: str
    text: str
    status: ItemStatus
    evidence: str
    check_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    tool_version: str
    results: tuple[CheckResult, ...]
    checklist: tuple[ChecklistEntry, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)
    exclusions: tuple[Exclusion, ...] = ()
    fail_on: Severity = Severity.ERROR  # the lowest finding severity that fails the run
    strict: bool = False  # a skipped check fails the run too

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(sorted((f for r in self.results for f in r.findings), key=Finding.sort_key))

    @property
    def suppressions(self) -> tuple[Suppression, ...]:
        return tuple(sorted((s for r in self.results for s in r.suppressed), key=Suppression.sort_key))

    @property
    def path_prefix(self) -> str:
        """Where the scanned PATH sits inside its repository ("" or "sub/dir/"): GitHub resolves annotation
        and SARIF paths from the repository root, while the JSON report keeps them relative to PATH."""
        return self.meta.get("path_prefix", "")

    @property
    def failed(self) -> bool:
        """The run's verdict, the same for the exit code and every format (see gate_failed)."""
        return gate_failed(self.results, self.fail_on, self.strict)


def gate_failed(results: Iterable[CheckResult], fail_on: Severity = Severity.ERROR, strict: bool = False) -> bool:
    """Whether the run fails (exit 1). Fail closed: an `error` always fails, and so does a `failed` check that
    names no finding; findings fail at or above `fail_on`; a `skipped` check fails only when `strict`."""
    for r in results:
        if r.status is Status.ERROR or (strict and r.status is Status.SKIPPED):
            return True
        if r.status is Status.FAILED and (not r.findings or any(f.severity.reaches(fail_on) for f in r.findings)):
            return True
    return False


def sorted_results(results: Iterable[CheckResult]) -> tuple[CheckResult, ...]:
    return tuple(sorted(results, key=lambda r: r.check_id))
