"""Prometheus: reachable, the series the rollout gates read exist and are fresh, the seed alerts are loaded."""

from __future__ import annotations

import time

from checker.checks.live import LiveContext, errored, failed, passed, skipped
from checker.clients import safe_url
from checker.clients.prometheus import Prometheus, PrometheusError
from checker.contract import alert_specs
from checker.findings import CheckResult

PROM = "live-prometheus"


def run(ctx: LiveContext, ids: tuple[str, ...]) -> list[CheckResult]:
    cfg = ctx.config.prometheus
    if cfg.url is None:
        return [skipped(PROM, "prometheus.url is not configured")]
    where = safe_url(cfg.url)
    problems: list[str] = []
    notes: list[str] = []
    try:
        with Prometheus(cfg.url, cfg.timeout_s) as prom:
            now = time.time()
            for series in cfg.series:
                samples = prom.query(f"max(timestamp({series}))")
                if not samples:
                    problems.append(f"no samples of {series}")
                    continue
                age = now - samples[0].value
                if age > cfg.freshness_s:
                    problems.append(f"{series} is stale: newest sample {age:.0f} s old (limit {cfg.freshness_s} s)")
                else:
                    notes.append(f"{series} fresh ({age:.0f} s)")
            if cfg.require_alert_rules:
                wanted = {spec.name for spec in alert_specs(ctx.config.alerts.queries)}
                missing = sorted(wanted - prom.alert_rule_names())
                if missing:
                    problems.append("alert rules not loaded: " + ", ".join(missing))
                else:
                    notes.append(f"{len(wanted)} checklist alert rules loaded")
    except PrometheusError as exc:
        return [errored(PROM, str(exc))]
    if problems:
        return [failed(PROM, "; ".join(problems), where)]
    return [passed(PROM, "; ".join(notes))]
