"""Which secret matches are noise (lock-file hashes, placeholders, local dev credentials); how severe the rest are.

Only the generic detectors (entropy, keyword, basic auth, public IP) are ever judged noise: a provider pattern
(AWS, GitHub, Stripe, private keys, our Ideogram detector...) is a finding wherever it matches, lock files
included. Every judgement returns a reason so the caller counts and lists it; nothing is dropped silently.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable

ENTROPY_TYPES = frozenset({"Base64 High Entropy String", "Hex High Entropy String"})
GENERIC_TYPES = ENTROPY_TYPES | {"Secret Keyword", "Basic Auth Credentials", "Public IP (ipv4)"}

# Suppression reasons (stable strings: they are counted and shown in reports).
LOCK_FILE = "hash in a lock file"
HASH = "hash or checksum"
BINARY = "binary file"
PLACEHOLDER = "placeholder value"
LOCAL = "local development credential"
DOCUMENTED = "documented example credential"

LOCK_FILE_NAMES = frozenset({
    "pnpm-lock.yaml", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "bun.lock", "bun.lockb",
    "poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "pylock.toml", "Cargo.lock", "go.sum", "go.work.sum",
    "composer.lock", "Gemfile.lock", "Podfile.lock", "Package.resolved", "Cartfile.resolved", "mix.lock",
    "pubspec.lock", "flake.lock", "gradle.lockfile", "packages.lock.json", "Brewfile.lock.json",
    ".terraform.lock.hcl", "conda-lock.yml", "deno.lock",
})

# Published in vendors' own docs as examples; GitHub secret scanning ignores them too.
DOCUMENTED_EXAMPLES = frozenset({"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})

# A line naming a hash, a checksum or a version-control revision (pre-commit `rev:`, alembic `down_revision`).
_HASH_KEY = re.compile(
    r"(?i)(?:\b|_)(?:integrity|checksums?|[a-z0-9]*hash(?:es)?|digests?|sha(?:1|224|256|384|512)(?:sum)?|shasum|md5(?:sum)?"
    r"|etag|fingerprint|rev|revision|commit|commit[-_]?(?:sha|id))(?:\b|_)"
)
_HASH_PREFIX = re.compile(r"(?i)(?:sha(?:1|224|256|384|512)|md5|blake2b?|h1)[-:=]$")
_HASH_VALUE = re.compile(r"(?i)^(?:sha(?:1|224|256|384|512)|md5|blake2b?)[-:]")

_PLACEHOLDER_WORDS = re.compile(
    r"(?i)^(?:change[-_. ]?(?:me|it|this)|replace[-_. ]?(?:me|this)|placeholder|example|sample|dummy|fake|mock"
    r"|redacted|secret|secrets|password|passwd|passw0rd|pass|pwd|test|testing|tests|todo|tbd|none|null|nil|empty"
    r"|foo|bar|baz|foobar|admin|root|user|username|guest|demo|dev|development|local|default|token|key|apikey"
    r"|api[-_]?key|api[-_]?token|secret[-_]?key|abc|abc123|xyz|1234|12345|123456|12345678|qwerty|letmein"
    r"|s3cr3t|mysecret|mypassword|postgres|mysql|mariadb|redis|mongo|rabbitmq|guest|minio|minioadmin|sa|hunter2"
    r"|correcthorsebatterystaple|value|secret[-_]?value|some[-_]?value)$"
)
_PLACEHOLDER_PARTS = re.compile(
    r"(?i)^your[-_. ]|[-_. ](?:here|goes[-_. ]here)$|x{4,}|\*{3,}|\.{3}|<[^>]*>|\$\{[^}]*\}|\{\{.*\}\}"
    r"|%\([^)]*\)s|^\$[A-Za-z_]\w*$|example|placeholder|changeme|change[-_]me|replace[-_]?me|dummy|redacted"
    r"|insert[-_. ]|^(.)\1+$"
)

# A word of its own in the value (split on - _ . and spaces) that no real credential is made of.
_DUMMY_WORDS = frozenset({"test", "testing", "tests", "fake", "dummy", "mock", "mocked", "sample", "example",
                          "placeholder", "invalid", "valid", "my", "your", "foo", "bar", "baz", "demo", "changeme",
                          "redacted", "notreal", "not", "todo", "xxx", "secretvalue", "somesecret"})
_WEAK_WITH_DIGITS = re.compile(r"(?i)^(?:password|passw0rd|pass|secret|admin|test|changeme|letmein|qwerty)\d{0,6}!?$")
_CONSTANT_NAME = re.compile(r"^[A-Z]+(?:_[A-Z]+)+$")  # `INVALID_API_KEY: 'INVALID_API_KEY'`: an enum, not a secret

_CRED_URL = re.compile(
    r"(?i)\b[a-z][a-z0-9+.\-]*://([^\s/@:'\"]*):([^\s/@'\"]*)@(\[[^\]\s]+\]|[^\s:/?#'\"@,;)]+)"
)
_LOCAL_NAMES = frozenset({"localhost", "0.0.0.0", "::1", "host.docker.internal", "host.containers.internal"})
_LOCAL_SUFFIXES = (".localhost", ".local", ".test", ".invalid", ".example", ".example.com", ".example.org",
                   ".example.net")
_EXAMPLE_DOMAINS = frozenset({"example.com", "example.org", "example.net"})

_TEST_DIRS = frozenset({"tests", "test", "__tests__", "spec", "specs", "fixtures", "fixture", "testdata", "__mocks__",
                        "mocks", "e2e", "cypress"})
# e2e_playwright/, test_assets/, integration-tests/, __snapshots__/
_TEST_DIR_WORD = re.compile(r"(?:^|[-_.])(?:tests?|specs?|e2e|fixtures?|testdata|snapshots?|__snapshots__)(?:$|[-_.])")
_EXAMPLE_DIRS = frozenset({"examples", "example", "samples", "sample", "demo", "demos"})
_DOC_DIRS = frozenset({"docs", "doc", "documentation"})
_DOC_SUFFIXES = (".md", ".mdx", ".markdown", ".rst", ".adoc", ".asciidoc", ".ipynb")
_EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl", ".tpl")


def is_lock_file(path: str) -> bool:
    """A dependency lock file, or generated build metadata made of content hashes (TypeScript's .tsbuildinfo)."""
    name = path.rsplit("/", 1)[-1]
    return name in LOCK_FILE_NAMES or name.endswith((".lock", ".lockb", "-lock.json", "-lock.yaml", ".lockfile",
                                                     ".tsbuildinfo"))


def is_placeholder(value: str) -> bool:
    """A value written to be replaced: `changeme`, `your-key-here`, `xxxx`, `<token>`, `${VAR}`, `{{ secret }}`."""
    v = value.strip().strip("'\"`")
    if not v or _PLACEHOLDER_WORDS.match(v) or _PLACEHOLDER_PARTS.search(v) or _WEAK_WITH_DIGITS.match(v):
        return True
    return bool(_CONSTANT_NAME.match(v) or _DUMMY_WORDS & set(re.split(r"[-_.\s]+", v.lower())))


def _named_dummy(value: str, line: str) -> bool:
    """The name the value is bound to says it is not real: FAKE_SECRET="...", dummy_password: ..., mockToken = ..."""
    at = line.find(value)
    name = line[max(0, at - 64):at] if at > 0 else ""
    words = re.split(r"[^a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower())
    return bool({"fake", "dummy", "mock", "example", "sample", "placeholder"} & set(words))


def is_local_host(host: str, services: Collection[str] = ()) -> bool:
    """localhost, loopback, a compose service, or a domain reserved for examples and tests (RFC 2606/6761)."""
    h = host.strip("[]").rstrip(".").lower()
    return (h in _LOCAL_NAMES or h.startswith("127.") or h in _EXAMPLE_DOMAINS or h.endswith(_LOCAL_SUFFIXES)
            or h in services)


@functools.lru_cache(maxsize=64)
def credential_urls(line: str) -> tuple[tuple[str, str, str], ...]:
    """(user, password, host) of every credential URL in the line. Cached: a 230 KB minified JSON line holding 330
    matches was searched once per match (2 s of one file's 3.4)."""
    if "://" not in line:
        return ()
    return tuple((m[1], m[2], m[3]) for m in _CRED_URL.finditer(line))


def is_local_credential(value: str, line: str, services: Collection[str] = ()) -> bool:
    """The value is the user or password of a URL in this line whose host is local (postgresql://dev:dev@localhost)."""
    for user, password, host in credential_urls(line):
        if value and value in (user, password, f"{user}:{password}") and is_local_host(host, services):
            return True
    return False


def local_passwords(lines: Iterable[str], services: Collection[str] = ()) -> frozenset[str]:
    """Passwords of the local credential URLs in a file: the same value set alone (`POSTGRES_PASSWORD: ...`
    beside `postgresql://app:<it>@db/app`) is that local credential too."""
    found = set()
    for line in lines:
        if "://" not in line:
            continue
        for match in _CRED_URL.finditer(line):
            _, password, host = match.groups()
            if password and is_local_host(host, services):
                found.add(password)
    return frozenset(found)


def is_hash(value: str, line: str) -> bool:
    """An SRI `integrity` value, a `sha256:`-style digest, or a value shortly after a name for a hash or checksum.

    Only the text just before the value counts: on a minified line, a `hash` key far away says nothing about it.
    """
    if _HASH_VALUE.match(value):
        return True
    at = line.find(value)
    if at < 0:  # a transformed line (YAML, INI): judge the line
        return bool(_HASH_KEY.search(line))
    return bool(_HASH_KEY.search(line[max(0, at - 64):at]) or _HASH_PREFIX.search(line[max(0, at - 8):at]))


def suppression(secret_type: str, value: str, line: str, path: str, *, binary: bool = False,
                services: Collection[str] = (), local: Collection[str] = ()) -> str | None:
    """Why this match is noise, or None when it is a finding. Provider patterns are never noise."""
    if value in DOCUMENTED_EXAMPLES:
        return DOCUMENTED
    if secret_type not in GENERIC_TYPES:
        return None
    if secret_type in ENTROPY_TYPES and is_lock_file(path):
        return LOCK_FILE
    if binary:
        return BINARY
    if secret_type in ENTROPY_TYPES and is_hash(value, line):
        return HASH
    if is_placeholder(value) or _named_dummy(value, line):
        return PLACEHOLDER
    if is_local_credential(value, line, services) or value in local:
        return LOCAL
    return None


def place(path: str) -> str:
    """Where a file sits: "test", "example", "docs" or "source" (which also covers config)."""
    parts = path.lower().split("/")
    name = parts[-1]
    dirs = set(parts[:-1])
    if dirs & _TEST_DIRS or any(_TEST_DIR_WORD.search(d) for d in dirs) or name.startswith("test_") \
            or name == "conftest.py" or re.search(
            r"(?:_test\.\w+|\.(?:test|spec)\.\w+)$", name):
        return "test"
    if dirs & _EXAMPLE_DIRS or name.endswith(_EXAMPLE_SUFFIXES) or re.match(r"\.env\.(?:example|sample)", name):
        return "example"
    if dirs & _DOC_DIRS or name.endswith(_DOC_SUFFIXES) or name.startswith("readme"):
        return "docs"
    return "source"


def severity(secret_type: str, path: str) -> str:
    """A provider pattern is an error everywhere; a generic match is a warning in tests, examples and docs."""
    if secret_type in GENERIC_TYPES and place(path) != "source":
        return "warning"
    return "error"
