"""The semgrep rule pack: every rule passes `semgrep --test` on its annotated cases, 8+ each way per language."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from checker.registry import CHECKS, Engine
from checker.tools.semgrep import OFFLINE_ENV, rules_dir

RULES = rules_dir()
SEMGREP_IDS = [spec.id for spec in CHECKS if spec.engine is Engine.SEMGREP]
LANG_OF = {".py": "python", ".ts": "js", ".tsx": "js", ".js": "js", ".jsx": "js", ".mjs": "js", ".go": "go",
           ".php": "php"}
_ANNOTATION = re.compile(r"(?:#|//|\{/\*|<!--)\s*(todoruleid|todook|ruleid|ok):\s*([\w\-]+)")


@pytest.fixture(scope="module")
def semgrep_test() -> dict[str, object]:
    semgrep = str(Path(sys.executable).parent / "semgrep")
    proc = subprocess.run([semgrep, "--test", "--metrics=off", "--disable-version-check", "--json", str(RULES)],
                          capture_output=True, text=True, env={**os.environ, **OFFLINE_ENV}, timeout=600)
    assert proc.stdout, proc.stderr[-2000:]
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def rule_docs(check_id: str) -> list[dict[str, object]]:
    doc = yaml.safe_load((RULES / f"{check_id}.yaml").read_text())
    rules: list[dict[str, object]] = doc["rules"]
    return rules


@pytest.mark.parametrize("check_id", SEMGREP_IDS)
def test_rule_file_is_well_formed(check_id):
    rules = rule_docs(check_id)
    assert rules
    for rule in rules:
        assert str(rule["id"]).startswith(check_id)
        assert rule["metadata"]["check_id"] == check_id  # type: ignore[index]
        # A metavariable in a message could print a secret into every report format.
        assert "$" not in str(rule["message"]), rule["id"]


@pytest.mark.parametrize("check_id", SEMGREP_IDS)
def test_rule_passes_its_annotated_cases(semgrep_test, check_id):
    results = semgrep_test["results"]
    key = next((k for k in results if Path(k).name == f"{check_id}.yaml"), None)  # type: ignore[union-attr]
    assert key is not None, f"semgrep --test found no test file for {check_id}"
    checks = results[key]["checks"]  # type: ignore[index]
    assert checks, check_id
    for rule_id, outcome in checks.items():
        assert outcome["passed"], f"{rule_id}: {json.dumps(outcome['matches'])[:1500]}"
    assert not semgrep_test["config_with_errors"]


@pytest.mark.parametrize("check_id", SEMGREP_IDS)
def test_rule_has_eight_cases_each_way_per_language(check_id):
    languages = {lang for rule in rule_docs(check_id) for lang in rule["languages"]}  # type: ignore[attr-defined]
    wanted = {"python", "go", "php"} & languages | ({"js"} if languages & {"js", "javascript", "ts", "typescript"} else set())
    counts: Counter[tuple[str, str]] = Counter()
    for path in RULES.glob(f"{check_id}.*"):
        lang = LANG_OF.get(path.suffix)
        if lang is None:
            continue
        for kind, _ in _ANNOTATION.findall(path.read_text()):
            counts[(lang, kind)] += 1
    for lang in sorted(wanted):
        assert counts[(lang, "ruleid")] >= 8, (check_id, lang, dict(counts))
        assert counts[(lang, "ok")] >= 8, (check_id, lang, dict(counts))


def _corpus() -> list[tuple[Path, list[str]]]:
    from checker.config import Config
    from checker.scan import code_files

    cases = sorted(str(p.relative_to(RULES)) for p in RULES.rglob("*") if p.is_file() and p.suffix != ".yaml")
    out = [(RULES, cases)]
    for example in ("vulnerable", "hardened"):
        root = RULES.parents[1] / "examples" / example
        files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        out.append((root, code_files(files, Config(scan_tests=True))))
    return out


def test_prefilter_anchors_cover_every_match():
    """Skipping files without a rule's anchor words changes no finding: every match, over all rule cases
    (positive and negative) and both examples, lies in a file whose path or text holds its rule's anchor."""
    from checker.tools import semgrep

    checked = 0
    for root, files in _corpus():
        for hit in semgrep.run(root, files, SEMGREP_IDS, prefilter=False):
            anchor = semgrep.anchor_for(hit.check_id)
            assert anchor.search(hit.path.encode()) or anchor.search((root / hit.path).read_bytes()), hit
            checked += 1
    assert checked > 100


def test_prefilter_skips_files_without_anchors(tmp_path):
    from checker.tools import semgrep

    (tmp_path / "plain.py").write_text("import requests\nrequests.post('https://api.example.com/x')\n")
    (tmp_path / "ig.py").write_text("import requests\nrequests.post('https://api.ideogram.ai/generate')\n")
    (tmp_path / "hook.ts").write_text("app.post('/webhooks/stripe', (req, res) => res.send('ok'));\n")
    kept = semgrep.prefiltered(tmp_path, ["plain.py", "ig.py", "hook.ts"], SEMGREP_IDS)
    assert kept == ["ig.py", "hook.ts"]
    assert semgrep.prefiltered(tmp_path, ["plain.py", "ig.py", "hook.ts"], ["code-ideogram-no-timeout"]) == ["ig.py"]
