"""`ideogram-prod rollout`: start/analyze/promote/rollback/status of a canary, driven from CI, state in the cluster."""

from __future__ import annotations

import argparse
import getpass
import hashlib
import os
import re
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from checker.errors import CheckerError, ExitCode, UsageError
from checker.redact import REDACTOR

if TYPE_CHECKING:
    from checker.clients.kube import Kube
    from checker.config import ClusterTarget, Config
    from checker.rollout.analysis import Analysis
    from checker.rollout.report import RolloutReport
    from checker.rollout.service import Rollout
    from checker.rollout.state import RolloutState

NAME = "rollout"
_SECONDS = re.compile(r"\d+(?:\.\d+)?")  # a bare number is seconds


class RolloutFailed(CheckerError):
    """A gate breached, a stage missed its deadline, a rollout was refused or rolled back: exit 1."""

    exit_code = ExitCode.FAILED


def duration_s(text: str, flag: str) -> float:
    """A positive Go-style duration (30s, 10m, 1h30m) or a number of seconds."""
    import durationpy

    text = text.strip()
    try:
        seconds = float(text) if _SECONDS.fullmatch(text) else durationpy.from_str(text).total_seconds()
    except durationpy.DurationError:
        seconds = 0.0
    if not seconds > 0:
        raise UsageError(f"{flag}: expected a duration such as 30s, 10m or 1h, got {text!r}")
    return seconds


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    from checker.cli import Parser

    # NOTE: the light Literal table, not the strategies (they import the Kubernetes client: 0.15 s on every command).
    from checker.rollout.types import STRATEGY_NAMES as NAMES

    p = sub.add_parser(NAME, parents=[common], help="staged canary rollout with metric gates and rollback")
    actions = p.add_subparsers(dest="rollout_action", metavar="ACTION", parser_class=Parser)
    actions.required = True
    shared = Parser(add_help=False, parents=[common])
    shared.add_argument("--deployment", "-d", help="the stable Deployment (default: cluster.production.deployment)")
    shared.add_argument("--namespace", "-n", help="its namespace (default: cluster.production.namespace)")
    shared.add_argument("--container", help="container to change (default: cluster.production.container or the first)")
    shared.add_argument("--kubeconfig", help="kubeconfig file (default: config, $KUBECONFIG, ~/.kube/config)")
    shared.add_argument("--context", help="kubeconfig context")
    shared.add_argument("--config", type=Path, metavar="FILE", help="config file (default: ./.ideogram-prod.yaml)")
    shared.add_argument("--json", type=Path, metavar="FILE", help="write the JSON report")
    shared.add_argument("--summary", type=Path, metavar="FILE", help="write (append in Actions) the Markdown summary")

    start = actions.add_parser("start", parents=[shared], help="begin a rollout at --weight (default 10)")
    start.add_argument("--image", required=True, help="the new image")
    start.add_argument("--weight", type=int, default=10, help="first stage in percent (1-99, default 10)")
    start.add_argument("--strategy", choices=NAMES, help="default: rollout.strategy")
    start.add_argument("--id", dest="rollout_id", help="rollout id (default: from GITHUB_RUN_ID, or user+image)")
    start.add_argument("--force", action="store_true", help="take over a stale rollout of another run")
    start.add_argument("--stage-deadline", help="canary pods must be Ready within this (default: config, 600s)")
    start.set_defaults(handler=cmd_start)

    analyze = actions.add_parser("analyze", parents=[shared], help="gate the current stage; exit 1 at a breach")
    analyze.add_argument("--duration", default="10m", help="how long the stage must hold (default 10m)")
    analyze.add_argument("--deadline", help="an inconclusive stage is extended up to this, then follows "
                         "rollout.inconclusive (default: 3 x --duration)")
    analyze.add_argument("--interval", default="30s", help="time between evaluations (default 30s)")
    analyze.add_argument("--prometheus-url", help="Prometheus base URL (default: prometheus.url)")
    analyze.add_argument("--rollback-on-failure", action="store_true",
                         help="roll back at once when a gate fails or Prometheus keeps failing (and at an "
                         "inconclusive deadline with rollout.inconclusive: fail); never on hold (stable degraded too)")
    analyze.set_defaults(handler=cmd_analyze)

    promote = actions.add_parser("promote", parents=[shared], help="next stage: --weight 50, or 100 to finish")
    promote.add_argument("--weight", type=int, required=True, help="the new weight in percent; 100 promotes")
    promote.add_argument("--stage-deadline", help="canary pods must be Ready within this (default: config, 600s)")
    promote.set_defaults(handler=cmd_promote)

    rollback = actions.add_parser(
        "rollback", parents=[shared],
        help="undo one rollout (this run's, --id, or --active) from any stage; never touches another rollout")
    which = rollback.add_mutually_exclusive_group()
    which.add_argument("--id", dest="rollout_id",
                       help="the rollout to roll back (default in GitHub Actions: gh-$GITHUB_RUN_ID, this run's own)")
    which.add_argument("--active", action="store_true", help="the rollout in progress, whatever its id")
    rollback.add_argument("--timeout", help="wait this long for stable to serve (default: rollout.rollback_timeout_s)")
    rollback.set_defaults(handler=cmd_rollback)

    undo = actions.add_parser("undo", parents=[shared],
                              help="kubectl-style: the Deployment back to its previous revision (or --to-revision)")
    undo.add_argument("--to-revision", type=int, default=0, help="the Deployment revision to restore")
    undo.add_argument("--timeout", help="wait this long for it to serve (default: rollout.rollback_timeout_s)")
    undo.set_defaults(handler=cmd_undo)

    status = actions.add_parser("status", parents=[shared], help="where the rollout stands")
    status.set_defaults(handler=cmd_status)


