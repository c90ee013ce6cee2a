"""What may keep a hit from being a finding (inline ignores with a reason, the baseline, excludes), always listed."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from checker.config import DEFAULT_EXCLUDE, Config
from checker.errors import InputError
from checker.findings import Exclusion

_MARK = re.compile(r"ideogram-prod:\s*ignore\[([a-z0-9,\s\-]+)\](?:[ \t]*--(?P<reason>[^\r\n]*))?")
# detect-secrets' own markers (detect_secrets/filters/allowlist.py): the line itself, or the next line.
_PRAGMA = re.compile(r"pragma:\s*allowlist[ \t]+secret\b")
_PRAGMA_NEXT = re.compile(r"pragma:\s*allowlist[ \t]+nextline[ \t]+secret\b")
_COMMENT_END = re.compile(r"\s*(?:\*/|-->|#}|%>|\"\"\"|''')\s*$")
# A long token in a reason may be a secret pasted by mistake (or on purpose): it never reaches a report.
_TOKEN = re.compile(r"[A-Za-z0-9_+/=.\-]{20,}")
MAX_REASON = 200
MAX_BASELINE_BYTES = 64 * 1024 * 1024
PRAGMA_JUSTIFICATION = "detect-secrets pragma: allowlist secret"
# NOTE: detect-secrets' pragma is a generic tool's marker; our key detector does not obey it.
PRAGMA_EXEMPT = frozenset({"secret-ideogram-key"})


@dataclass(frozen=True, slots=True)
class Ignore:
    ids: frozenset[str]
    reason: str  # "" when the marker gives none


def reason_text(raw: str) -> str:
    """The reason as reports show it: comment closers stripped, long tokens masked, capped."""
    text = _COMMENT_END.sub("", raw).strip()
    text = _TOKEN.sub("…", text)[:MAX_REASON]
    return text if re.search(r"[^\W\d_]{2}", text) else ""  # a reason has a word in it


def ignores(line: str) -> list[Ignore]:
    out = []
    for match in _MARK.finditer(line):
        ids = frozenset(part.strip() for part in match.group(1).split(",") if part.strip())
        out.append(Ignore(ids, reason_text(match.group("reason") or "")))
    return out


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the source says about one hit: a justification if suppressed, else a note for the finding."""

    justification: str | None = None
    note: str = ""


class Suppressions:
    """Reads each file at most once per scan."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._cache: dict[str, list[str]] = {}

    def _lines(self, rel_path: str) -> list[str]:
        if rel_path not in self._cache:
            try:
                text = (self._root / rel_path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            self._cache[rel_path] = text.splitlines()
        return self._cache[rel_path]

    def _line(self, rel_path: str, number: int) -> str:
        lines = self._lines(rel_path)
        return lines[number - 1] if 1 <= number <= len(lines) else ""

    def verdict(self, rel_path: str, line: int, check_id: str, secret: bool) -> Verdict:
        """An inline ignore with a reason suppresses; one without a reason, or the allowlist pragma on our key
        detector, leaves the finding and says why."""
        here, above = self._line(rel_path, line), self._line(rel_path, line - 1)
        unjustified = False
        for ignore in (*ignores(here), *ignores(above)):
            if check_id in ignore.ids:
                if ignore.reason:
                    return Verdict(justification=ignore.reason)
                unjustified = True
        pragma = secret and (_PRAGMA.search(here) is not None or _PRAGMA_NEXT.search(above) is not None)
        if pragma and check_id not in PRAGMA_EXEMPT:
            return Verdict(justification=PRAGMA_JUSTIFICATION)
        notes = []
        if unjustified:
            notes.append(f"the inline ignore has no reason, so it does not count: "
                         f"`ideogram-prod: ignore[{check_id}] -- <reason>`")
        if pragma:
            notes.append("detect-secrets' allowlist pragma does not silence this check")
        return Verdict(note="; ".join(notes))


class _Secret(BaseModel):
    model_config = ConfigDict(extra="ignore")
    filename: str
    hashed_secret: str
    is_secret: bool | None = None


class _Baseline(BaseModel):
    model_config = ConfigDict(extra="ignore")
    results: dict[str, list[_Secret]]


def baseline_entries(data: bytes, source: str) -> frozenset[tuple[str, str]]:
    """(filename, hashed_secret) pairs a detect-secrets baseline records and did not audit as real secrets."""
    try:
        parsed = _Baseline.model_validate(json.loads(data))
    except (ValueError, ValidationError):
        raise InputError(f"{source}: not a detect-secrets baseline") from None
    return frozenset((s.filename, s.hashed_secret) for secrets in parsed.results.values() for s in secrets
                     if s.is_secret is not True)


def load_baseline(root: Path, rel: str, ref: str | None) -> frozenset[tuple[str, str]]:
    """The baseline from `ref` when given (the PR's base), else from the working tree; none is empty."""
    if ref is not None:
        from checker.base_ref import read_blob

        blob = read_blob(root, ref, rel, MAX_BASELINE_BYTES)
        if blob is None:
            return frozenset()
        if len(blob) > MAX_BASELINE_BYTES:
            raise InputError(f"{ref}:{rel}: larger than {MAX_BASELINE_BYTES // 2**20} MiB")
        return baseline_entries(blob, f"{ref}:{rel}")
    path = root / rel
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a detect-secrets baseline")
    if not path.is_file():
        return frozenset()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    return baseline_entries(data, str(path))


def exclusions(root: Path, config: Config, check_ids: Sequence[str]) -> tuple[Exclusion, ...]:
    """Every setting of the config that keeps files or checks out of this scan, with the files each keeps out."""
    from checker.targets import list_files, matcher

    wanted = [(f"checks.{cid}.exclude", tuple(config.check(cid).exclude)) for cid in check_ids
              if config.check(cid).exclude]
    out: list[Exclusion] = []
    if config.exclude or wanted:
        files = list_files(root, DEFAULT_EXCLUDE)
        for setting, patterns in [("exclude", tuple(config.exclude)), *wanted]:
            for pattern in patterns:
                spec = matcher([pattern])
                out.append(Exclusion(setting, pattern, sum(1 for f in files if spec.match_file(f))))
    out += [Exclusion(f"checks.{cid}.enabled", "false") for cid in check_ids if not config.check(cid).enabled]
    return tuple(out)
