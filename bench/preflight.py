"""How long `ideogram-prod preflight` takes against a fully healthy set-up on loopback.

Starts the fakes the tests use (Ideogram API, Statuspage + staging JSON, the Kubernetes API server) and a
real Prometheus scraping an exporter with the seed alert rules loaded, then times the CLI as a user runs it.
Target (issue 5): under 3 s plus the configured timeouts (none is hit when everything is healthy).

    .venv/bin/python -m bench.preflight [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from checker.alerts import render
from checker.contract import alert_specs
from tests.fakes.cluster.cluster import Cluster
from tests.fakes.ideogram_api import FakeIdeogram
from tests.fakes.json_server import JsonServer
from tests.helpers.prometheus import Exporter, PrometheusServer

KEY = "ik_bench_" + "Zr4Ty8Ui2Op6As0Df3Gh"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-preflight-"))
    ideogram = FakeIdeogram().start()
    ideogram.add_key(KEY)
    web = JsonServer({"/api/v2/status.json": (200, {"status": {"indicator": "none", "description": "ok"}}),
                      "/health": (200, {"status": "healthy", "ideogram": {"connected": True, "latencyMs": 40}})})
    cluster = Cluster(tmp / "cluster").start()
    cluster.secret("ideogram-api", {"api-key": KEY})
    cluster.apply({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "ideogram-integration"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "ig"}}, "template": {
            "metadata": {"labels": {"app": "ig"}}, "spec": {"containers": [{"name": "app", "image": "app:1", "env": [
                {"name": "IDEOGRAM_API_KEY", "valueFrom": {"secretKeyRef": {"name": "ideogram-api", "key": "api-key"}}},
            ]}]}}},
    })
    cluster.settle()
    rules = tmp / "rules.yml"
    rules.write_text(render(alert_specs(), "docs/RUNBOOK.md"))
    exporter = Exporter()
    exporter.set_traffic(20)
    prom = PrometheusServer(tmp / "prom", [(exporter.target, {"track": "stable"})], [rules]).start()
    prom.wait_for("ideogram_request_duration_seconds_bucket")
    cmd = [sys.executable, "-m", "checker", "preflight", "--ideogram-url", ideogram.url,
           "--status-url", web.url_for("/api/v2/status.json"), "--staging-url", web.url_for("/health"),
           "--prometheus-url", prom.url, "--kubeconfig", str(cluster.kubeconfig), "--config", str(tmp / "none.yaml")]
    (tmp / "none.yaml").write_text("version: 1\n")
    env = {**os.environ, "IDEOGRAM_API_KEY": KEY, "IDEOGRAM_PROD_LOG_LEVEL": "DEBUG"}
    times, breakdown = [], ""
    try:
        for _ in range(args.runs):
            started = time.monotonic()
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
            times.append(time.monotonic() - started)
            if proc.returncode != 0:
                print(proc.stdout, proc.stderr, file=sys.stderr)
                return 1
            breakdown = "; ".join(line.split(": ", 1)[1] for line in proc.stderr.splitlines() if " took " in line)
        startup = []
        for _ in range(args.runs):
            started = time.monotonic()
            subprocess.run([sys.executable, "-m", "checker", "rules"], capture_output=True, check=True)
            startup.append(time.monotonic() - started)
    finally:
        prom.stop()
        exporter.stop()
        cluster.stop()
        web.stop()
        ideogram.stop()
    print(f"preflight, all 7 default checks passing, {args.runs} runs:")
    print(f"  wall time   median {statistics.median(times):.2f} s   min {min(times):.2f} s   max {max(times):.2f} s")
    print(f"  CLI start   median {statistics.median(startup):.2f} s (`ideogram-prod rules`)")
    print(f"  last run    {breakdown}")
    verdict = "meets" if statistics.median(times) < 3.0 else "misses"
    print(f"  target      < 3.00 s plus timeouts (none hit): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
