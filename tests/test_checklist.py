"""Checklist verdicts: pure function of results and attestations, table-tested."""

from __future__ import annotations

import pytest

from checker.checklist import ITEMS, Attestation, checklist
from checker.findings import CheckResult, Files, Finding, ItemStatus, Location, Severity, Status, judged
from checker.registry import BY_ID

KNOWN = frozenset(BY_ID)


def result(check_id: str, status: Status, *messages: str) -> CheckResult:
    findings = tuple(Finding(check_id, Severity.ERROR, m, Location("x"), "fp", "i") for m in messages)
    return CheckResult(check_id, status, "r", findings)


def entry(results, item_id, attestations=None):
    return next(e for e in checklist(results, attestations or {}, KNOWN) if e.item_id == item_id)


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([result("secret-ideogram-key", Status.PASSED), result("code-ideogram-key-client-exposed", Status.PASSED)],
         ItemStatus.PASS),
        ([result("secret-ideogram-key", Status.FAILED, "key"), result("code-ideogram-key-client-exposed",
                                                                      Status.PASSED)], ItemStatus.FAIL),
        ([result("secret-ideogram-key", Status.ERROR)], ItemStatus.FAIL),
        ([result("secret-ideogram-key", Status.SKIPPED)], ItemStatus.SKIPPED),
        ([], ItemStatus.SKIPPED),
    ],
)
def test_machine_item_verdicts(results, expected):
    assert entry(results, "step1.keys-in-vault").status is expected


def nothing_read(check_id: str) -> CheckResult:
    return judged(check_id, (), Files(given=12, read=0), "r", "no Ideogram code in this repository")


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([nothing_read("code-ideogram-no-backoff"), nothing_read("code-ideogram-no-timeout")],
         ItemStatus.NOT_APPLICABLE),
        # one check read nothing, the other was skipped for another reason: not judged, so skipped
        ([nothing_read("code-ideogram-no-backoff"), result("code-ideogram-no-timeout", Status.SKIPPED)],
         ItemStatus.SKIPPED),
        ([nothing_read("code-ideogram-no-backoff"), result("code-ideogram-no-timeout", Status.FAILED, "m")],
         ItemStatus.FAIL),
    ],
)
def test_an_item_whose_checks_read_nothing_is_not_applicable_never_pass(results, expected):
    got = entry(results, "step2.rate-limit-backoff")
    assert got.status is expected
    if expected is ItemStatus.NOT_APPLICABLE:
        assert "no Ideogram code in this repository" in got.evidence


def test_a_check_that_read_nothing_cannot_pass():
    assert nothing_read("code-ideogram-no-backoff").status is Status.SKIPPED
    with pytest.raises(ValueError, match="cannot pass"):
        CheckResult("code-ideogram-no-backoff", Status.PASSED, "r", files=Files(given=3, read=0))


def test_manual_item_is_manual_until_attested():
    assert entry([], "step1.key-scopes").status is ItemStatus.MANUAL
    att = Attestation("alice", "2026-11-20", "https://wiki/x", "generate only")
    e = entry([], "step1.key-scopes", {"step1.key-scopes": att})
    assert e.status is ItemStatus.PASS
    assert e.evidence == "attested by alice on 2026-11-20: https://wiki/x (generate only)"


def test_alert_rows_fail_only_for_their_own_alert():
    results = [result("alerts-missing", Status.FAILED, "no alert rule for the checklist's High Latency alert (...)")]
    statuses = {e.item_id: e.status for e in checklist(results, {}, KNOWN)}
    assert statuses["alerts.high-latency"] is ItemStatus.FAIL
    assert statuses["alerts.api-down"] is ItemStatus.PASS
    assert statuses["alerts.auth-failures"] is ItemStatus.PASS


def test_every_item_maps_to_known_checks_or_is_manual():
    for item in ITEMS:
        assert all(cid in KNOWN for cid in item.check_ids), item.id
