"""A real Prometheus server for the tests, scraping local exporters of the metric contract."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 7.5, 10.0, 30.0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Exporter:
    """Plays an app instance: `ideogram_requests_total{status}` and the duration histogram, driven at a set rate."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("ideogram_requests", "Ideogram API calls by HTTP status", ["status"],
                                registry=self.registry)
        self.duration = Histogram("ideogram_request_duration_seconds", "Ideogram API call latency",
                                  buckets=BUCKETS, registry=self.registry)
        self._server, self._thread = start_http_server(0, addr="127.0.0.1", registry=self.registry)
        self._lock = threading.Lock()
        self._rps = 0.0
        self._mix: dict[str, float] = {"200": 1.0}
        self._latency_s = 0.2
        self._carry: dict[str, float] = {}
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._run, daemon=True)
        self._ticker.start()

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def set_traffic(self, rps: float, mix: dict[str, float] | None = None, latency_s: float = 0.2) -> None:
        """`rps` calls a second split by `mix` (status -> share), each taking `latency_s`."""
        with self._lock:
            self._rps, self._latency_s = rps, latency_s
            self._mix = dict(mix or {"200": 1.0})

    def _run(self, tick: float = 0.1) -> None:
        while not self._stop.wait(tick):
            with self._lock:
                for status, share in self._mix.items():
                    due = self._carry.get(status, 0.0) + self._rps * share * tick
                    whole = int(due)
                    self._carry[status] = due - whole
                    if whole:
                        self.requests.labels(status=status).inc(whole)
                        for _ in range(whole):
                            self.duration.observe(self._latency_s)

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()


def backfill(openmetrics: Path, data_dir: Path) -> None:
    """TSDB blocks from an OpenMetrics file with explicit timestamps (`promtool tsdb create-blocks-from`)."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is required (Debian package `prometheus`; .ci/run installs it)")
    proc = subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(openmetrics), str(data_dir)],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        pytest.fail(f"promtool could not backfill {openmetrics.name}: {(proc.stderr or proc.stdout)[-2000:]}")


@dataclass
class PrometheusServer:
    workdir: Path
    targets: Sequence[tuple[str, dict[str, str]]] = ()
    rule_files: Sequence[Path] = ()
    scrape_interval: str = "1s"
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    openmetrics: Path | None = None  # backfilled into the data dir before start: exact series, no scrape wait
    retention: str = "1h"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> PrometheusServer:
        binary = shutil.which("prometheus")
        if binary is None:
            pytest.fail("prometheus is required (Debian package `prometheus`; .ci/run installs it)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.openmetrics is not None:
            backfill(self.openmetrics, self.workdir / "data")
        config: dict[str, Any] = {
            "global": {"scrape_interval": self.scrape_interval, "evaluation_interval": self.scrape_interval},
            "rule_files": [str(p) for p in self.rule_files],
            "scrape_configs": [{"job_name": f"t{i}", "static_configs": [{"targets": [t], "labels": labels}]}
                               for i, (t, labels) in enumerate(self.targets)],
        }
        (self.workdir / "prometheus.yml").write_text(yaml.safe_dump(config))
        log = (self.workdir / "prometheus.log").open("wb")
        self.proc = subprocess.Popen(
            [binary, f"--config.file={self.workdir / 'prometheus.yml'}",
             f"--storage.tsdb.path={self.workdir / 'data'}", f"--web.listen-address=127.0.0.1:{self.port}",
             f"--storage.tsdb.retention.time={self.retention}", "--log.level=warn", "--web.enable-lifecycle"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"prometheus exited: {(self.workdir / 'prometheus.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        pytest.fail("prometheus did not become ready")

    def query(self, promql: str) -> list[dict[str, Any]]:
        resp = httpx.get(f"{self.url}/api/v1/query", params={"query": promql}, timeout=5)
        resp.raise_for_status()
        result: list[dict[str, Any]] = resp.json()["data"]["result"]
        return result

    def wait_for(self, promql: str, ok: Callable[[list[dict[str, Any]]], bool] = bool, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ok(self.query(promql)):
                return
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {promql!r}: {self.query(promql)}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def exporter_factory() -> Iterator[Callable[[], Exporter]]:
    made: list[Exporter] = []

    def make() -> Exporter:
        made.append(Exporter())
        return made[-1]

    yield make
    for e in made:
        e.stop()


@pytest.fixture
def prometheus_factory(tmp_path: Path) -> Iterator[Callable[..., PrometheusServer]]:
    """Start real Prometheus servers: targets are (host:port, extra labels), `openmetrics` a file to preload."""
    started: list[PrometheusServer] = []

    def make(targets: Sequence[tuple[str, dict[str, str]]] = (), rule_files: Sequence[Path] = (),
             scrape_interval: str = "1s", openmetrics: Path | None = None, retention: str = "1h") -> PrometheusServer:
        server = PrometheusServer(tmp_path / f"prom-{len(started)}", targets, rule_files, scrape_interval,
                                  openmetrics=openmetrics, retention=retention).start()
        started.append(server)
        return server

    yield make
    for s in started:
        s.stop()


@contextmanager
def scraped_cases(workdir: Path, cases: Mapping[str, tuple[dict[str, float], float]],
                  rps: float) -> Iterator[PrometheusServer]:
    """A real Prometheus scraping one healthy stable exporter (`track="stable"`) and one canary exporter per
    case (`track="canary", case=<name>`, with its status mix and latency), ready once every case is scraped."""
    exporters: list[Exporter] = []
    stable = Exporter()
    stable.set_traffic(rps, {"200": 1.0}, 0.2)
    exporters.append(stable)
    targets = [(stable.target, {"track": "stable"})]
    for case, (mix, latency) in cases.items():
        e = Exporter()
        e.set_traffic(rps, mix, latency)
        exporters.append(e)
        targets.append((e.target, {"track": "canary", "case": case}))
    prom = PrometheusServer(workdir, targets).start()
    try:
        prom.wait_for('sum by (case) (rate(ideogram_requests_total{track="canary"}[1m]))',
                      lambda r: len(r) == len(cases), timeout=30)
        yield prom
    finally:
        prom.stop()
        for e in exporters:
            e.stop()
