"""`python -m checker` runs the CLI."""

from checker.cli import entrypoint

entrypoint()
