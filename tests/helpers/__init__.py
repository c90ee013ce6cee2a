"""Shared test helpers: run the CLI for real, find required tools, fetch reference schemas."""
