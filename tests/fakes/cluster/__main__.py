"""`python -m tests.fakes.cluster`: start the fake API server by hand for a demo and print its kubeconfig path."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .cluster import Cluster


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.cluster", description=__doc__)
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second (default 1)")
    parser.add_argument("--pod-ready-seconds", type=float, default=2.0, help="delay before pods turn Ready")
    parser.add_argument("--server-version", default="1.31", help="minor version reported by /version")
    parser.add_argument("--demo", action="store_true", help="seed a Deployment 'web' and a Service")
    args = parser.parse_args(argv)

    cluster = Cluster(pod_ready_seconds=args.pod_ready_seconds, server_version=args.server_version).start()
    if args.demo:
        cluster.deployment("web", "nginx:1.25", replicas=3)
        cluster.service("web")
    print(cluster.kubeconfig, flush=True)
    print(f"serving {cluster.url}; try: KUBECONFIG={cluster.kubeconfig} kubectl get deploy", file=sys.stderr)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with cluster.clock_running(speed=args.speed, tick=0.05):
            while not stop.wait(0.2):
                pass
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
