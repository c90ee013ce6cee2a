"""A detect-secrets plugin for Ideogram API keys, found by context since Ideogram publishes no key format."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Generator
from typing import Any

from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.plugins.base import BasePlugin

# NOTE: quotes may come escaped (`\"`): code cells of notebooks are JSON strings.
_VALUE = r"""\\?["'`]?([A-Za-z0-9_\-+/=.~]{20,200})\\?["'`]?"""

# An Api-Key header (Ideogram's auth header) given a literal: dicts, objects, curl -H, HTTP files.
_HEADER = re.compile(r"""(?i)["'`]?\bapi[-_]key["'`]?\s*(?::|=>?|,)\s*""" + _VALUE)
# A credential-like name that mentions ideogram bound to a literal: IDEOGRAM_API_KEY=..., ideogramToken: "...".
# NOTE: names are whole tokens tested in Python, not nested `[\w.-]*` stars: those backtrack quadratically on a
# long minified line (18 KB of `ideogram_` took 3 s), a hostile repository's cheap way to stall the gate.
_NAME_TOKEN = re.compile(r"[\w.\-]+")
_CRED_WORD = re.compile(r"key|token|secret|auth|cred|pass")
# The separator also covers a default after a lookup: `getenv("IDEOGRAM_API_KEY", "...")`,
# `process.env.IDEOGRAM_API_KEY ?? "..."`, `environ.get("IDEOGRAM_API_KEY") or "..."`, `${IDEOGRAM_API_KEY:-...}`.
_AFTER_NAME = re.compile(r"""(?i)["'`]?\)?\s*(?::=|:-|:|=>?|,|\?\?|\|\||\bor\b)\s*(?:[rbuf]{0,2})""" + _VALUE)
# A client built with a literal: `new Ideogram({ apiKey: "..." })`, `IdeogramClient(api_key="...")`.
_CLIENT = re.compile(r"""(?i)\bideogram\w*\s*\(\s*\{?[^)]{0,200}?\bapi[-_]?key["'`]?\s*(?::|=>?)\s*""" + _VALUE)
# ...and over two lines: `new Ideogram({` then `apiKey: "..."`.
_CLIENT_OPEN = re.compile(r"""(?i)\bideogram\w*\s*\(\s*\{?\s*$""")
_CLIENT_KEY = re.compile(r"""(?i)^\s*["'`]?api[-_]?key["'`]?\s*(?::|=>?)\s*""" + _VALUE)
# Kubernetes / compose env lists: `- name: IDEOGRAM_API_KEY` on the line before `value: ...`.
_ENV_NAME = re.compile(r"""(?i)\bname["']?\s*[:=]\s*["']?([\w.\-]+)""")
_ENV_VALUE = re.compile(r"""(?i)^\s*-?\s*["']?value["']?\s*[:=]\s*""" + _VALUE)


def is_credential_name(token: str) -> bool:
    """A name that mentions ideogram and a credential word: IDEOGRAM_API_KEY, ideogramToken, key_for_ideogram."""
    lowered = token.lower()
    return "ideogram" in lowered and _CRED_WORD.search(lowered.replace("ideogram", " ")) is not None


def _named(string: str) -> Generator[str, None, None]:
    for token in _NAME_TOKEN.finditer(string):
        if is_credential_name(token.group()):
            match = _AFTER_NAME.match(string, token.end())
            if match:
                yield match.group(1)


_PLACEHOLDER = re.compile(
    r"(?i)your|example|placeholder|changeme|replace|dummy|redacted|xxxx|\*\*\*|<|>|\$\{|\{\{|123456789|abcdefgh|qwerty"
    r"|(?:^|[-_])(?:test|fake|mock|sample|invalid)(?:[-_]|$)"
)


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_like_key(value: str) -> bool:
    """High entropy, letters and digits, and not a placeholder or a code reference."""
    if _PLACEHOLDER.search(value):
        return False
    if not (re.search(r"[A-Za-z]", value) and re.search(r"[0-9]", value)):
        return False
    if re.fullmatch(r"[\w]+(\.[\w]+)+", value) and not re.search(r"[0-9]{3}", value):
        return False  # a dotted code path such as settings.ideogram.api_key
    return _entropy(value) >= 3.5


class IdeogramKeyDetector(BasePlugin):
    """Ideogram keys: an `Api-Key` header value, a literal bound to a name containing `ideogram` (or given as its
    default), or a literal passed to an Ideogram client."""

    secret_type = "Ideogram API Key"

    def analyze_string(self, string: str) -> Generator[str, None, None]:
        values = [m.group(1) for pattern in (_HEADER, _CLIENT) for m in pattern.finditer(string)]
        yield from (value for value in (*values, *_named(string)) if looks_like_key(value))

    def analyze_line(
        self, filename: str, line: str, line_number: int = 0, context: Any = None, **kwargs: Any
    ) -> set[PotentialSecret]:
        found = super().analyze_line(filename=filename, line=line, line_number=line_number, context=context)
        previous = context.previous_line if context is not None else ""
        if not previous:
            return found
        env = _ENV_NAME.search(previous)
        for value, opened in ((_ENV_VALUE, env is not None and is_credential_name(env.group(1))),
                              (_CLIENT_KEY, _CLIENT_OPEN.search(previous) is not None)):
            match = value.search(line) if opened else None
            if match and looks_like_key(match.group(1)):
                found.add(PotentialSecret(self.secret_type, filename, match.group(1), line_number))
        return found
