"""Run our local semgrep rule pack once, offline, and parse its JSON into Hits."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from checker.errors import ToolError
from checker.tools import Hit, executable

# NOTE: without these semgrep phones home and, offline, hangs ~98 s per call (shared/reference/static-checks.md).
OFFLINE_FLAGS = ("--metrics=off", "--disable-version-check", "--no-rewrite-rule-ids")
OFFLINE_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}


class _Pos(BaseModel):
    line: int


class _Extra(BaseModel):
    model_config = ConfigDict(extra="ignore")
    message: str = ""
    metadata: dict[str, object] = {}
    lines: str = ""


class _Result(BaseModel):
    model_config = ConfigDict(extra="ignore")
    check_id: str
    path: str
    start: _Pos
    end: _Pos
    extra: _Extra


class _Error(BaseModel):
    model_config = ConfigDict(extra="ignore")
    level: str = "error"
    type: str | list[object] = ""
    message: str = ""


class _Output(BaseModel):
    model_config = ConfigDict(extra="ignore")
    results: list[_Result]
    errors: list[_Error] = []


# Every rule of the pack is anchored on words that must appear in a file for it to match at all: the
# Ideogram host, env names or the Api-Key header for code rules; a webhook/callback route or signature
# header for webhook-unverified. Files without them skip semgrep (most of a big repository), which
# changes no finding; tests/test_rules.py checks the anchors against every case and the examples.
_ANCHORS = re.compile(rb"ideogram|api[-_]?key", re.IGNORECASE)
PREFILTERS: dict[str, re.Pattern[bytes]] = {
    "webhook-unverified": re.compile(rb"webhook|callback|signature", re.IGNORECASE),
}


def anchor_for(check_id: str) -> re.Pattern[bytes]:
    return PREFILTERS.get(check_id, _ANCHORS)


def prefiltered(root: Path, files: Sequence[str], check_ids: Sequence[str]) -> list[str]:
    """The files in which at least one selected rule could match (by path or content: Next.js routes
    are webhooks by their folder name)."""
    anchors = {anchor_for(c).pattern for c in check_ids}
    union = re.compile(b"|".join(b"(?:" + a + b")" for a in sorted(anchors)), re.IGNORECASE)
    keep = []
    for name in files:
        if union.search(name.encode()):
            keep.append(name)
            continue
        try:
            data = (root / name).read_bytes()
        except OSError:
            keep.append(name)  # let semgrep report what it makes of it
            continue
        if union.search(data):
            keep.append(name)
    return keep


def rules_dir() -> Path:
    return Path(str(resources.files("checker") / "rules"))


def rule_file(check_id: str) -> Path:
    return rules_dir() / f"{check_id}.yaml"


def command(rule_files: Sequence[Path], output: Path, jobs: int | None = None) -> list[str]:
    cmd = [executable("semgrep"), "scan", *OFFLINE_FLAGS, "--json", "--output", str(output), "--quiet",
           "--timeout", "30"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    for path in rule_files:
        cmd += ["--config", str(path)]
    return cmd


def offline_env(workdir: Path) -> dict[str, str]:
    return {
        **os.environ, **OFFLINE_ENV,
        "SEMGREP_SETTINGS_FILE": str(workdir / "settings.yml"),
        "SEMGREP_LOG_FILE": str(workdir / "semgrep.log"),
        "SEMGREP_VERSION_CACHE_PATH": str(workdir / "version"),
    }


def parse_output(text: str) -> list[Hit]:
    """Hits keyed by the rule's metadata.check_id; the matched code is hashed, never kept."""
    try:
        data = _Output.model_validate_json(text)
    except ValidationError:
        raise ToolError("semgrep wrote output that is not its JSON format") from None
    fatal = [e for e in data.errors if e.level == "error" and "Syntax" not in str(e.type)
             and "PartialParsing" not in str(e.type)]
    if fatal:
        raise ToolError(f"semgrep reported an error: {fatal[0].type}")
    hits = []
    for res in data.results:
        check_id = str(res.extra.metadata.get("check_id") or res.check_id)
        code = " ".join(res.extra.lines.split())
        evidence = hashlib.sha256(f"{res.check_id}\x1f{code}".encode()).hexdigest()
        hits.append(Hit(check_id, res.path, res.start.line, res.end.line, evidence, res.extra.message.strip()))
    return hits


def run(root: Path, files: Sequence[str], check_ids: Sequence[str], jobs: int | None = None,
        prefilter: bool = True) -> list[Hit]:
    """One semgrep process for every selected rule; a crash or exit >= 2 raises ToolError."""
    if prefilter:
        files = prefiltered(root, files, check_ids)
    if not files or not check_ids:
        return []
    with tempfile.TemporaryDirectory(prefix="ideogram-prod-semgrep-") as tmp:
        workdir = Path(tmp)
        out = workdir / "out.json"
        cmd = [*command([rule_file(c) for c in check_ids], out, jobs), "--", *files]
        try:
            proc = subprocess.run(cmd, cwd=root, env=offline_env(workdir), capture_output=True, text=True,
                                  check=False, stdin=subprocess.DEVNULL)
        except OSError as exc:
            raise ToolError(f"cannot start semgrep: {exc.strerror}") from None
        if proc.returncode not in (0, 1) or not out.is_file():
            raise ToolError(f"semgrep exited with code {proc.returncode}")
        return parse_output(out.read_text(encoding="utf-8"))
