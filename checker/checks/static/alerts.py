"""alerts-missing: the repo's Prometheus rules must fire on the seed's four Ideogram alerts at its thresholds."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

import yaml

from checker.checks.base import NativeContext, Outcome
from checker.contract import AlertSpec, alert_specs
from checker.promql import ALL_CODES, Condition, Node, PromQLError, conditions, parse
from checker.targets import matcher
from checker.tools import Hit

log = logging.getLogger(__name__)

CHECK_ID = "alerts-missing"
ERROR_CODES: frozenset[str] = frozenset(str(c) for c in range(400, 600))
# NOTE: promtool unit-test fixtures and tests' sample repos are not the rules that run in production.
TEST_DIRS = frozenset({"tests", "test", "__tests__", "fixtures", "testdata"})
RULE_SUFFIXES = (".yml", ".yaml")
PRIORITY_OF_SEVERITY = {"critical": "P1", "page": "P1", "p1": "P1", "sev1": "P1",
                        "warning": "P2", "p2": "P2", "sev2": "P2"}


@dataclass(frozen=True, slots=True)
class Rule:
    path: str
    line: int
    name: str
    expr: str
    labels: dict[str, str]


def _scalar(node: yaml.Node | None) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


def _get(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if _scalar(k) == key and isinstance(v, yaml.Node):
                return v
    return None


def _rules_in_groups(groups: yaml.Node, path: str, offset: int) -> Iterator[tuple[str, int, yaml.MappingNode]]:
    if not isinstance(groups, yaml.SequenceNode):
        return
    for group in groups.value:
        rules = _get(group, "rules")
        if isinstance(rules, yaml.SequenceNode):
            for rule in rules.value:
                if isinstance(rule, yaml.MappingNode):
                    yield path, offset + rule.start_mark.line + 1, rule


def _rule_nodes(text: str, path: str, offset: int = 0) -> Iterator[tuple[str, int, yaml.MappingNode]]:
    """Rules of plain rule files, PrometheusRule resources and rule files embedded in ConfigMaps."""
    for doc in yaml.compose_all(text, Loader=yaml.SafeLoader):
        if not isinstance(doc, yaml.MappingNode):
            continue
        groups = _get(doc, "groups")
        if groups is not None:
            yield from _rules_in_groups(groups, path, offset)
        kind = _scalar(_get(doc, "kind"))
        spec = _get(doc, "spec")
        spec_groups = _get(spec, "groups") if kind == "PrometheusRule" and spec is not None else None
        if spec_groups is not None:
            yield from _rules_in_groups(spec_groups, path, offset)
        data = _get(doc, "data")
        if kind == "ConfigMap" and isinstance(data, yaml.MappingNode):
            for _, value in data.value:
                if isinstance(value, yaml.ScalarNode) and "groups" in value.value and value.style in ("|", ">"):
                    try:
                        yield from _rule_nodes(value.value, path, offset + value.start_mark.line + 1)
                    except yaml.YAMLError:
                        continue


def read_rules(ctx: NativeContext) -> tuple[list[Rule], dict[str, Node], list[str]]:
    """(alerting rules, recording rules by name, files that hold rules)."""
    configured = matcher(ctx.config.alerts.paths)
    alerts: list[Rule] = []
    records: dict[str, Node] = {}
    files: list[str] = []
    for rel in ctx.files:
        if TEST_DIRS.intersection(PurePosixPath(rel).parts[:-1]):
            continue
        if not rel.endswith(RULE_SUFFIXES) and not configured.match_file(rel):
            continue
        text = ctx.read_text(rel)  # NOTE: an unreadable rule file is an `error`, never a skipped file
        if "groups" not in text:
            continue
        try:
            found = list(_rule_nodes(text, rel))
        except yaml.YAMLError:
            log.debug("%s: not parseable YAML, skipped", rel)
            continue
        for path, line, node in found:
            expr = _scalar(_get(node, "expr"))
            labels_node = _get(node, "labels")
            labels = {_scalar(k): _scalar(v) for k, v in labels_node.value} \
                if isinstance(labels_node, yaml.MappingNode) else {}
            if _get(node, "record") is not None:
                try:
                    records[_scalar(_get(node, "record"))] = parse(expr)
                except PromQLError:
                    pass
            elif _get(node, "alert") is not None:
                alerts.append(Rule(path, line, _scalar(_get(node, "alert")), expr, labels))
        if found and rel not in files:
            files.append(rel)
    return alerts, records, files


# --- judging ---------------------------------------------------------------------------------------


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def describe_codes(codes: frozenset[str]) -> str:
    for cls in "12345":
        if codes == frozenset(c for c in ALL_CODES if c.startswith(cls)):
            return f"{cls}xx"
    listed = sorted(codes)
    return ", ".join(listed) if len(listed) <= 6 else f"{len(listed)} status codes"


def show_threshold(spec: AlertSpec, expected: Condition, found: Condition) -> str:
    value = found.base_threshold * expected.signal.factor
    if expected.signal.kind == "quantile":
        return f"{value * 1000:g} ms"
    return f"{value:g} {spec.unit}"


def priority_problem(spec: AlertSpec, labels: dict[str, str]) -> str | None:
    priority = labels.get("priority", "").strip().upper()
    severity = labels.get("severity", "").strip().lower()
    if not priority and not severity:
        return f"no severity label (expected severity: {spec.severity} or priority: {spec.priority})"
    if priority and priority != spec.priority:
        return f"priority {priority}, the checklist's table says {spec.priority}"
    if severity and PRIORITY_OF_SEVERITY.get(severity) != spec.priority:
        return f"severity {severity}, the checklist's table says {spec.severity} ({spec.priority})"
    return None


def problems(spec: AlertSpec, expected: Condition, found: Condition, labels: dict[str, str]) -> list[str]:
    out: list[str] = []
    sig, want = found.signal, expected.signal
    if sig.kind == "count" and not sig.statuses <= ERROR_CODES:
        out.append(f"also counts non-error responses ({describe_codes(sig.statuses - ERROR_CODES)})")
    if sig.kind == "quantile" and not _close(sig.quantile, want.quantile):
        out.append(f"quantile {sig.quantile:g}, expected {want.quantile:g}")
    if found.comparator not in (">", ">="):
        out.append(f"fires when the value is {found.comparator} the threshold")
    elif not _close(found.base_threshold, expected.base_threshold):
        out.append(f"threshold {show_threshold(spec, expected, found)}, the checklist's table says {spec.condition}")
    problem = priority_problem(spec, labels)
    if problem:
        out.append(problem)
    return out


def targets(expected: Condition, found: Condition) -> bool:
    a, b = expected.signal, found.signal
    if a.kind != b.kind or a.metric != b.metric:
        return False
    return a.kind == "quantile" or bool(a.statuses & b.statuses)


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def judge(spec: AlertSpec, rules: list[Rule], records: dict[str, Node], anchor: tuple[str, int]) -> list[Hit]:
    """No hits when the rules fire on this alert; else hits at the rules that almost do, or one absence hit."""
    try:
        wanted = conditions(spec.expr)
    except PromQLError:
        wanted = ()
    if len(wanted) != 1:  # an override we cannot analyse: only the very same expression counts
        if any(_same_text(r.expr, spec.expr) and priority_problem(spec, r.labels) is None for r in rules):
            return []
        return [_absent(spec, anchor)]
    expected = wanted[0]
    covered: frozenset[str] = frozenset()
    near: list[tuple[Rule, list[str]]] = []
    for rule in rules:
        try:
            found = conditions(rule.expr, records)
        except PromQLError:
            continue
        for cond in found:
            if not targets(expected, cond):
                continue
            issues = problems(spec, expected, cond, rule.labels)
            if not issues:
                if cond.signal.kind == "quantile":
                    return []
                covered |= cond.signal.statuses
            near.append((rule, issues))
    if expected.signal.kind == "count" and covered >= expected.signal.statuses:
        return []
    hits = []
    for rule, issues in near:
        if not issues:  # right threshold and labels, but only part of the status codes
            missing = expected.signal.statuses - covered
            issues = [f"no rule counts status {describe_codes(missing)} (the checklist's alert is {spec.condition})"]
        hits.append(Hit(
            CHECK_ID, rule.path, rule.line, rule.line, f"{spec.key}:mismatch:{rule.name}",
            f"alert {rule.name} does not match the checklist's {spec.title} alert: {'; '.join(issues)}",
        ))
    return hits or [_absent(spec, anchor)]


def _absent(spec: AlertSpec, anchor: tuple[str, int]) -> Hit:
    return Hit(
        CHECK_ID, anchor[0], anchor[1], anchor[1], f"{spec.key}:missing",
        f"no alert rule for the checklist's {spec.title} alert ({spec.condition}, {spec.priority}); expected e.g. "
        f"`{spec.expr}` with severity: {spec.severity}, priority: {spec.priority} (`ideogram-prod alerts` "
        "writes all four)",
    )


def run(ctx: NativeContext) -> Outcome:
    if CHECK_ID not in ctx.check_ids:
        return Outcome()
    specs = alert_specs(ctx.config.alerts.queries)
    rules, records, files = read_rules(ctx)
    anchor = (files[0], 1) if files else (".", 0)
    per_alert = [judge(spec, rules, records, anchor) for spec in specs]
    hits = [hit for found in per_alert for hit in found]
    covered = sum(1 for found in per_alert if not found)
    note = f"{covered} of {len(specs)} alert(s) covered by {len(rules)} alerting rule(s) in {len(files)} file(s)"
    return Outcome(hits=hits, notes={CHECK_ID: note})