# ------------------------------------------------------------------------------------------- context
class Ctx:
    """The CLI's side of a rollout command: arguments, config, and the one place that writes (the service's Io)."""

    def __init__(self, args: argparse.Namespace) -> None:
        from checker.config import load_config

        self.args = args
        self.config: Config = load_config(args.config, Path.cwd())
        prod = self.config.cluster.production
        self.target: ClusterTarget = prod.model_copy(update={
            k: v for k, v in {"deployment": args.deployment, "namespace": args.namespace, "container": args.container,
                              "kubeconfig": args.kubeconfig, "context": args.context}.items() if v is not None})
        self.cfg = self.config.rollout
        self._kube: Kube | None = None
        self.actions: list[str] = []

    @property
    def name(self) -> str:
        return self.target.deployment

    @property
    def kube(self) -> Kube:
        if self._kube is None:
            from checker.clients.kube import client_for

            self._kube = client_for(self.target)
        return self._kube

    @property
    def service(self) -> Rollout:
        from checker.rollout.service import Rollout

        return Rollout(self.kube, self.target, self.config, self)

    def say(self, text: str) -> None:
        text = REDACTOR(text)
        self.actions.append(text)
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def report(self, report: RolloutReport) -> None:
        from checker.commands.output import error_command, write_file, write_summary
        from checker.rollout.report import render_json, render_markdown

        report.deployment, report.namespace, report.actions = self.name, self.target.namespace, self.actions
        if report.verdict in ("fail", "error", "inconclusive", "hold") and os.environ.get("GITHUB_ACTIONS") == "true":
            error_command(f"ideogram-prod rollout {report.command}", report.reason or "a gate failed")
        if self.args.json or self.args.summary:
            # The stable Deployment's revision now: what a later `rollback --to-revision` can name.
            annotations = (self.kube.get("deployments", self.name) or {}).get("metadata", {}).get("annotations", {})
            revision = annotations.get("deployment.kubernetes.io/revision")
            report.revision = int(revision) if revision and revision.isdigit() else None
        if self.args.json:
            write_file(self.args.json, render_json(report))
        if self.args.summary:
            write_summary(self.args.summary, render_markdown(report))


def _kube_errors(run: Callable[[Ctx], int]) -> Callable[[argparse.Namespace], int]:
    """Kubernetes/state failures become one-line exit-1 errors; ^C/SIGTERM become 130 with the record intact."""
    def wrapped(args: argparse.Namespace) -> int:
        from checker.clients.kube import KubeError
        from checker.rollout.driver import StageFailed
        from checker.rollout.service import RolloutFailed as ServiceFailed
        from checker.rollout.state import StateConflict
        from checker.rollout.undo import UndoError

        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            return run(Ctx(args))
        except KubeError as exc:
            raise RolloutFailed(f"Kubernetes API: {exc}") from None
        except (StageFailed, StateConflict, UndoError, ServiceFailed) as exc:
            raise RolloutFailed(str(exc)) from None
        finally:
            signal.signal(signal.SIGTERM, previous)

    return wrapped


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    # GitHub sends SIGINT, then SIGTERM 7.5 s later: both end the same way (record intact, exit 130).
    raise KeyboardInterrupt


