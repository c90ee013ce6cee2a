"""Our secrets engine must report exactly what the detect-secrets CLI reports with the same plugins."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from checker.errors import ToolError
from checker.tools import secrets

# Fake credentials, built at run time so no scanner flags this file.
IDEOGRAM = "kX9pQ2vL7mN4rT8wZ1yB6cF3hJ5sD0gA"
B64 = "Zq8Lm3Np6Rt9Vx2Bc5Df8Gh1Jk4Mn7PqWs0Ey+/"
HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
AWS = "AKIA" + "Q3EGRIVW5SFTNMHD"
GITLAB = "glpat-" + "x7Hq2LmP9rT4vW8yZ1bC"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0."
       "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
PEM = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq\n-----END RSA PRIVATE KEY-----\n"

FIXTURE = {
    "app/client.py": f'import os\n\nIDEOGRAM_API_KEY = "{IDEOGRAM}"\nheaders = {{"Api-Key": "{IDEOGRAM}"}}\n',
    "app/allowed.py": f'IDEOGRAM_API_KEY = "{IDEOGRAM}"  # pragma: allowlist secret\n',
    "app/keyword.py": 'db_password = "correcthorse-battery9"\nname = "harmless"\n',
    "app/entropy.py": f'TOKEN_B64 = "{B64}"\nDIGEST = "{HEX}"\nshort = "abc"\n',
    "app/mixed.ts": f'const stripe = "{STRIPE}";\nconst jwt = "{JWT}";\nconst gl = "{GITLAB}";\n',
    "app/nonascii.py": '# contraseña del servicio\ncontraseña = "Xy7pQ2vL9mN4rT8w"\nmsg = "héllo"\n',
    "config/settings.yaml": (f"service:\n  name: web\n  password: hunter2-is-long-enough\n  token: {B64}\n"
                             f"  note: |\n    multi line\n    text block\n"),
    "deploy/k8s.yaml": (f"env:\n  - name: IDEOGRAM_API_KEY\n    value: {IDEOGRAM}\n  - name: LOG_LEVEL\n"
                        "    value: info\n"),
    "config/app.ini": "[database]\nhost = db.internal\npassword = s3cr3t-Valu3-42\n",
    "config/aws.json": f'{{\n  "aws_access_key_id": "{AWS}",\n  "region": "eu-west-1"\n}}\n',
    ".env": f"IDEOGRAM_API_KEY={IDEOGRAM}\nDEBUG=false\nSERVER_IP=203.0.113.9\n",
    "docs/keys.md": "# Keys\n\n```\n" + PEM + "```\n",
    "clean.py": "def add(a: int, b: int) -> int:\n    return a + b\n",
    "logo.png": None,  # binary
}


def write_tree(root: Path, extra: int = 0) -> list[str]:
    for rel, text in FIXTURE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe" * 64)
        else:
            path.write_text(text, encoding="utf-8")
    for i in range(extra):  # filler, so the files spread over several workers
        (root / "filler").mkdir(exist_ok=True)
        (root / "filler" / f"mod_{i}.py").write_text(f'def f_{i}(x):\n    return x + {i}\n', encoding="utf-8")
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def found(text: str) -> set[tuple[str, str, int, str]]:
    return {(s["type"], s["filename"], s["line_number"], s["hashed_secret"])
            for entries in json.loads(text)["results"].values() for s in entries}


def cli_results(root: Path, files: list[str]) -> set[tuple[str, str, int, str]]:
    proc = subprocess.run(secrets.command(files), cwd=root, capture_output=True, text=True, check=True)
    return found(proc.stdout)


def engine_results(root: Path, files: list[str], jobs: int | None = None) -> set[tuple[str, str, int, str]]:
    return set().union(*(found(text) for text in secrets.scan_outputs(root, files, jobs)))


def test_engine_matches_the_cli_on_every_kind_of_secret(tmp_path: Path) -> None:
    files = write_tree(tmp_path)
    expected = cli_results(tmp_path, files)
    types = {t for t, *_ in expected}
    # The fixture really exercises the hard cases (else the comparison proves little).
    assert {"Ideogram API Key", "Secret Keyword", "Base64 High Entropy String", "Hex High Entropy String",
            "AWS Access Key", "Private Key", "Stripe Access Key", "JSON Web Token", "GitLab Token"} <= types
    assert not any(f == "app/allowed.py" for _, f, *_ in expected)
    assert any(f == "deploy/k8s.yaml" for _, f, *_ in expected)
    assert engine_results(tmp_path, files) == expected


def test_engine_matches_the_cli_across_several_workers(tmp_path: Path) -> None:
    files = write_tree(tmp_path, extra=3 * secrets.MIN_FILES_PER_WORKER)
    assert len(secrets.chunks(tmp_path, files, 3)) == 3
    assert engine_results(tmp_path, files, jobs=3) == cli_results(tmp_path, files)


def test_hits_keep_the_cli_contract(tmp_path: Path) -> None:
    files = write_tree(tmp_path)
    proc = subprocess.run(secrets.command(files), cwd=tmp_path, capture_output=True, text=True, check=True)
    cli = sorted(secrets.parse_output(proc.stdout), key=lambda h: (h.path, h.line, h.check_id))
    raw = [hit for text in secrets.scan_outputs(tmp_path, files) for hit in secrets.parse_output(text)]
    assert sorted(raw, key=lambda h: (h.path, h.line, h.check_id)) == cli
    # On this fixture (UTF-8, no lock file, no key form the CLI's filters drop) the product splits the CLI's
    # findings into findings and counted suppressions, and leaves the allowlist pragma to checker.suppress.
    outcome = secrets.scan(tmp_path, files)
    assert outcome.read == len(files)
    product = {(h.check_id, h.path, h.line) for h in outcome.hits}
    quiet = {(s.hit.check_id, s.hit.path, s.hit.line) for s in outcome.suppressed}
    assert not product & quiet
    assert product | quiet == {(h.check_id, h.path, h.line) for h in cli} | {("secret-ideogram-key", "app/allowed.py", 1)}
    assert {s.reason for s in outcome.suppressed} == {"hash or checksum"}
    assert secrets.run(tmp_path, []) == []


def test_gate_never_rules_out_a_line_any_plugin_reports(tmp_path: Path) -> None:
    """Each reporting line, alone and buried in other text, must open the gate."""
    from detect_secrets.settings import get_plugins

    gate = secrets.configure()
    write_tree(tmp_path)
    checked = 0
    for rel, text in FIXTURE.items():
        if text is None:
            continue
        lines = text.splitlines()
        for i, line in enumerate(lines):
            for plugin in get_plugins():
                if plugin.secret_type == secrets.IDEOGRAM_TYPE:
                    continue  # needs its previous line as context; covered by the tree comparisons
                if plugin.analyze_line(filename=str(tmp_path / rel), line=line.rstrip(), line_number=i + 1):
                    checked += 1
                    assert gate.fires([line]), (plugin.secret_type, rel)
                    assert gate.fires(["x = (", *lines, "  )"]), (plugin.secret_type, rel)
                    opened = gate.open_lines(lines)
                    assert opened is None or i in opened, (plugin.secret_type, rel)
    assert checked >= 10


@pytest.mark.parametrize(("pattern", "line"), [
    (r"(?<![\w.])\d+\.\d+(?![\w.])", "ip 8.8"),
    (r"^token$", "token"),
    (r"\bkey=(\w+)\b", "key=abc"),
    (r"(?i)(?:(?<=\W)|(?<=^))secret[-_]?key\s*=\s*'([a-z]{4})'", "SECRET_KEY = 'abcd'"),
    (r"(a|b)c\1", "aca"),
    (r"sk-[A-Za-z0-9]*T3BlbkFJ", "sk-abcT3BlbkFJ"),
])
def test_text_patterns_only_widen(pattern: str, line: str) -> None:
    compiled = re.compile(pattern)
    assert compiled.search(line)
    whole = secrets.text_pattern(compiled)
    assert whole is not None
    for text in (line, f"before\n{line}\nafter", f"\n\n{line}\n"):
        lowered = text.lower() if text.isascii() else None
        assert whole.search(text, lowered), text


def test_possessive_patterns_fall_back_to_line_by_line() -> None:
    assert secrets.text_pattern(re.compile(r"a*+b")) is None
    assert secrets.text_pattern(re.compile(r"(?>ab|a)c")) is None


@pytest.fixture
def fake_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Stand-in interpreters for the worker: one that dies, one that prints garbage."""

    def make(body: str) -> None:
        script = tmp_path / "fake-python"
        script.write_text(f"#!/bin/sh\ncat >/dev/null\n{body}\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setattr(sys, "executable", str(script))

    return make


def test_a_crashed_worker_is_a_tool_error(tmp_path: Path, fake_python) -> None:
    files = write_tree(tmp_path / "repo")
    fake_python("kill -9 $$")
    with pytest.raises(ToolError, match="worker exited"):
        secrets.run(tmp_path / "repo", files)


def test_unreadable_worker_output_is_a_tool_error(tmp_path: Path, fake_python) -> None:
    files = write_tree(tmp_path / "repo")
    fake_python("echo 'Traceback (most recent call last):'")
    with pytest.raises(ToolError, match="not its JSON format"):
        secrets.run(tmp_path / "repo", files)


def test_no_secret_value_leaves_a_worker(tmp_path: Path) -> None:
    files = write_tree(tmp_path)
    values = [IDEOGRAM, B64, HEX, AWS, GITLAB, STRIPE, JWT, "correcthorse-battery9", "Xy7pQ2vL9mN4rT8w"]
    for raw in (True, False):
        for text in secrets.scan_outputs(tmp_path, files, raw=raw):
            assert not [v for v in values if v in text], raw


@pytest.mark.parametrize("text", [
    "a\nb",
    'x = 1\npassword = "hunter2-is-long"\ny = 2\n',
    "line\n-----BEGIN RSA PRIVATE KEY-----\nabc\n",
    'TOKEN_B64 = "Zq8Lm3Np6Rt9Vx2Bc5Df8Gh1Jk4Mn7PqWs0Ey+/"\n\nk = "AKIAQ3EGRIVW5SFTNMHD"\n',
    "contrase\u00f1a = \"Xy7pQ2vL9mN4rT8w\"\nIDEOGRAM_API_KEY = x\n",
    *[t for t in FIXTURE.values() if t],
])
def test_open_lines_are_exactly_the_lines_the_gate_opens_on_alone(text: str) -> None:
    gate = secrets.configure()
    lines = text.splitlines(keepends=True)
    opened = gate.open_lines(lines)
    assert opened is not None
    assert {i for i, line in enumerate(lines) if gate.fires([line])} <= opened
