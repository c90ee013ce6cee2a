"""Turn any file's bytes into text a detector can read, so no byte sequence can hide a file from the scan."""

from __future__ import annotations

import codecs
import re

# Longest BOM first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text written without a BOM: most ASCII characters leave a NUL in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros >= half * 0.6:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def decoded(data: bytes) -> tuple[str, str]:
    """(text, encoding): a BOM's UTF-8/16/32, else BOM-less UTF-16, else UTF-8, else latin-1 (maps every byte).

    The fallback never fails, so a stray `\\xff` or a latin-1 file is read instead of skipped.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    # Before UTF-8: BOM-less UTF-16 of ASCII text is valid UTF-8 too, with a NUL in every other byte.
    text = _utf16_without_bom(data) if b"\0" in data else None
    if text is not None:
        return text, "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def is_binary(data: bytes, encoding: str) -> bool:
    """Bytes that are not text in any encoding we tried (NULs outside UTF-16/32): entropy there is noise."""
    return encoding in ("latin-1", "utf-8") and b"\0" in data[:8192]


# Printable bytes (and tab) as "P", NUL as "0", the rest as "x": a run is then found with bytes.find, which is
# many times faster on binary data than a regex trying every position (4,000 PNGs: 12 s -> under 2 s).
_MASK = bytes.maketrans(bytes(range(256)), bytes(
    ord("P") if 0x20 <= b <= 0x7E or b == 0x09 else ord("0") if b == 0 else ord("x") for b in range(256)))
_ASCII_RUN = re.compile(rb"P+")
_UTF16_RUN = re.compile(rb"(?:P0)+")


def _runs(mask: bytes, seed: bytes, run: re.Pattern[bytes]) -> list[tuple[int, int]]:
    spans = []
    at = mask.find(seed)
    while at != -1:
        end = run.match(mask, at).end()  # type: ignore[union-attr]  # the seed itself matches
        spans.append((at, end))
        at = mask.find(seed, end)
    return spans


def printable(data: bytes) -> str:
    """The text runs of a binary file (what `strings` shows: ASCII and UTF-16LE, 8+ characters), each on the line
    it sits on in the file. A token hidden in an image or an archive is such a run; the rest is noise that the
    detectors' regexes would crawl through slowly (non-ASCII text takes their case-folding path)."""
    mask = data.translate(_MASK)
    runs = [(a, data[a:b].decode("ascii")) for a, b in _runs(mask, b"P" * 8, _ASCII_RUN)]
    runs += [(a, data[a:b].decode("utf-16-le")) for a, b in _runs(mask, b"P0" * 8, _UTF16_RUN)]
    lines: dict[int, list[str]] = {}
    line, offset = 0, 0
    for start, text in sorted(runs):
        line += data.count(b"\n", offset, start)
        offset = start
        lines.setdefault(line, []).append(text)
    last = max(lines, default=-1)
    return "\n".join(" ".join(lines.get(n, ())) for n in range(last + 1)) + ("\n" if lines else "")
