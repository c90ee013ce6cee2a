"""Run detect-secrets (never verifying over the network) with our Ideogram detector, and read its baseline."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from checker.errors import InputError, ToolError
from checker.tools import Hit, executable

IDEOGRAM_TYPE = "Ideogram API Key"


class _Secret(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str
    filename: str
    hashed_secret: str
    line_number: int = 0
    is_secret: bool | None = None


class _Output(BaseModel):
    model_config = ConfigDict(extra="ignore")
    results: dict[str, list[_Secret]]


def plugin_path() -> Path:
    return Path(str(resources.files("checker") / "detectors" / "ideogram_key.py"))


def command(files: Sequence[str], jobs: int | None = None) -> list[str]:
    # NOTE: -n: without it detect-secrets sends candidate secrets to AWS, Slack, ... to verify them.
    cmd = [executable("detect-secrets")]
    if jobs:
        cmd += ["-c", str(jobs)]
    return [*cmd, "scan", "-n", "--plugin", str(plugin_path()), *files]


def check_id_for(secret_type: str) -> str:
    return "secret-ideogram-key" if secret_type == IDEOGRAM_TYPE else "secret-generic"


def parse_output(text: str) -> list[Hit]:
    """One Hit per secret; a generic hit on a line that already holds an Ideogram key is the same secret."""
    try:
        data = _Output.model_validate_json(text)
    except ValidationError:
        raise ToolError("detect-secrets wrote output that is not its JSON format") from None
    hits: list[Hit] = []
    for filename, secrets in data.results.items():
        ideogram_lines = {s.line_number for s in secrets if s.type == IDEOGRAM_TYPE}
        for s in secrets:
            if s.type != IDEOGRAM_TYPE and s.line_number in ideogram_lines:
                continue
            message = f"{s.type} committed in the repository"
            hits.append(Hit(check_id_for(s.type), filename, s.line_number, s.line_number, s.hashed_secret, message))
    return hits


def run(root: Path, files: Sequence[str], jobs: int | None = None) -> list[Hit]:
    if not files:
        return []
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    try:
        proc = subprocess.run(command(files, jobs), cwd=root, env=env, capture_output=True, text=True,
                              check=False, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise ToolError(f"cannot start detect-secrets: {exc.strerror}") from None
    if proc.returncode != 0:
        raise ToolError(f"detect-secrets exited with code {proc.returncode}")
    return parse_output(proc.stdout)


def baseline_allowed(root: Path, baseline: str) -> set[tuple[str, str]]:
    """(filename, hashed_secret) pairs the team's baseline records and did not audit as real secrets."""
    path = root / baseline
    if not path.is_file():
        return set()
    try:
        data = _Output.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError):
        raise InputError(f"{path}: not a detect-secrets baseline") from None
    return {(s.filename, s.hashed_secret) for secrets in data.results.values() for s in secrets
            if s.is_secret is not True}
