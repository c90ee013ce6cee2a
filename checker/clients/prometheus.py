"""A small Prometheus HTTP API client: instant queries and loaded rules, answers validated with pydantic."""

from __future__ import annotations

import os
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from checker.clients import http_client, safe_url
from checker.redact import REDACTOR


class PrometheusError(Exception):
    """Prometheus unreachable or answered an error; gates treat this as a failed check, never a pass."""


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: str
    data: Any = None
    errorType: str | None = None  # Prometheus spells it so
    error: str | None = None


class Sample(BaseModel):
    """One series of an instant vector: its labels, value and sample time (unix seconds)."""

    labels: dict[str, str]
    value: float
    timestamp: float


TOKEN_ENV = "IDEOGRAM_PROD_PROMETHEUS_TOKEN"


class Prometheus:
    """`$IDEOGRAM_PROD_PROMETHEUS_TOKEN`, when set, is sent as a bearer token (managed Prometheus, a proxy)."""

    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = http_client(timeout_s)
        token = os.environ.get(TOKEN_ENV)
        if token:
            REDACTOR.register(token)
            self._client.headers["Authorization"] = f"Bearer {token}"

    def __enter__(self) -> Prometheus:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        url = self.base_url + path
        try:
            resp = self._client.get(url, params=params)
        except httpx.HTTPError as exc:
            raise PrometheusError(f"{safe_url(url)}: cannot connect ({type(exc).__name__})") from None
        try:
            answer = _Answer.model_validate_json(resp.content)
        except ValidationError:
            raise PrometheusError(f"{safe_url(url)}: HTTP {resp.status_code}, not a Prometheus API answer") from None
        if answer.status != "success":
            raise PrometheusError(f"{safe_url(url)}: {answer.errorType}: {answer.error}")
        return answer.data

    def query(self, promql: str, at: float | None = None) -> list[Sample]:
        params = {"query": promql}
        if at is not None:
            params["time"] = f"{at:.3f}"
        data = self._get("/api/v1/query", params)
        if data.get("resultType") == "scalar":
            ts, value = data["result"]
            return [Sample(labels={}, value=float(value), timestamp=float(ts))]
        return [Sample(labels=r.get("metric", {}), value=float(r["value"][1]), timestamp=float(r["value"][0]))
                for r in data.get("result", [])]

    def alert_rule_names(self) -> set[str]:
        data = self._get("/api/v1/rules", {"type": "alert"})
        return {r["name"] for g in data.get("groups", []) for r in g.get("rules", []) if r.get("type") == "alerting"}
