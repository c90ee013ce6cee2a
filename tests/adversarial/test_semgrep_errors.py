"""Attack family: make semgrep fail or give up on a file (a timeout, a crash, output that is not its JSON, no binary)
and hope the gate counts that as a pass. Every one must be an `error` for the code checks, exit 1."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from checker.errors import ToolError
from checker.tools import semgrep
from tests.adversarial.hostile import KEY, GateRun, gate, hostile_repo

CODE = "code-ideogram-key-logged"
LOGS_KEY = 'import logging\nimport os\n\nKEY = os.environ["IDEOGRAM_API_KEY"]\nlogging.info(KEY)\n'


def _error_of(run: GateRun, check_id: str) -> str:
    assert run.returncode == 1, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    result = {r["check_id"]: r for r in run.report["results"]}[check_id]  # type: ignore[index, union-attr]
    assert result["status"] == "error", result
    return str(result["reason"])


def _output(errors: list[dict[str, object]], results: list[dict[str, object]] | None = None) -> bytes:
    return json.dumps({"results": results or [], "errors": errors, "paths": {"scanned": ["/r/a.py"]}}).encode()


# Error records as semgrep 1.185 writes them (captured from real runs; messages shortened, code elided).
PARTIAL = {"code": 3, "level": "warn", "type": ["PartialParsing", [{"path": "/r/a.py"}]], "path": "/r/a.py",
           "message": "Syntax error at line /r/a.py:6: `<code>` was unexpected"}
FATAL_CASES = [
    {"code": 2, "level": "warn", "type": "Timeout", "rule_id": "code-ideogram-key-logged-py", "path": "/r/a.py",
     "message": "Timeout when running code-ideogram-key-logged-py on /r/a.py"},
    {"code": 2, "level": "warn", "type": "Out of memory", "rule_id": "r", "path": "/r/a.py", "message": "OOM"},
    {"code": 3, "level": "warn", "type": "Syntax error", "path": "/r/a.py", "message": "`<code>` was unexpected"},
    {"code": 3, "level": "warn", "type": "Lexical error", "path": "/r/a.py", "message": "bad token"},
    {"code": 2, "level": "error", "type": "Fatal error", "path": "/r/a.py", "message": "Stack overflow"},
    {"code": 2, "level": "warn", "type": "Too many matches", "rule_id": "r", "path": "/r/a.py", "message": "..."},
    {"code": 2, "level": "error", "type": "SemgrepError", "message": "Invalid scanning root: /r/a.py"},
    {"code": 2, "level": "info", "type": "Something new", "path": "/r/a.py", "message": "?"},
]


@pytest.mark.parametrize("error", FATAL_CASES, ids=lambda e: str(e["type"]))
def test_every_file_error_but_a_partial_parse_is_fatal(error: dict[str, object]) -> None:
    with pytest.raises(ToolError) as caught:
        semgrep.parse_output(_output([PARTIAL, error]), {"/r/a.py": "a.py"})
    text = str(caught.value)
    assert "<code>" not in text and "Invalid scanning root" not in text  # semgrep's message may quote code
    if "path" in error:
        assert text.startswith("a.py: ")


def test_a_partial_parse_keeps_the_results() -> None:
    hit = {"check_id": "r", "path": "/r/a.py", "start": {"line": 2}, "end": {"line": 2},
           "extra": {"message": "m", "metadata": {"check_id": CODE}, "lines": "x"}}
    hits = semgrep.parse_output(_output([PARTIAL], [hit]), {"/r/a.py": "a.py"})
    assert [(h.check_id, h.path, h.line) for h in hits] == [(CODE, "a.py", 2)]


@pytest.mark.parametrize("raw", [b"", b"not json", b'{"errors": []}', b'{"results": [{"path": 1}]}'])
def test_output_that_is_not_semgrep_json_is_an_error(raw: bytes) -> None:
    with pytest.raises(ToolError):
        semgrep.parse_output(raw, {})


def test_a_result_for_a_file_we_did_not_give_is_an_error() -> None:
    hit = {"check_id": "r", "path": "/elsewhere.py", "start": {"line": 1}, "end": {"line": 1}, "extra": {}}
    with pytest.raises(ToolError):
        semgrep.parse_output(_output([], [hit]), {"/r/a.py": "a.py"})


def test_a_real_timeout_is_an_error_naming_the_file(tmp_path: Path) -> None:
    """The issue's case, made quick: a large generated file that logs the key, with semgrep's per-rule timeout
    at 1 s instead of 30 (the 600 KB file took 100 s with the real timeout: a warn-level Timeout, then a pass)."""
    body = "".join(f"def f{i}(a):\n    b = a + {i}\n    logging.info('x %s', b)\n" for i in range(8000))
    (tmp_path / "gen.py").write_text(LOGS_KEY + body + "logging.info(KEY)\n")
    with pytest.raises(ToolError, match=r"^gen\.py: semgrep could not check this file: Timeout"):
        semgrep.run(tmp_path, ["gen.py"], [CODE], timeout=1)


@pytest.mark.parametrize("semgrep_exe", ["/nonexistent/semgrep", "/bin/false", "garbage"])
def test_missing_crashing_or_garbling_semgrep_is_an_error(tmp_path: Path, semgrep_exe: str) -> None:
    if semgrep_exe == "garbage":  # a semgrep that exits 0 after writing something that is not its JSON
        script = tmp_path / "semgrep-garbage"
        script.write_text(f"#!{sys.executable}\nimport sys\n"
                          "open(sys.argv[sys.argv.index('--output') + 1], 'w').write('{\"results\": ')\n")
        script.chmod(0o755)
        semgrep_exe = str(script)
    repo = hostile_repo(tmp_path, {"app.py": LOGS_KEY, "config.py": f'IDEOGRAM_API_KEY = "{KEY}"\n'})
    run = gate(repo, "--select", f"{CODE},secret-ideogram-key", env={"IDEOGRAM_PROD_SEMGREP": semgrep_exe})
    reason = _error_of(run, CODE)
    assert "semgrep" in reason


def test_a_named_file_semgrep_did_not_scan_is_an_error() -> None:
    """Whatever the reason (a size, binary or ignore filter in some semgrep version), a file the rules must read
    and semgrep leaves out of `paths.scanned` is an error naming it."""
    raw = json.dumps({"results": [], "errors": [], "paths": {"scanned": ["/r/a.py"]}}).encode()
    names = {"/r/a.py": "a.py", "/r/b.py": "b.py"}
    with pytest.raises(ToolError, match=r"^b\.py: semgrep skipped"):
        semgrep.parse_output(raw, names, must_scan=["/r/a.py", "/r/b.py"])
    assert semgrep.parse_output(raw, names, must_scan=["/r/a.py"]) == []


def test_every_language_of_the_pack_is_checked_for_skips() -> None:
    rules = tuple(sorted(semgrep.rules_dir().glob("code-*.yaml")))
    assert set(semgrep.sure_suffixes(rules) or ()) >= {".py", ".js", ".ts"}
