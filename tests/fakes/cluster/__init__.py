"""A fake Kubernetes API server for tests: real REST over 127.0.0.1, held to real kubectl."""

from __future__ import annotations

from .cluster import Cluster, kubectl_path
from .server import Fault, RequestRecord

__all__ = ["Cluster", "Fault", "RequestRecord", "kubectl_path"]
