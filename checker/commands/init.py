"""`ideogram-prod init`: write the config, runbook, alert rules, metrics snippet and workflows a team needs to get
green, for the stack the repository shows (Python, TS/JS, Kubernetes)."""

from __future__ import annotations

import argparse
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

from checker.commands.output import say, write_file
from checker.errors import InputError
from checker.redact import REDACTOR
from checker.stack import Stack, detect

NAME = "init"
# The marker the docs-* checks report until a person replaces it (checker/checks/static/docs.py).
TODO_MARKER = "TODO(ideogram-prod):"
RUNBOOK = "docs/RUNBOOK.md"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(NAME, parents=[common], help="detect the stack and write a starter config, runbook, alert "
                       "rules, metrics snippet and workflows (never overwrites without --force)")
    p.add_argument("path", nargs="?", default=".", help="repository to initialise (default: .)")
    p.add_argument("--force", action="store_true", help="overwrite files that already exist")
    p.set_defaults(handler=run)


def template(name: str) -> str:
    return (resources.files("checker") / "templates" / name).read_text(encoding="utf-8")


def for_platform(text: str, kubernetes: bool) -> str:
    """Keep one side of each `<!-- if kubernetes -->` / `<!-- else -->` / `<!-- end -->` block of a template."""
    out: list[str] = []
    side: str | None = None
    for line in text.splitlines(keepends=True):
        marker = line.strip()
        if marker in ("<!-- if kubernetes -->", "<!-- else -->", "<!-- end -->"):
            side = {"<!-- if kubernetes -->": "if", "<!-- else -->": "else", "<!-- end -->": None}[marker]
            continue
        if side is None or (side == "if") == kubernetes:
            out.append(line)
    return "".join(out)


def _runbook(_: Path, stack: Stack) -> str:
    return for_platform(template("RUNBOOK.md.tmpl"), bool(stack.kubernetes))


def _alert_rules(root: Path, _: Stack) -> str:
    from checker.alerts import render
    from checker.config import load_config
    from checker.contract import alert_specs

    # An existing config's query overrides and runbook link shape the rules; else the defaults.
    alerts = load_config(None, root).alerts
    return render(alert_specs(alerts.queries), alerts.runbook_url)


def _schema(_: Path, __: Stack) -> str:
    from checker.config import config_schema

    # The same text as `ideogram-prod config-schema`: the config's modeline points editors at it.
    return json.dumps(config_schema(), indent=2, sort_keys=True) + "\n"


def _always(_: Stack) -> bool:
    return True


def _kubernetes(stack: Stack) -> bool:
    return bool(stack.kubernetes)


@dataclass(frozen=True, slots=True)
class Starter:
    """One file init may write: where, how its text is made, and for which stacks."""

    rel: str
    produce: Callable[[Path, Stack], str]
    wanted: Callable[[Stack], bool] = _always


# The order is the order of the report. A repository with no Python or TS/JS evidence gets both snippets.
FILES: tuple[Starter, ...] = (
    Starter(".ideogram-prod.yaml", lambda *_: template("ideogram-prod.yaml.tmpl")),
    Starter(".ideogram-prod.schema.json", _schema),
    Starter(RUNBOOK, _runbook),
    Starter("monitoring/ideogram-alerts.rules.yml", _alert_rules),
    Starter("docs/instrumentation/ideogram_metrics.py", lambda *_: template("ideogram_metrics.py.tmpl"),
            lambda s: bool(s.python) or not s.node),
    Starter("docs/instrumentation/ideogram_metrics.ts", lambda *_: template("ideogram_metrics.ts.tmpl"),
            lambda s: bool(s.node) or not s.python),
    Starter(".github/workflows/ideogram-prod.yml", lambda *_: template("pr-gate.yml")),
    Starter(".github/workflows/ideogram-prod-deploy.yml", lambda *_: template("deploy.yml"), _kubernetes),
    Starter(".github/workflows/ideogram-prod-rollback.yml", lambda *_: template("rollback.yml"), _kubernetes),
)


# GitHub reads the first of these it finds.
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


def codeowners_advice(root: Path, baseline: str) -> str:
    """Lines to give the gate's own files a code owner; printed, never written over a team's CODEOWNERS."""
    lines = template("CODEOWNERS.tmpl").replace("{baseline}", baseline).splitlines()
    existing = next((root / p for p in CODEOWNERS_PATHS if (root / p).is_file()), None)
    if existing is None:
        return ("No CODEOWNERS yet. Suggested .github/CODEOWNERS (the PR gate's own settings need a reviewer):\n"
                + "".join(f"  {line}\n" for line in lines))
    try:
        have = existing.read_text(encoding="utf-8", errors="replace")
    except OSError:
        have = ""
    rules = [line for line in lines if line and not line.startswith("#")]
    missing = [line for line in rules if line.split()[0] not in have]
    where = existing.relative_to(root).as_posix()
    if not missing:
        return f"{where} names an owner for each of the gate's own settings files.\n"
    return (f"{where} exists (left as it is); add owners for the gate's own settings:\n"
            + "".join(f"  {line}\n" for line in missing))


