"""tests-pass: run the project's own test suite, because a green static scan says nothing about behaviour."""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from checker.checks.base import NativeContext, Outcome
from checker.config import CONFIG_NAME, TestsConfig
from checker.errors import ToolError
from checker.redact import REDACTOR
from checker.tools import Hit

CHECK_ID = "tests-pass"
TAIL_LINES = 20
MAX_LINE = 300
NPM_DEFAULT_TEST = "no test specified"  # `npm init` writes: echo "Error: no test specified" && exit 1
PYTEST_NO_TESTS = 5  # pytest's exit code when it collected nothing
NOT_FOUND = 127  # a shell's "command not found": the toolchain is missing, the tests never ran

_SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|(^|_)AUTH|^ACTIONS_",
    re.IGNORECASE)
_URL_CREDENTIALS = re.compile(r"://[^/@\s:]+:[^/@\s]+@")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# Key-shaped tokens: 12+ word characters mixing upper case, lower case and digits (paths and identifiers don't).
_TOKEN = re.compile(r"(?<![A-Za-z0-9_\-])[A-Za-z0-9_\-]{12,}(?![A-Za-z0-9_\-])")
# pytest shortens a long repr to its two ends, 'ik_Abc12...xY9z': each end alone may look harmless.
_TRUNCATED = re.compile(r"(?<![A-Za-z0-9_\-])([A-Za-z0-9_\-+/=]{4,})\.\.\.([A-Za-z0-9_\-+/=]{4,})(?![A-Za-z0-9_\-])")
MASK = "***"
_JS_TEST = re.compile(r"(^|/)(__tests__/|[^/]+\.(test|spec)\.[cm]?[jt]sx?$)")
_PYTEST_FAILED = re.compile(r"^(?:FAILED|ERROR) (?P<path>[^\s:]+\.py)(?:::|\s|$)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Plan:
    """What to run and which file to blame when it fails."""

    argv: tuple[str, ...]
    label: str
    path: str
    line: int
    detected_pytest: bool = False


# The runner's own variables never reach the PR's tests: GITHUB_ENV, GITHUB_OUTPUT, GITHUB_PATH and
# GITHUB_STEP_SUMMARY name files through which a step rewrites the rest of the job, and GITHUB_TOKEN,
# ACTIONS_RUNTIME_TOKEN & co. are credentials. Only this allowlist (and LC_*) is passed on.
ENV_ALLOWLIST = frozenset({
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TERM", "TMPDIR", "TMP", "TEMP", "CI",
    "VIRTUAL_ENV", "CONDA_PREFIX", "pythonLocation", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH", "JAVA_HOME",
    "GOROOT", "GOPATH", "GOCACHE", "GOMODCACHE", "NODE_OPTIONS", "NVM_DIR", "PNPM_HOME",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS",
    "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
})
REFUSED_EVENT = "pull_request_target"


def allowed(name: str) -> bool:
    return name in ENV_ALLOWLIST or name.startswith("LC_")


def clean_env(environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """An allowlisted env without credentials; returns it and the credential values left out (to redact)."""
    env: dict[str, str] = {}
    removed: list[str] = []
    for name, value in environ.items():
        if _SECRET_NAME.search(name) or _URL_CREDENTIALS.search(value):
            removed.append(value)
        elif allowed(name):
            env[name] = value
    env.setdefault("CI", "true")  # NOTE: keeps watch-mode runners (react-scripts, vitest) from waiting for input
    env.setdefault("npm_config_update_notifier", "false")  # no registry call from a test run
    env.setdefault("npm_config_fund", "false")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["NO_COLOR"] = "1"
    env["FORCE_COLOR"] = "0"
    return env, removed


def _entropy(value: str) -> float:
    return -sum(value.count(c) / len(value) * math.log2(value.count(c) / len(value)) for c in set(value))


def looks_secret(token: str) -> bool:
    """A test that prints a key (a failed assert on a config value) must not put it in our report."""
    return (any(c.isupper() for c in token) and any(c.islower() for c in token) and any(c.isdigit() for c in token)
            and _entropy(token) >= 3.0)


def mask_tokens(text: str) -> str:
    text = _TRUNCATED.sub(
        lambda m: f"{MASK}...{MASK}" if looks_secret(m.group(1) + m.group(2)) else m.group(0), text)
    return _TOKEN.sub(lambda m: MASK if looks_secret(m.group(0)) else m.group(0), text)


def output_tail(output: str, lines: int = TAIL_LINES) -> str:
    """The last lines worth reading: no colour codes, no trailing blanks, long lines cut, secrets masked."""
    kept = [_ANSI.sub("", line).rstrip() for line in REDACTOR(output).splitlines()]
    while kept and not kept[-1]:
        kept.pop()
    tail = [line if len(line) <= MAX_LINE else line[:MAX_LINE] + "…" for line in kept[-lines:]]
    return mask_tokens("\n".join(tail))


def is_real_npm_test(script: object) -> bool:
    return isinstance(script, str) and bool(script.strip()) and NPM_DEFAULT_TEST not in script


def _line_of(root: Path, path: str, pattern: str) -> int:
    try:
        for number, line in enumerate((root / path).read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(pattern, line):
                return number
    except (OSError, UnicodeDecodeError):
        pass
    return 0


def is_python_test(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py")


def python_for(root: Path, env: Mapping[str, str]) -> str | None:
    """The project's interpreter: its own venv, then an activated one, then python3/python on PATH."""
    for venv in (".venv", "venv"):
        candidate = root / venv / "bin" / "python"
        if candidate.is_file():
            return str(candidate)
    active = env.get("VIRTUAL_ENV")
    if active and (Path(active) / "bin" / "python").is_file():
        return str(Path(active) / "bin" / "python")
    for name in ("python3", "python"):
        found = shutil.which(name, path=env.get("PATH"))
        if found:
            return found
    return None


def plan_for(root: Path, files: Sequence[str], cfg: TestsConfig, env: Mapping[str, str]) -> Plan | None:
    """Configured command, else `npm test` (a real test script), else pytest (Python tests exist), else None."""
    if cfg.command is not None:
        try:
            argv = tuple(shlex.split(cfg.command))
        except ValueError as exc:
            raise ToolError(f"tests.command cannot be split into arguments: {exc}") from None
        if not argv:
            raise ToolError("tests.command is empty")
        origin = CONFIG_NAME if (root / CONFIG_NAME).is_file() else "."
        line = _line_of(root, origin, r"^\s*command\s*:") if origin != "." else 0
        return Plan(argv, shlex.join(argv), origin, line)
    if "package.json" in files:
        try:
            scripts = json.loads((root / "package.json").read_text(encoding="utf-8")).get("scripts") or {}
        except (OSError, UnicodeDecodeError, ValueError, AttributeError):
            scripts = {}
        if isinstance(scripts, dict) and is_real_npm_test(scripts.get("test")):
            return Plan(("npm", "test"), "npm test", "package.json", _line_of(root, "package.json", r'"test"\s*:'))
    if any(is_python_test(f) for f in files):
        python = python_for(root, env)
        if python is None:
            raise ToolError("Python tests found but no python3/python on PATH to run pytest")
        return Plan((python, "-m", "pytest", "-p", "no:cacheprovider"), "python -m pytest", ".", 0,
                    detected_pytest=True)
    return None


def resolve(argv0: str, root: Path, env: Mapping[str, str]) -> str:
    """The executable to start; ToolError (the `error` result) when the toolchain is not installed."""
    if "/" in argv0:
        path = (root / argv0) if not os.path.isabs(argv0) else Path(argv0)
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        raise ToolError(f"{argv0} does not exist or is not executable")
    found = shutil.which(argv0, path=env.get("PATH"))
    if found is None:
        raise ToolError(f"`{argv0}` is not installed or not on PATH, so the tests cannot run")
    return found


@dataclass(frozen=True, slots=True)
class RunResult:
    returncode: int | None  # None: stopped at the timeout
    output: str
    seconds: float


def execute(argv: Sequence[str], root: Path, env: Mapping[str, str], timeout_s: int) -> RunResult:
    """Runs argv in its own process group (no shell, no stdin) and kills the whole group at the timeout, and
    whatever is left of it when the runner exits."""
    start = time.monotonic()
    try:
        proc = subprocess.Popen(list(argv), cwd=root, env=dict(env), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as exc:
        raise ToolError(f"cannot start {argv[0]}: {exc.strerror}") from None
    try:
        raw, _ = proc.communicate(timeout=timeout_s)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        # NOTE: a finished runner whose leftover child still holds stdout is not a timeout of the tests.
        code = proc.poll()
        _kill_group(proc.pid)
        raw, _ = proc.communicate()
    # The PR's code must not outlive its run (a leftover child could rewrite the reports we write next).
    _kill_group(proc.pid)
    return RunResult(code, raw.decode("utf-8", errors="replace"), time.monotonic() - start)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _blame(plan: Plan, output: str, root: Path, files: Sequence[str]) -> tuple[str, int]:
    """A failing pytest run points at its first failing test file (and line, if the traceback names it)."""
    if "pytest" in plan.argv:
        match = _PYTEST_FAILED.search(_ANSI.sub("", output))
        if match and match.group("path") in files:
            path = match.group("path")
            where = re.search(rf"^{re.escape(path)}:(\d+):", output, re.MULTILINE)
            return path, int(where.group(1)) if where else 0
    return plan.path, plan.line


def suite_size(files: Sequence[str]) -> int:
    """How many test files the suite holds, for the report's "read" count (at least the command itself)."""
    return max(1, sum(1 for f in files if is_python_test(f) or _JS_TEST.search(f)))


def run(ctx: NativeContext) -> Outcome:
    """The scan runs this after every scanner has finished (it runs the PR's code, which may rewrite files)."""
    if CHECK_ID not in ctx.check_ids:
        return Outcome()
    cfg = ctx.config.tests
    if not cfg.enabled:
        return Outcome(skipped={CHECK_ID: "not enabled: tests-pass runs the pull request's own code, so it is "
                                          "opt-in (set tests.enabled: true in a workflow without secrets)"})
    if os.environ.get("GITHUB_EVENT_NAME") == REFUSED_EVENT:
        raise ToolError("refused under pull_request_target: the tests are the pull request's code and this event "
                        "gives them the base repository's secrets and a write token; run them from a "
                        "`pull_request` workflow")
    if os.environ.get("IDEOGRAM_PROD_CONTAINER") == "1":
        # The checker image holds none of the project's toolchain or dependencies: a red result here
        # would say nothing about the project. With the action, `runtime: host` runs it.
        return Outcome(skipped={CHECK_ID: "not run inside the checker container (it lacks the project's "
                                          "toolchain); use the action's `runtime: host` or run it on the host"})
    env, removed = clean_env(os.environ)
    for value in removed:
        REDACTOR.register(value)
    plan = plan_for(ctx.root, ctx.files, cfg, env)
    if plan is None:
        return Outcome(skipped={CHECK_ID: "no test suite found: set tests.command, define a `test` script in "
                                          "package.json, or add pytest tests"},
                       not_applicable=frozenset({CHECK_ID}))
    argv = (resolve(plan.argv[0], ctx.root, env), *plan.argv[1:])
    result = execute(argv, ctx.root, env, cfg.timeout_s)
    tail = output_tail(result.output)
    took = f"{result.seconds:.1f} s"
    read = {CHECK_ID: suite_size(ctx.files)}
    if result.returncode == 0:
        return Outcome(notes={CHECK_ID: f"`{plan.label}` passed in {took}"}, read=read)
    if result.returncode == NOT_FOUND or (plan.detected_pytest and "No module named pytest" in result.output):
        last = tail.splitlines()[-1] if tail else ""
        raise ToolError(f"`{plan.label}` could not start its test runner (exit {result.returncode}: {last}); "
                        f"install the project's dependencies first")
    if plan.detected_pytest and result.returncode == PYTEST_NO_TESTS:
        return Outcome(skipped={CHECK_ID: "pytest collected no tests"}, not_applicable=frozenset({CHECK_ID}))
    if result.returncode is None:
        what = f"`{plan.label}` timed out after {cfg.timeout_s} s (tests.timeout_s) and was stopped"
    else:
        what = f"`{plan.label}` failed (exit {result.returncode}) after {took}"
    path, line = _blame(plan, result.output, ctx.root, ctx.files)
    message = f"{what}; last lines of its output:\n{tail}" if tail else f"{what}; it printed nothing"
    return Outcome([Hit(CHECK_ID, path, line, line, f"command:{plan.label}", message)],
                   notes={CHECK_ID: what}, read=read)