def default_id(image: str, name: str) -> str:
    run = os.environ.get("GITHUB_RUN_ID")
    if run:
        return f"gh-{run}"
    try:
        who = f"{getpass.getuser()}@{socket.gethostname()}"
    except (OSError, KeyError):
        who = "unknown"
    return "local-" + hashlib.sha256(f"{who}|{name}|{image}".encode()).hexdigest()[:10]


def _check_weight(weight: int, allow_100: bool) -> None:
    hi = 100 if allow_100 else 99
    if not 1 <= weight <= hi:
        raise UsageError(f"--weight: must be within 1..{hi}")


def _deadline(ctx: Ctx) -> float:
    raw = getattr(ctx.args, "stage_deadline", None)
    return duration_s(raw, "--stage-deadline") if raw else float(ctx.cfg.stage_deadline_s)


def _timeout(ctx: Ctx) -> float:
    return duration_s(ctx.args.timeout, "--timeout") if ctx.args.timeout else float(ctx.cfg.rollback_timeout_s)


# ------------------------------------------------------------------------------------------- commands
@_kube_errors
def cmd_start(ctx: Ctx) -> int:
    args = ctx.args
    _check_weight(args.weight, allow_100=False)
    rid = args.rollout_id or default_id(args.image, ctx.name)
    return ctx.service.start(args.image, args.weight, args.strategy or ctx.cfg.strategy, rid, args.force,
                             _deadline(ctx)).exit_code


@_kube_errors
def cmd_promote(ctx: Ctx) -> int:
    _check_weight(ctx.args.weight, allow_100=True)
    return ctx.service.promote(ctx.args.weight, _deadline(ctx)).exit_code


@_kube_errors
def cmd_analyze(ctx: Ctx) -> int:
    from rich.console import Console

    duration = duration_s(ctx.args.duration, "--duration")
    interval = duration_s(ctx.args.interval, "--interval")
    deadline = duration_s(ctx.args.deadline, "--deadline") if ctx.args.deadline else 3 * duration
    if deadline < duration:
        raise UsageError("--deadline: must not be shorter than --duration")
    url = ctx.args.prometheus_url or ctx.config.prometheus.url
    if not url:
        raise UsageError("--prometheus-url: no Prometheus configured (prometheus.url)")
    err = Console(stderr=True, highlight=False)

    def progress(state: RolloutState, result: Analysis, left: float) -> None:
        by = {e.gate: e for e in result.last}

        def v(key: str, scale: float = 1.0) -> str:
            e = by.get(key)
            return "–" if e is None or e.value is None else f"{e.value * scale:.3g}"

        open_gates = [e for e in result.last if e.verdict != "pass"]
        line = (f"[{state.weight}%] {left:4.0f}s left · 5xx/min {v('api_down')} · p99 {v('high_latency', 1000)} ms · "
                f"5xx ratio {v('compare-5xx')} · calls {by['compare-5xx'].samples if 'compare-5xx' in by else '–'}"
                + (f" · {', '.join(f'{e.gate} {e.verdict}' for e in open_gates)}" if open_gates else " · all pass"))
        err.print(REDACTOR(line))

    return ctx.service.analyze(url, duration, deadline, interval, ctx.args.rollback_on_failure, progress).exit_code


@_kube_errors
def cmd_rollback(ctx: Ctx) -> int:
    rid: str | None = ctx.args.rollout_id
    if rid is None and not ctx.args.active:
        run = os.environ.get("GITHUB_RUN_ID")
        if not run:
            raise UsageError("--id: name the rollout to roll back (`rollout status` shows it), or --active for the one "
                             "in progress; `rollout undo` returns the Deployment to its previous revision")
        rid = f"gh-{run}"  # the id `start` gives in this run: a workflow's rollback job undoes only its own rollout
    return ctx.service.rollback(rid, _timeout(ctx)).exit_code


@_kube_errors
def cmd_undo(ctx: Ctx) -> int:
    if ctx.args.to_revision < 0:
        raise UsageError("--to-revision: must be 0 or more")
    return ctx.service.undo(ctx.args.to_revision, _timeout(ctx)).exit_code


@_kube_errors
def cmd_status(ctx: Ctx) -> int:
    return ctx.service.status().exit_code