def _link_on_the_way(root: Path, rel: str) -> str | None:
    """The first path from root down to root/rel that is a symlink (relative), else None."""
    here = root
    for part in PurePosixPath(rel).parts:
        here = here / part
        try:
            if stat.S_ISLNK(here.lstat().st_mode):
                return here.relative_to(root).as_posix()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise InputError(f"{rel}: cannot inspect {here.relative_to(root).as_posix()}: {exc.strerror}") from None
    return None


def _refuse_link(rel: str, link: str) -> InputError:
    return InputError(f"{rel}: {link} is a symlink; init writes only inside the repository and never through a "
                      "link (remove the link, or run init on the real directory)")


def write_inside(root: Path, rel: str, text: str) -> None:
    """Create rel's parents and rel under root without following a symlink anywhere on the way.

    The check before (`_link_on_the_way`) gives the clear message; this closes the race after it: every
    directory is opened with O_NOFOLLOW relative to its parent, and so is the file.
    """
    if not hasattr(os, "O_NOFOLLOW") or os.open not in os.supports_dir_fd:  # Windows: no dir_fd
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        write_file(root / rel, text)
        return
    parts = PurePosixPath(rel).parts
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            try:
                os.mkdir(part, dir_fd=fd)
            except FileExistsError:
                pass
            child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = child
        out = os.open(parts[-1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644, dir_fd=fd)
    except OSError as exc:
        raise InputError(f"{rel}: cannot write: {exc.strerror} (init never writes through a symlink)") from None
    finally:
        os.close(fd)
    with os.fdopen(out, "w", encoding="utf-8") as fh:
        fh.write(REDACTOR(text))


def _action_page() -> str:
    from checker.docs_links import REPOSITORY, release_tag

    return f"https://github.com/{REPOSITORY}/blob/{release_tag()}/docs/action.md"


def describe(stack: Stack) -> str:
    """What init found and what it means for the files it writes. The evidence is a file name from the repository:
    printed as one visible line (a newline or a terminal escape in a directory name is shown, not obeyed)."""
    from checker.reporters.text import one_line

    found = [f"{name} ({one_line(evidence)})" for name, evidence in (("Python", stack.python), ("TS/JS", stack.node))
             if evidence]
    lines = [f"Detected: {', '.join(found)}." if found else
             "Detected: no Python or TS/JS project file (pyproject.toml, requirements*.txt, setup.py, package.json, "
             "tsconfig.json): writing both metrics snippets."]
    if stack.kubernetes:
        lines.append(f"Kubernetes: {one_line(stack.kubernetes)}; writing the deploy (canary) and rollback workflows.")
    else:
        lines.append("Kubernetes: no manifests found (kind: Deployment, kustomization.yaml, Chart.yaml); the deploy "
                     "and rollback workflows drive a Kubernetes canary, so they are not written (if your "
                     f"manifests live in another repository, copy them from {_action_page()}).")
    return "".join(line + "\n" for line in lines)


def run(args: argparse.Namespace) -> int:
    root = Path(args.path)
    if not root.is_dir():
        raise InputError(f"{args.path}: no such directory")
    root = root.resolve()
    from checker.config import load_config

    # An existing config that does not validate stops us before anything is written.
    baseline = load_config(None, root).secrets.baseline
    stack = detect(root)
    say(describe(stack))
    # Plan first: a link on the way to any file stops the run before the first write.
    plan: list[tuple[Starter, bool, str]] = []
    for starter in (s for s in FILES if s.wanted(stack)):
        link = _link_on_the_way(root, starter.rel)
        existed = os.path.lexists(root / starter.rel)
        if existed and not args.force:
            why = "a symlink; init never writes through links" if link else "exists; --force overwrites"
            say(f"skipped   {starter.rel} ({why})\n")
            continue
        if link is not None:
            raise _refuse_link(starter.rel, link)
        if existed and not (root / starter.rel).is_file():
            raise InputError(f"{starter.rel}: exists and is not a regular file; init will not replace it")
        plan.append((starter, existed, starter.produce(root, stack)))
    for starter, existed, text in plan:
        write_inside(root, starter.rel, text)
        say(f"{'overwrote' if existed else 'wrote':<9} {starter.rel}\n")
    wanted = sum(1 for s in FILES if s.wanted(stack))
    written = {s.rel for s, _, _ in plan}
    snippets = " and ".join(s.rel for s in FILES if s.rel.startswith("docs/instrumentation/") and s.wanted(stack))
    steps = [f"replace each `{TODO_MARKER}` line in {RUNBOOK} (the docs-* checks report it until you do)"
             if RUNBOOK in written else f"check that {RUNBOOK} covers incidents, key rotation, rollback, escalation",
             f"wire {snippets} into your Ideogram client",
             "load monitoring/ideogram-alerts.rules.yml into Prometheus",
             "commit .github/workflows/ and make `ideogram-prod check` a required status check",
             "run `ideogram-prod check`"]
    say(f"{len(plan)} file(s) written, {wanted - len(plan)} skipped. Next: " + "; ".join(steps) + ".\n")
    say(codeowners_advice(root, baseline))
    return 0
