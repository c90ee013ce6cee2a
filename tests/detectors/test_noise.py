"""Secrets without the noise: lock files, hashes, placeholders and local dev values are counted suppressions, never
findings; real tokens planted in the same files are exactly the findings; severity follows confidence and place."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from checker.detectors import noise
from checker.detectors.decode import decoded, is_binary, printable
from checker.tools import secrets

FIXTURES = Path(__file__).parents[1] / "fixtures" / "secrets_noise"

# Real-looking tokens, built at run time so no scanner flags this file.
AWS = "AKIA" + "Q7HV2N4MZK3PXW8R"
GITHUB = "ghp_" + "R8mK2vQ9xL4tN7wB1cZ5yH3jF6sD0gApE2uX"
STRIPE = "sk_live_" + "51HqL9vT2mW8xK4rN7bC3dPz"
IDEOGRAM = "uJ7" + "vR2mX9kLq4TzN8bW3cY6pHs1FdG5aE0"
PLANTED = {"AWS Access Key", "GitHub Token", "Stripe Access Key", "Ideogram API Key"}

# One template per file syntax: the four tokens the way that kind of file would hold them.
_JSON = ('  "aws_access_key_id": "{aws}",\n  "github": "{gh}",\n  "stripe": "{stripe}",\n'
         '  "IDEOGRAM_API_KEY": "{ideo}",\n')
_YAML = "aws_access_key_id: {aws}\ngithub: {gh}\nstripe: {stripe}\nIDEOGRAM_API_KEY: {ideo}\n"
_TOML = 'aws_access_key_id = "{aws}"\ngithub = "{gh}"\nstripe = "{stripe}"\nIDEOGRAM_API_KEY = "{ideo}"\n'
_ENV = "AWS_ACCESS_KEY_ID={aws}\nGITHUB_TOKEN={gh}\nSTRIPE_KEY={stripe}\nIDEOGRAM_API_KEY={ideo}\n"
_MD = ("```sh\nexport AWS_ACCESS_KEY_ID={aws}\nexport GITHUB_TOKEN={gh}\nexport STRIPE_KEY={stripe}\n"
       "export IDEOGRAM_API_KEY={ideo}\n```\n")
_PY = 'AWS = "{aws}"\nGH = "{gh}"\nSTRIPE = "{stripe}"\nIDEOGRAM_API_KEY = "{ideo}"\n'
_HTML = ('<script>const aws = "{aws}", gh = "{gh}", stripe = "{stripe}";\n'
         'const IDEOGRAM_API_KEY = "{ideo}";</script>\n')
_SUM = "example.com/m v1.0.0 h1:{aws}=\nexample.com/m v1.0.0/go.mod {gh}\n# {stripe}\nIDEOGRAM_API_KEY={ideo}\n"

# Every text file of the fixtures, by the syntax its planted tokens take (appended; JSON: after its first line).
PLANT_IN = {
    "npm/package-lock.json": _JSON, "pnpm/pnpm-lock.yaml": _YAML, "yarn/yarn.lock": _YAML, "bun/bun.lock": _JSON,
    "uv/uv.lock": _TOML, "poetry/poetry.lock": _TOML, "pipenv/Pipfile.lock": _JSON, "cargo/Cargo.lock": _TOML,
    "go/go.sum": _SUM, "app/.env.example": _ENV, "app/.env.sample": _ENV, "app/docs/setup.md": _MD,
    "app/README.md": _MD, "app/config/settings.example.yaml": _YAML, "app/docker-compose.yml": _YAML,
    "app/src/db.py": _PY, "app/src/assets.py": _PY, "app/web/index.html": _HTML, "app/tests/test_client.py": _PY,
    "app/Dockerfile": _ENV.replace("\n", "\n").replace("AWS", "ENV AWS"),
}


def fixture_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    return root


def test_the_fixtures_cover_every_file_kind_and_every_rule() -> None:
    files = fixture_files(FIXTURES)
    assert {f for f in files if noise.is_lock_file(f)} >= {
        "npm/package-lock.json", "pnpm/pnpm-lock.yaml", "yarn/yarn.lock", "bun/bun.lock", "bun/bun.lockb",
        "uv/uv.lock", "poetry/poetry.lock", "pipenv/Pipfile.lock", "cargo/Cargo.lock", "go/go.sum"}
    assert set(PLANT_IN) <= set(files)


def test_realistic_fixtures_give_zero_findings_and_count_every_suppression() -> None:
    files = fixture_files(FIXTURES)
    outcome = secrets.scan(FIXTURES, files)
    assert outcome.hits == ()
    assert outcome.read == len(files)
    reasons = Counter(s.reason for s in outcome.suppressed)
    assert set(reasons) == {noise.HASH, noise.PLACEHOLDER, noise.LOCAL, noise.DOCUMENTED}
    # Lock files are read without the entropy detectors (each integrity hash would be one); bun.lockb is binary.
    assert (outcome.lock_files, outcome.binary_files) == (9, 1)
    assert outcome.note(len(files)) == (f"{len(files)} of {len(files)} file(s) read; 9 lock file(s) without the "
                                        "entropy detectors; 1 binary or non-text file(s) with provider patterns only")
    # The raw engine (detect-secrets as it ships) reports on the same files: the rules are what makes it quiet.
    raw = [h for text in secrets.scan_outputs(FIXTURES, files) for h in secrets.parse_output(text)]
    assert len(raw) >= 25
    assert {h.path for h in raw} >= {"pnpm/pnpm-lock.yaml", "app/.env.example", "app/docker-compose.yml"}


def test_planted_tokens_in_every_file_kind_are_exactly_the_findings(tree: Path) -> None:
    for rel, template in PLANT_IN.items():
        path = tree / rel
        text = path.read_text(encoding="utf-8")
        planted = template.format(aws=AWS, gh=GITHUB, stripe=STRIPE, ideo=IDEOGRAM)
        if template is _JSON:  # inside the top-level object, so the file stays JSON
            first, _, rest = text.partition("\n")
            text = f"{first}\n{planted}{rest}"
        else:
            text = text.rstrip("\n") + "\n" + planted
        path.write_text(text, encoding="utf-8")
    outcome = secrets.scan(tree, fixture_files(tree))
    got = Counter((h.path, h.message.removesuffix(" committed in the repository")) for h in outcome.hits)
    assert got == Counter({(rel, kind): 1 for rel in PLANT_IN for kind in PLANTED})
    # A provider pattern is an error wherever it is, docs, examples and tests included.
    assert {h.severity for h in outcome.hits} == {"error"}
    assert {h.check_id for h in outcome.hits if h.message.startswith("Ideogram")} == {"secret-ideogram-key"}


def test_a_generic_secret_is_an_error_in_source_and_a_warning_elsewhere(tmp_path: Path) -> None:
    line = 'db_password = "Xq9vL2mT7wR4pZ8n"\n'
    places = {"src/app.py": "error", "config/app.ini": "error", "tests/test_app.py": "warning",
              "fixtures/data.py": "warning", "examples/demo.py": "warning", "docs/guide.md": "warning",
              "settings.py.example": "warning"}
    for rel in places:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(line if not rel.endswith(".ini") else "[db]\npassword = Xq9vL2mT7wR4pZ8n\n")
    outcome = secrets.scan(tmp_path, sorted(places))
    assert {h.path: h.severity for h in outcome.hits} == places


def test_the_cli_lists_noise_as_suppressions_in_json_and_sarif(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES, repo)
    env = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": str(tmp_path),
           "PATH": "/usr/bin:/bin"}
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit",
                                                 "-qm", "fixtures"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)
    out, sarif = tmp_path / "r.json", tmp_path / "r.sarif"
    exe = Path(sys.executable).with_name("ideogram-prod")
    proc = subprocess.run([str(exe), "check", str(repo), "--select", "secret-generic,secret-ideogram-key",
                           "--json", str(out), "--sarif", str(sarif)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    doc = json.loads(out.read_text())
    assert doc["findings"] == []
    noisy = [s for s in doc["suppressions"] if s["kind"] == "noise"]
    assert len(noisy) == doc["suppression_counts"]["noise"] >= 20
    assert {s["justification"] for s in noisy} == {noise.HASH, noise.PLACEHOLDER, noise.LOCAL, noise.DOCUMENTED}
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert sum(1 for r in results if r.get("suppressions")) == len(noisy)


@pytest.mark.parametrize(("value", "expected"), [
    ("changeme", True), ("password", True), ("your-api-key-here", True), ("YOUR_SECRET", True),
    ("xxxxxxxxxxxxxxxx", True), ("<token>", True), ("${DB_PASSWORD}", True), ("{{ smtp_password }}", True),
    ("sk-your-key-here", True), ("replace-me-with-a-long-random-string", True), ("hunter2", True), ("", True),
    ("test-api-key-for-testing", True), ("my-key", True), ("INVALID_API_KEY", True), ("password123", True),
    ("not-a-real-key", True), ("prod-db-2024-x7Gq", False), ("Prod_Api_Key_9", False),
    ("Xq9vL2mT7wR4pZ8n", False), ("app_dev_pw", False), ("correct-horse-9Battery", False), ("s3cr3tPa55w0rd", False),
    ("9f86d081884c7d659a2feaa0c55ad015", False),
])
def test_placeholders(value: str, expected: bool) -> None:
    assert noise.is_placeholder(value) is expected


@pytest.mark.parametrize(("host", "expected"), [
    ("localhost", True), ("127.0.0.1", True), ("[::1]", True), ("0.0.0.0", True), ("db", True),
    ("api.example.com", True), ("example.org", True), ("svc.test", True), ("x.invalid", True),
    ("host.docker.internal", True), ("db.prod.internal", False), ("rds.amazonaws.com", False),
    ("examples.com", False), ("postgres", False), ("10.0.0.5", False),
])
def test_local_hosts(host: str, expected: bool) -> None:
    assert noise.is_local_host(host, services={"db"}) is expected


@pytest.mark.parametrize(("value", "line", "expected"), [
    ("sha512-abcDEF==", '"integrity": "sha512-abcDEF=="', True),
    ("abc123def", 'checksum = "abc123def"', True),
    ("abc123def", "FILE_SHA256 = 'abc123def'", True),
    ("abc123def", "image: nginx@sha256:abc123def", True),
    ("abc123def", 'content_hash: "abc123def"', True),
    ("3e8a8703264a2f4a69428a0aa4dcb512790b2c8c", "rev: 3e8a8703264a2f4a69428a0aa4dcb512790b2c8c # v6.0.0", True),
    ("9c0a54914c78", "down_revision = '9c0a54914c78'", True),
    ("abc123def", 'api_token = "abc123def"', False),
    ("abc123def", 'shaper = "abc123def"', False),
    ("abc123def", 'reverse_key = "abc123def"', False),
    ("abc123def", '{"hash": "x", ' + '"a": 1, ' * 10 + '"token": "abc123def"}', False),
])
def test_hashes(value: str, line: str, expected: bool) -> None:
    assert noise.is_hash(value, line) is expected


@pytest.mark.parametrize(("secret_type", "value", "line", "path", "expected"), [
    ("Base64 High Entropy String", "Zq8Lm3Np6Rt9Vx2Bc5Df", "x: Zq8Lm3Np6Rt9Vx2Bc5Df", "pnpm-lock.yaml", noise.LOCK_FILE),
    ("Secret Keyword", "Zq8Lm3Np6Rt9Vx2Bc5Df", "password: Zq8Lm3Np6Rt9Vx2Bc5Df", "pnpm-lock.yaml", None),
    ("AWS Access Key", AWS, f"k: {AWS}", "pnpm-lock.yaml", None),
    ("Basic Auth Credentials", "pg_local_pw", "postgresql://dev:pg_local_pw@localhost/app", "src/db.py", noise.LOCAL),
    ("Basic Auth Credentials", "Xq9vL2mT7", "postgresql://app:Xq9vL2mT7@db.prod.example.io/app", "src/db.py", None),
    ("Secret Keyword", "app_dev_pw", "POSTGRES_PASSWORD: app_dev_pw", "docker-compose.yml", None),
    ("Secret Keyword", "changeme", 'password = "changeme"', "config/prod.ini", noise.PLACEHOLDER),
    ("GitHub Token", GITHUB, f"token: {GITHUB}  # your-token-here", "docs/x.md", None),
    ("AWS Access Key", "AKIAIOSFODNN7EXAMPLE", "id = AKIAIOSFODNN7EXAMPLE", "src/a.py", noise.DOCUMENTED),
    ("Base64 High Entropy String", "Zq8Lm3Np6Rt9Vx2Bc5Df", "x", "logo.png", None),
    ("Secret Keyword", "Xq9vL2mT7wR4", 'FAKE_SECRET="Xq9vL2mT7wR4"', "app/secrets.toml", noise.PLACEHOLDER),
    ("Secret Keyword", "Xq9vL2mT7wR4", 'mockPassword: "Xq9vL2mT7wR4"', "app/a.ts", noise.PLACEHOLDER),
    ("Secret Keyword", "Xq9vL2mT7wR4", 'prod_password: "Xq9vL2mT7wR4"', "app/a.ts", None),
    ("AWS Access Key", AWS, f'FAKE_AWS_KEY = "{AWS}"', "app/a.py", None),
])
def test_suppression_rules(secret_type: str, value: str, line: str, path: str, expected: str | None) -> None:
    assert noise.suppression(secret_type, value, line, path) == expected


def test_a_value_used_in_a_local_url_is_local_where_it_stands_alone() -> None:
    lines = ["DATABASE_URL: postgresql://app:app_dev_pw@db:5432/app\n", "POSTGRES_PASSWORD: app_dev_pw\n"]
    local = noise.local_passwords(lines, services={"db"})
    assert local == {"app_dev_pw"}
    assert noise.suppression("Secret Keyword", "app_dev_pw", lines[1], "compose.yml", local=local) == noise.LOCAL
    assert noise.local_passwords(["postgresql://app:app_dev_pw@db.prod.io/app"]) == frozenset()


@pytest.mark.parametrize(("path", "where"), [
    ("src/app.py", "source"), ("config/app.yaml", "source"), ("tests/test_x.py", "test"), ("web/a.test.ts", "test"),
    ("pkg/x_test.go", "test"), ("conftest.py", "test"), ("testdata/k.json", "test"), ("examples/a.py", "example"),
    (".env.example", "example"), ("config.yaml.sample", "example"), ("docs/a.txt", "docs"), ("README.md", "docs"),
    ("notebooks/demo.ipynb", "docs"), (".env", "source"), (".env.production", "source"),
    ("e2e_playwright/.streamlit/secrets.toml", "test"), ("lib/test_assets/a.toml", "test"),
    ("integration-tests/x.py", "test"), ("src/contest/entry.py", "source"), ("latest/app.py", "source"),
])
def test_place(path: str, where: str) -> None:
    assert noise.place(path) == where


@pytest.mark.parametrize(("data", "text", "encoding"), [
    (b"plain", "plain", "utf-8"),
    ("caf\u00e9".encode(), "caf\u00e9", "utf-8"),
    (b"caf\xe9 \xff", "caf\u00e9 \u00ff", "latin-1"),
    ("k=v".encode("utf-16"), "k=v", "utf-16"),
    ("k=v".encode("utf-16-le"), "k=v", "utf-16"),
    ("k=v".encode("utf-16-be"), "k=v", "utf-16"),
    ("k=v".encode("utf-32"), "k=v", "utf-32"),
    (b"\xef\xbb\xbfk=v", "k=v", "utf-8-sig"),
    (b"a\x00b\xffc", "a\x00b\u00ffc", "latin-1"),
])
def test_decoded_maps_every_byte(data: bytes, text: str, encoding: str) -> None:
    assert decoded(data) == (text, encoding)


def test_binary() -> None:
    assert is_binary(b"\x89PNG\r\n\x1a\n\x00\x00", "latin-1")
    assert not is_binary("k=v".encode("utf-16-le"), "utf-16")
    assert not is_binary(b"plain text", "utf-8")


def test_printable_keeps_text_runs_on_their_lines() -> None:
    data = b"\x00\x01ab\nIDEOGRAM_API_KEY=x1234567890\x00\xff\n\n" + "KEY=abcdefgh".encode("utf-16-le") + b"\x00"
    assert printable(data) == "\nIDEOGRAM_API_KEY=x1234567890\n\nKEY=abcdefgh\n"
    assert printable(b"\x00\x01\x02") == ""
