"""The machine-readable report (`schema_version: 1`); field names are API."""

from __future__ import annotations

import json
from typing import Any

from checker.findings import Finding, Report, Suppression, SuppressionKind

SCHEMA_VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    loc = f.location
    return {
        "check_id": f.check_id,
        "severity": str(f.severity),
        "message": f.message,
        "location": None if loc is None else {"path": loc.path, "line": loc.line, "end_line": loc.end_line},
        "fingerprint": f.fingerprint,
        "checklist_item": f.checklist_item,
    }


def suppression_dict(s: Suppression) -> dict[str, Any]:
    loc = s.location
    return {
        "check_id": s.check_id,
        "kind": str(s.kind),
        "justification": s.justification,
        "location": None if loc is None else {"path": loc.path, "line": loc.line, "end_line": loc.end_line},
        "fingerprint": s.fingerprint,
    }


def report_dict(report: Report) -> dict[str, Any]:
    suppressions = report.suppressions
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "ideogram-prod", "version": report.tool_version},
        "findings": [finding_dict(f) for f in report.findings],
        # Nothing the scan saw is dropped silently: what was suppressed, and what the config kept out.
        "suppressions": [suppression_dict(s) for s in suppressions],
        "suppression_counts": {"total": len(suppressions),
                               **{str(k): sum(1 for s in suppressions if s.kind is k) for k in SuppressionKind}},
        "exclusions": [{"setting": e.setting, "value": e.value, "files": e.files} for e in report.exclusions],
        "results": [{"check_id": r.check_id, "status": str(r.status), "reason": r.reason,
                     # files: what a static check was given and read (null for live checks); applicable: false
                     # when it was skipped because the repository holds nothing it judges
                     "files": None if r.files is None else {"given": r.files.given, "read": r.files.read},
                     "applicable": r.applicable}
                    for r in report.results],
        "checklist": [
            {"item": e.item_id, "step": e.step, "text": e.text, "status": str(e.status), "evidence": e.evidence,
             "check_ids": list(e.check_ids)}
            for e in report.checklist
        ],
    }


def render(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, sort_keys=False) + "\n"
