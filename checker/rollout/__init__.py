"""Staged rollouts: pure planning and gates apart from the driver that talks to Kubernetes."""
