"""Ideogram itself: does the key authenticate (free), does one generation work (opt-in, billed), is it up."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import httpx

from checker.checks.live import LiveContext, errored, failed, finding, passed, skipped
from checker.clients import http_client, safe_url
from checker.clients.retry import Transient, send_with_retries
from checker.config import IdeogramConfig
from checker.findings import CheckResult, Severity

AUTH, SMOKE, STATUS = "live-ideogram-auth", "live-ideogram-smoke", "live-ideogram-status"
SMOKE_PROMPT = "a small red circle on a white background"


def _error_detail(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("reject_reason", "error", "detail", "message"):
            if isinstance(body.get(key), str):
                return f" ({body[key][:120]})"
    return ""


def auth_verdict(resp: httpx.Response, where: str) -> CheckResult:
    """A deliberately incomplete request: a good key gets a validation error, a bad one 401/403."""
    code = resp.status_code
    if code in (400, 415, 422):
        return passed(AUTH, f"key accepted; probe rejected for validation as intended (HTTP {code}), no credit spent")
    if code in (401, 403):
        return failed(AUTH, f"Ideogram rejected the key: HTTP {code}{_error_detail(resp)}", where)
    if code == 402:
        return failed(AUTH, f"the key authenticates but the account cannot pay: HTTP 402{_error_detail(resp)}", where)
    if 200 <= code < 300:
        return errored(AUTH, f"the probe was unexpectedly accepted (HTTP {code}); check generate_path")
    return errored(AUTH, f"unexpected answer HTTP {code}{_error_detail(resp)}")


def check_auth(cfg: IdeogramConfig, key: str) -> CheckResult:
    url = cfg.base_url.rstrip("/") + cfg.generate_path
    with http_client(cfg.timeout_s) as client:
        try:
            # NOTE: multipart with no prompt: the API validates before it generates, so nothing is billed.
            resp = send_with_retries(lambda: client.post(url, headers={"Api-Key": key}, files={"_": (None, "")}),
                                     cfg.max_retries, cfg.max_backoff_s)
        except Transient as exc:
            return errored(AUTH, f"{safe_url(url)}: {exc.reason} after {cfg.max_retries + 1} attempt(s)")
    return auth_verdict(resp, safe_url(url))


def check_smoke(cfg: IdeogramConfig, key: str) -> CheckResult:
    url = cfg.base_url.rstrip("/") + cfg.generate_path
    where = safe_url(url)
    form = {"prompt": (None, SMOKE_PROMPT), "rendering_speed": (None, "TURBO"), "num_images": (None, "1")}
    started = time.monotonic()
    with http_client(cfg.smoke_timeout_s) as client:
        try:
            resp = send_with_retries(lambda: client.post(url, headers={"Api-Key": key}, files=form),
                                     cfg.max_retries, cfg.max_backoff_s)
        except Transient as exc:
            return errored(SMOKE, f"{where}: {exc.reason} after {cfg.max_retries + 1} attempt(s)")
        latency_ms = (time.monotonic() - started) * 1000
        if resp.status_code != 200:
            return failed(SMOKE, f"generation failed: HTTP {resp.status_code}{_error_detail(resp)}", where)
        try:
            image: dict[str, Any] = resp.json()["data"][0]
        except (ValueError, KeyError, IndexError, TypeError):
            return failed(SMOKE, "generation answered 200 without data[0]", where)
        if not image.get("url"):
            safe = image.get("is_image_safe")
            why = "is_image_safe=false and no URL" if safe is False else "no image URL"
            return failed(SMOKE, f"generation returned {why} ({latency_ms:.0f} ms)", where)
        try:
            download = client.get(image["url"])
        except httpx.HTTPError as exc:
            return failed(SMOKE, f"image URL did not download: {type(exc).__name__}", safe_url(image["url"]))
        if download.status_code != 200 or not download.content:
            return failed(SMOKE, f"image URL answered HTTP {download.status_code}", safe_url(image["url"]))
    return passed(SMOKE, f"generated in {latency_ms:.0f} ms, image {len(download.content)} bytes, "
                         f"is_image_safe={image.get('is_image_safe')}")


def status_verdict(body: Any, where: str) -> CheckResult:
    """Statuspage's indicator: none passes, minor warns, major/critical fail."""
    try:
        indicator = str(body["status"]["indicator"])
        description = str(body["status"].get("description", ""))[:120]
    except (KeyError, TypeError):
        return errored(STATUS, f"{where}: not a Statuspage status document")
    if indicator == "none":
        return passed(STATUS, f"all systems operational ({description})")
    if indicator == "minor":
        return passed(STATUS, f"minor incident: {description}",
                      finding(STATUS, f"Ideogram reports a minor incident: {description}", where, Severity.WARNING))
    if indicator in ("major", "critical"):
        # NOTE: an error finding, not the check's default warning: a major incident fails preflight at fail-on error.
        result = failed(STATUS, f"Ideogram reports a {indicator} incident: {description}", where)
        return replace(result, findings=tuple(replace(f, severity=Severity.ERROR) for f in result.findings))
    return errored(STATUS, f"{where}: unknown status indicator {indicator!r}")


def check_status(cfg: IdeogramConfig) -> CheckResult:
    where = safe_url(cfg.status_url)
    with http_client(cfg.timeout_s) as client:
        try:
            resp = send_with_retries(lambda: client.get(cfg.status_url), min(cfg.max_retries, 1), cfg.max_backoff_s)
            body = resp.json() if resp.status_code == 200 else None
            problem = None if resp.status_code == 200 else f"HTTP {resp.status_code}"
        except Transient as exc:
            body, problem = None, exc.reason
        except ValueError:
            body, problem = None, "answer is not JSON"
    if problem is None:
        return status_verdict(body, where)
    message = f"status page unreachable: {where}: {problem}"
    if cfg.status_advisory:
        return passed(STATUS, message + " (advisory)", finding(STATUS, message, where, Severity.WARNING))
    return errored(STATUS, message)


def run(ctx: LiveContext, ids: tuple[str, ...]) -> list[CheckResult]:
    cfg = ctx.config.ideogram
    results: list[CheckResult] = []
    key = ctx.ideogram_key if (AUTH in ids or SMOKE in ids) else None
    missing = f"env var {cfg.api_key_env} is not set"
    if AUTH in ids:
        results.append(check_auth(cfg, key) if key else errored(AUTH, missing))
    if SMOKE in ids:
        if not ctx.spend:
            results.append(skipped(SMOKE, "opt-in: pass --spend to generate one (billed) image"))
        else:
            results.append(check_smoke(cfg, key) if key else errored(SMOKE, missing))
    if STATUS in ids:
        results.append(check_status(cfg))
    return results
