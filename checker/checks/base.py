"""What every Python check is given and returns, and the two shapes a check module takes.

A static check (Engine.NATIVE, `checker/checks/static/<runner>.py`) reads the repository through a NativeContext
and returns an Outcome; a live check (Engine.LIVE, `checker/checks/live/<runner>.py`) is run by `preflight` and
returns one CheckResult per id. Both are found by their module name (CheckSpec.runner), and a crash in either is
an `error` result for its ids, never an aborted run and never a pass (scan.py and checks/live/__init__.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from checker.config import Config
from checker.errors import ToolError
from checker.tools import Hit

if TYPE_CHECKING:
    from checker.checks.live import LiveContext
    from checker.findings import CheckResult

# Byte-order marks, longest first (a UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)
_SAMPLE = 4096


def _utf16_guess(raw: bytes) -> str | None:
    """UTF-16 without a mark: mostly-ASCII text has a NUL in every other byte."""
    sample = raw[:_SAMPLE]
    half = max(1, len(sample) // 2)
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.3 * half and even * 4 <= odd:
        return "utf-16-le"
    if even >= 0.3 * half and odd * 4 <= even:
        return "utf-16-be"
    return None


def decode(rel: str, raw: bytes) -> str:
    """Text a check can search, or ToolError: a file we cannot read as text is an `error`, never a pass.

    UTF-8, UTF-16/32 (with a mark, or UTF-16 told by its NULs), then Latin-1 for legacy single-byte text
    (ASCII stays where it was, so keys, URLs and headings are still found); other bytes with NULs are an error.
    """
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                raise ToolError(f"{rel}: starts with a {codec} byte-order mark but is not {codec}") from None
    guess = _utf16_guess(raw) if b"\x00" in raw else None
    if guess is not None:
        try:
            return raw.decode(guess)
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        if b"\x00" in raw:
            raise ToolError(f"{rel}: cannot be read as text (NUL bytes in no encoding we can tell)") from None
        return raw.decode("latin-1")


@dataclass(frozen=True, slots=True)
class NativeContext:
    """What a native check sees: the scan root, the files selected for this run, and the config.

    Checks read through read_bytes/read_text, which count what was read (a check that read nothing is
    skipped, never passed) and raise ToolError for a file that cannot be read (an `error`, never a pass).
    """

    root: Path
    files: tuple[str, ...]
    config: Config
    check_ids: tuple[str, ...]  # the ids of this runner that are enabled in this run
    read: set[str] = field(default_factory=set, compare=False)

    def read_bytes(self, rel: str) -> bytes:
        try:
            data = (self.root / rel).read_bytes()
        except OSError as exc:
            raise ToolError(f"{rel}: cannot read: {exc.strerror or type(exc).__name__}") from None
        self.read.add(rel)
        return data

    def read_text(self, rel: str) -> str:
        return decode(rel, self.read_bytes(rel))


@dataclass(frozen=True, slots=True)
class Outcome:
    """Hits for any of the runner's ids; `skipped` gives a reason per id that could not be judged.

    `not_applicable`: skipped ids whose reason is that the repository holds nothing they judge (the
    checklist says "not applicable"). `read`: files read per id when not the context's count (tests-pass).
    """

    hits: Sequence[Hit] = ()
    skipped: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    not_applicable: frozenset[str] = frozenset()
    read: dict[str, int] = field(default_factory=dict)



class StaticCheck(Protocol):
    """A module under checker/checks/static/: judges the checked-out files, never the network."""

    def run(self, ctx: NativeContext) -> Outcome: ...


class LiveCheck(Protocol):
    """A module under checker/checks/live/: judges live endpoints; exactly one result per id it is given."""

    def run(self, ctx: LiveContext, ids: tuple[str, ...]) -> list[CheckResult]: ...
