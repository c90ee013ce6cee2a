"""webhook-insecure-url over fixture repos through the real CLI, plus table tests of what counts as insecure."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checker.checks.static import webhooks

FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"
ID = "webhook-insecure-url"


def run(cli, root: Path, tmp_path: Path) -> tuple[int, dict]:
    out = tmp_path / "r.json"
    result = cli("check", str(root), "--select", ID, "--json", str(out))
    return result.returncode, json.loads(out.read_text())


def findings(doc: dict) -> list[tuple[str, int]]:
    return [(f["location"]["path"], f["location"]["line"]) for f in doc["findings"]]


def test_failing_fixture_flags_code_config_and_manifests(cli, tmp_path):
    root = Path(shutil.copytree(FIXTURES / "failing", tmp_path / "failing"))
    code, doc = run(cli, root, tmp_path)
    assert code == 1
    assert findings(doc) == [
        (".env.production", 1),
        ("app/settings.py", 6),    # WEBHOOK_URL = "http://…"
        ("app/settings.py", 7),    # os.getenv("CALLBACK_URL", "http://…")
        ("app/settings.py", 17),   # {"webhook_url": "http://" + host}
        ("k8s/deployment.yaml", 17),  # args: [..., "--callback-url", "http://…"]
        ("k8s/deployment.yaml", 20),  # env NOTIFY_URL, value on the next line
        ("monitoring/alertmanager.yml", 4),  # webhook_configs[].url; the 127.0.0.1 receiver is fine
        ("web/lib/ideogram.ts", 4),  # webhookUrl: `http://${…}`
    ]
    messages = [f["message"] for f in doc["findings"]]
    assert "WEBHOOK_URL is a plain http:// URL (host images.example.com)" in messages[1]
    assert "host built at runtime" in messages[3]


def test_passing_fixture_is_green(cli, tmp_path):
    root = Path(shutil.copytree(FIXTURES / "passing", tmp_path / "passing"))
    code, doc = run(cli, root, tmp_path)
    assert code == 0
    assert doc["results"] == [{"check_id": ID, "status": "passed",
                               "reason": "4 code, config and manifest file(s) scanned",
                               "files": {"given": 6, "read": 4}, "applicable": True}]


def test_test_files_count_only_with_scan_tests(cli, tmp_path):
    root = Path(shutil.copytree(FIXTURES / "passing", tmp_path / "passing"))
    (root / ".ideogram-prod.yaml").write_text("scan_tests: true\n")
    code, doc = run(cli, root, tmp_path)
    assert code == 1
    assert findings(doc) == [("tests/test_hooks.py", 1)]


def test_inline_suppression_and_no_userinfo_in_messages(cli, make_repo, tmp_path):
    suppressed = 'CALLBACK_URL = "http://cb.example.com"  # ideogram-prod: ignore[webhook-insecure-url] -- a test double\n'
    root = make_repo({"a.env": "WEBHOOK_URL=http://bot:s3cr3tpass@hooks.example.com/x\n", "b.py": suppressed})
    code, doc = run(cli, root, tmp_path)
    assert code == 1
    assert findings(doc) == [("a.env", 1)]
    assert "s3cr3tpass" not in json.dumps(doc)


# --- table tests ---

@pytest.mark.parametrize(("line", "expected"), [
    ('webhook_url = "http://a.example/x"', [("webhook_url", "a.example")]),
    ("WEBHOOK_URL=http://u:p@hooks.example:8080/x", [("WEBHOOK_URL", "hooks.example")]),
    ('"callback_url": "http://b.example"', [("callback_url", "b.example")]),
    ("const callbackUrl = `http://${host}/cb`", [("callbackUrl", "(dynamic)")]),
    ('webhook_url: str = "http://c.example"', [("webhook_url", "c.example")]),
    ('webhook_url: str = Field(default="http://d.example")', [("webhook_url", "d.example")]),
    ('os.environ.get("WEBHOOK_URL", "http://e.example")', [("WEBHOOK_URL", "e.example")]),
    ('process.env.WEBHOOK_URL ?? "http://f.example"', [("WEBHOOK_URL", "f.example")]),
    ('process.env["NOTIFY_URL"] || "http://g.example"', [("NOTIFY_URL", "g.example")]),
    ("--webhook-url http://h.example", [("webhook-url", "h.example")]),
    ('args: ["--callback-url", "http://i.example"]', [("callback-url", "i.example")]),
    ('json={"prompt": p, "webhook_url": "http://j.example"}', [("webhook_url", "j.example")]),
    ('hooks = {"hook_url": "http://[2001:db8::1]:80/x"}', [("hook_url", "2001:db8::1")]),
    # not findings
    ('if webhook_url.startswith("http://"):', []),
    ('if webhook_url == "http://k.example":', []),
    ('webhook_url = url.replace("http://", "https://")', []),
    ('webhook_url = "http://localhost:3000/x"', []),
    ('webhook_url = "http://app.localhost/x"', []),
    ('webhook_url = "http://127.0.0.5/x"', []),
    ('webhook_url = "http://[::1]:80/x"', []),
    ('webhook_url = "https://secure.example/x"', []),
    ('# webhook_url = "http://commented.example"', []),
    ('// webhookUrl: "http://commented.example"', []),
    ('homepage = "http://not-a-hook.example"', []),
    ('log("see http://docs.example for webhook setup")', []),
])
def test_line_urls(line, expected):
    assert list(webhooks.line_urls(line)) == expected


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True), ("api.localhost", True), ("127.0.0.1", True), ("127.255.0.9", True), ("::1", True),
    ("::ffff:127.0.0.1", True), ("0.0.0.0", False), ("10.0.0.1", False), ("localhost.example.com", False),
    ("(dynamic)", False), ("", False),
])
def test_is_loopback(host, loopback):
    assert webhooks.is_loopback(host) is loopback


@pytest.mark.parametrize(("authority", "host"), [
    ("user:pw@Hooks.Example.com:8443", "hooks.example.com"), ("[::1]:8080", "::1"), ("${HOST}", "(dynamic)"),
    ("{host}:80", "(dynamic)"), ("a.example", "a.example"),
])
def test_host_of(authority, host):
    assert webhooks.host_of(authority) == host


def test_structured_hits_cover_pairs_split_over_lines():
    source = (
        "env:\n- name: CALLBACK_URL\n  value: http://m.example/x\n- name: OTHER\n  value: http://n.example\n"
        "receivers:\n- webhook_configs:\n  - url: http://pager.example/x\n  - url: http://localhost:9/x\n"
        "args:\n- --webhook-url\n- http://o.example\n"
    )
    assert [(u.name, u.host, u.line) for u in webhooks.structured_hits(source)] == [
        ("CALLBACK_URL", "m.example", 3), ("webhook_configs", "pager.example", 8), ("webhook-url", "o.example", 12)]
    assert webhooks.structured_hits("a: [unclosed\n") == []


@pytest.mark.parametrize(("path", "scanned"), [
    ("app/settings.py", True), ("web/route.ts", True), (".env", True), (".env.production", True),
    ("deploy/values.yaml", True), ("Dockerfile.prod", True), ("docker-compose.override.yml", True),
    ("README.md", False), ("package-lock.json", False), ("image.png", False),
])
def test_scanned(path, scanned):
    assert webhooks.scanned(path) is scanned
