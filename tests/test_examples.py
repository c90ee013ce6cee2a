"""The bundled examples: the vulnerable app trips every check, the hardened one passes them all."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checker.registry import CHECKS, Engine
from tests.helpers.plugin import REPO, git

EXAMPLES = REPO / "examples"


def copy_as_repo(name: str, tmp_path: Path) -> Path:
    """A copy in its own git repo, as a user's checkout would be (the examples live inside ours)."""
    root = tmp_path / name
    shutil.copytree(EXAMPLES / name, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "example")
    return root


@pytest.fixture(scope="module")
def vulnerable_report(tmp_path_factory) -> dict[str, object]:
    from tests.helpers.plugin import run_cli

    tmp = tmp_path_factory.mktemp("vuln")
    root = copy_as_repo("vulnerable", tmp)
    out = tmp / "out.json"
    result = run_cli("check", str(root), "--json", str(out))
    assert result.returncode == 1, result.stderr
    return json.loads(out.read_text())


# NOTE: Engine.GATE (gate-config-changed) judges a pull request against its base, never a full scan of an example:
# tests/adversarial/test_config_trust.py trips it.
STATIC = [spec.id for spec in CHECKS if spec.engine not in (Engine.LIVE, Engine.GATE)]


@pytest.mark.parametrize("check_id", STATIC)
def test_vulnerable_example_trips_every_check(vulnerable_report, check_id):
    ids = {f["check_id"] for f in vulnerable_report["findings"]}  # type: ignore[union-attr]
    assert check_id in ids


GO_WORKER = "worker/ideogram.go"
GO_EXPECTED = {
    ("code-ideogram-key-logged", 31),
    ("code-ideogram-wrong-auth-header", 37),
    ("code-ideogram-no-timeout", 38),
    ("code-ideogram-unhandled-errors", 38),
    ("code-ideogram-no-backoff", 38),
    ("code-ideogram-url-not-persisted", 47),
    ("code-ideogram-unsafe-unchecked", 47),
}


def test_vulnerable_go_worker_findings(vulnerable_report):
    """The Go worker is read by the rule pack: each of its planted mistakes is reported once, on its line."""
    found = [(f["check_id"], f["location"]["line"]) for f in vulnerable_report["findings"]  # type: ignore[union-attr]
             if f["location"]["path"] == GO_WORKER]
    assert sorted(found) == sorted(GO_EXPECTED)


PHP_PLUGIN = "wordpress/igp-studio.php"
PHP_EXPECTED = {
    ("code-ideogram-key-client-exposed", 11),  # the key handed to the editor script by wp_localize_script
    ("code-ideogram-no-backoff", 21),
    ("code-ideogram-unhandled-errors", 21),
    ("code-ideogram-unsafe-unchecked", 26),  # Ideogram's whole answer sent to the browser
    ("code-ideogram-url-not-persisted", 26),
}


def test_vulnerable_wordpress_plugin_findings(vulnerable_report):
    """The WordPress plugin is read by the rule pack: each of its planted mistakes is reported once, on its line."""
    found = [(f["check_id"], f["location"]["line"]) for f in vulnerable_report["findings"]  # type: ignore[union-attr]
             if f["location"]["path"] == PHP_PLUGIN]
    assert sorted(found) == sorted(PHP_EXPECTED)


def test_vulnerable_checklist_fails_items(vulnerable_report):
    statuses = {e["item"]: e["status"] for e in vulnerable_report["checklist"]}  # type: ignore[union-attr]
    assert statuses["step1.keys-in-vault"] == "fail"
    assert statuses["step1.key-scopes"] == "manual"


def test_hardened_example_passes_with_no_findings(cli, tmp_path):
    root = copy_as_repo("hardened", tmp_path)
    out = tmp_path / "out.json"
    result = cli("check", str(root), "--json", str(out))
    doc = json.loads(out.read_text())
    assert doc["findings"] == [], json.dumps(doc["findings"], indent=1)
    assert result.returncode == 0, result.stdout + result.stderr
    # gate-config-changed compares with a base branch: without --diff-base it is skipped with its reason
    statuses = {r["check_id"]: r["status"] for r in doc["results"]}
    assert statuses.pop("gate-config-changed", "skipped") == "skipped"
    assert set(statuses.values()) == {"passed"}, statuses


def test_main_command_on_the_bundled_example_in_place(cli):
    """The README's command, run where the example lives (inside this repository)."""
    result = cli("check", "examples/vulnerable")
    assert result.returncode == 1
    assert "secret-ideogram-key" in result.stdout
