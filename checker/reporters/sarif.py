"""SARIF 2.1.0 for GitHub code scanning, built from our registry: stable ruleIds, fingerprints, no snippets."""

from __future__ import annotations

import json
from typing import Any

from checker.docs_links import repository_url
from checker.findings import Location, Report, Severity, Status, SuppressionKind
from checker.registry import BY_ID, CheckSpec

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "ideogramProd/v1"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
# SARIF 2.1.0 §3.35.2: a suppression written in the source is inSource; one kept elsewhere is external.
_SUPPRESSION_KIND = {SuppressionKind.INLINE: "inSource", SuppressionKind.BASELINE: "external",
                     SuppressionKind.EXCLUDE: "external", SuppressionKind.NOISE: "external"}


def rule_dict(spec: CheckSpec) -> dict[str, Any]:
    tags = list(spec.tags)
    props: dict[str, Any] = {"tags": tags, "precision": "high"}
    if "security" in tags:
        # NOTE: GitHub reads security-severity as a string "0.1".."10.0", only on rules tagged security.
        props["security-severity"] = "9.0" if spec.severity is Severity.ERROR else "5.0"
    return {
        "id": spec.id,
        "name": "".join(part.title() for part in spec.id.split("-")),
        "shortDescription": {"text": spec.title},
        "fullDescription": {"text": spec.title},
        "help": {"text": spec.fix, "markdown": f"**{spec.title}**\n\n{spec.fix}\n\n[Documentation]({spec.help_uri})"},
        "helpUri": spec.help_uri,
        "defaultConfiguration": {"level": _LEVEL[spec.severity]},
        "properties": props,
    }


def _result(check_id: str, level: Severity, message: str, loc: Location | None, fingerprint: str,
            prefix: str, index: dict[str, int]) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": prefix + loc.path if loc else ".",
                                                       "uriBaseId": "%SRCROOT%"}}
    if loc is not None and loc.line:
        physical["region"] = {"startLine": loc.line, "endLine": loc.end_line or loc.line}
    result: dict[str, Any] = {
        "ruleId": check_id,
        "level": _LEVEL[level],
        "message": {"text": message},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if check_id in index:
        result["ruleIndex"] = index[check_id]
    return result


def render(report: Report) -> str:
    specs = [BY_ID[r.check_id] for r in report.results if r.check_id in BY_ID]
    index = {spec.id: i for i, spec in enumerate(specs)}
    results = [_result(f.check_id, f.severity, f.message, f.location, f.fingerprint, report.path_prefix, index)
               for f in report.findings]
    # Suppressed hits stay in the log, marked as such: code scanning shows them as dismissed, never as nothing.
    for s in report.suppressions:
        spec = BY_ID.get(s.check_id)
        result = _result(s.check_id, spec.severity if spec else Severity.WARNING, spec.title if spec else s.check_id,
                         s.location, s.fingerprint, report.path_prefix, index)
        result["suppressions"] = [{"kind": _SUPPRESSION_KIND.get(s.kind, "external"), "status": "accepted",
                                   "justification": f"{s.kind}: {s.justification}"}]
        results.append(result)
    errors = [r for r in report.results if r.status is Status.ERROR]
    invocation: dict[str, Any] = {"executionSuccessful": not errors}
    if errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": f"{r.check_id}: {r.reason}"},
             "descriptor": {"id": r.check_id}} for r in errors
        ]
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ideogram-prod", "version": report.tool_version, "semanticVersion": report.tool_version,
                "informationUri": repository_url(), "rules": [rule_dict(s) for s in specs],
            }},
            "invocations": [invocation],
            "results": results,
            "properties": {"exclusions": [{"setting": e.setting, "value": e.value, "files": e.files}
                                          for e in report.exclusions]},
        }],
    }
    return json.dumps(doc, indent=2) + "\n"
