"""Staging's health endpoint: up, fast enough, and (in the seed's shape) connected to Ideogram."""

from __future__ import annotations

import time
from typing import Any

import httpx

from checker.checks.live import LiveContext, errored, failed, passed, skipped
from checker.clients import http_client, safe_url
from checker.config import StagingConfig
from checker.findings import CheckResult

HEALTH = "live-staging-health"
_MISSING = object()


def field(body: Any, dotted: str) -> Any:
    """`a.b.c` from nested dicts; _MISSING where the path does not exist."""
    current = body
    for part in dotted.split("."):
        if not isinstance(current, dict) or part not in current:
            return _MISSING
        current = current[part]
    return current


def health_verdict(cfg: StagingConfig, status_code: int, latency_ms: float, body: Any, where: str) -> CheckResult:
    evidence = [f"HTTP {status_code}", f"{latency_ms:.0f} ms"]
    status = field(body, cfg.status_field)
    connected = field(body, cfg.connected_field)
    ideogram_latency = field(body, cfg.latency_field)
    if status is not _MISSING:
        evidence.append(f"{cfg.status_field}={status}")
    if connected is not _MISSING:
        evidence.append(f"{cfg.connected_field}={str(connected).lower()}")
    if ideogram_latency is not _MISSING:
        evidence.append(f"{cfg.latency_field}={ideogram_latency}")
    detail = ", ".join(evidence)
    if not 200 <= status_code < 300:
        return failed(HEALTH, f"staging health is not 2xx: {detail}", where)
    if latency_ms > cfg.latency_budget_ms:
        return failed(HEALTH, f"staging health answered over its {cfg.latency_budget_ms} ms budget: {detail}", where)
    if status is not _MISSING and str(status).lower() not in cfg.healthy_values:
        return failed(HEALTH, f"staging reports itself unhealthy: {detail}", where)
    if connected is not _MISSING and connected is not True:
        return failed(HEALTH, f"staging is not connected to Ideogram: {detail}", where)
    return passed(HEALTH, detail)


def run(ctx: LiveContext, ids: tuple[str, ...]) -> list[CheckResult]:
    cfg = ctx.config.staging
    if cfg.health_url is None:
        return [skipped(HEALTH, "staging.health_url is not configured")]
    where = safe_url(cfg.health_url)
    with http_client(cfg.timeout_s) as client:
        started = time.monotonic()
        try:
            resp = client.get(cfg.health_url)
        except httpx.TimeoutException:
            return [failed(HEALTH, f"staging health timed out after {cfg.timeout_s:g} s", where)]
        except httpx.TransportError as exc:
            return [errored(HEALTH, f"{where}: cannot connect ({type(exc).__name__})")]
        latency_ms = (time.monotonic() - started) * 1000
    try:
        body = resp.json()
    except ValueError:
        body = None
    return [health_verdict(cfg, resp.status_code, latency_ms, body, where)]
