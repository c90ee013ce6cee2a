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
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import CheckerError, ExitCode, InputError, UsageError
from checker.redact import REDACTOR

if TYPE_CHECKING:
    from checker.config import ClusterTarget, Config
    from checker.rollout.kube import Kube
    from checker.rollout.state import RolloutState

NAME = "rollout"
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")


class RolloutFailed(CheckerError):
    """A gate breached, a stage missed its deadline, a rollout was refused or rolled back: exit 1."""

    exit_code = ExitCode.FAILED


def duration_s(text: str, flag: str) -> float:
    m = _DURATION.match(text.strip())
    if not m or float(m.group(1)) <= 0:
        raise UsageError(f"{flag}: expected a duration such as 30s, 10m or 1h, got {text!r}")
    return float(m.group(1)) * {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600}[m.group(2)]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    from checker.cli import Parser

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
    start.add_argument("--strategy", choices=("replicas", "gateway", "rolling"), help="default: rollout.strategy")
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
            from checker.rollout.kube import client_for

            self._kube = client_for(self.target)
        return self._kube

    def say(self, text: str) -> None:
        text = REDACTOR(text)
        self.actions.append(text)
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def stable(self) -> dict[str, Any]:
        d = self.kube.get("deployments", self.name)
        if d is None:
            raise InputError(f"deployment/{self.name} not found in namespace {self.target.namespace}")
        return d

    def report(self, data: dict[str, Any]) -> None:
        from checker.cli import _write, write_summary
        from checker.rollout.report import render_json, render_markdown

        data = {"deployment": self.name, "namespace": self.target.namespace, "actions": self.actions, **data}
        if data.get("verdict") == "fail" and os.environ.get("GITHUB_ACTIONS") == "true":
            from checker.reporters.github import escape_data

            reason = REDACTOR(str(data.get("reason") or "a gate failed"))
            sys.stdout.write(f"::error title=ideogram-prod rollout {data.get('command', '')}::{escape_data(reason)}\n")
        if self.args.json or self.args.summary:
            # The stable Deployment's revision now: what a later `rollback --to-revision` can name.
            annotations = (self.kube.get("deployments", self.name) or {}).get("metadata", {}).get("annotations", {})
            revision = annotations.get("deployment.kubernetes.io/revision")
            data.setdefault("revision", int(revision) if revision and revision.isdigit() else None)
        if self.args.json:
            _write(self.args.json, render_json(data))
        if self.args.summary:
            write_summary(self.args.summary, render_markdown(data))


def _state_data(state: RolloutState | None) -> dict[str, Any]:
    if state is None:
        return {}
    return {"rollout_id": state.rollout_id, "strategy": state.strategy, "weight": state.weight, "share": state.share,
            "from_image": state.from_image, "to_image": state.to_image, "phase": str(state.phase),
            "from_revision": state.from_revision}


def _kube_errors(run: Any) -> Any:
    """Kubernetes/state failures become one-line exit-1 errors; ^C/SIGTERM become 130 with the record intact."""
    def wrapped(args: argparse.Namespace) -> int:
        from checker.rollout.driver import StageFailed
        from checker.rollout.kube import KubeError
        from checker.rollout.state import StateConflict
        from checker.rollout.undo import UndoError

        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            return int(run(Ctx(args)))
        except KubeError as exc:
            raise RolloutFailed(f"Kubernetes API: {exc}") from None
        except (StageFailed, StateConflict, UndoError) as exc:
            raise RolloutFailed(str(exc)) from None
        finally:
            signal.signal(signal.SIGTERM, previous)

    return wrapped


def _raise_interrupt(signum: int, frame: Any) -> None:
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


def _who() -> str:
    actor, run = os.environ.get("GITHUB_ACTOR"), os.environ.get("GITHUB_RUN_ID")
    if actor:
        return f"{actor} (run {run})" if run else actor
    try:
        return f"{getpass.getuser()}@{socket.gethostname()}"
    except (OSError, KeyError):
        return "unknown"


def _check_weight(weight: int, allow_100: bool) -> None:
    hi = 100 if allow_100 else 99
    if not 1 <= weight <= hi:
        raise UsageError(f"--weight: must be within 1..{hi}")


def _deadline(ctx: Ctx) -> float:
    raw = getattr(ctx.args, "stage_deadline", None)
    return duration_s(raw, "--stage-deadline") if raw else float(ctx.cfg.stage_deadline_s)


# ------------------------------------------------------------------------------------------- start
@_kube_errors
def cmd_start(ctx: Ctx) -> int:
    from checker.rollout import driver
    from checker.rollout.kube import KubeError
    from checker.rollout.state import Phase, RolloutState, StageRecord, create_state, read_state, replace_state

    args = ctx.args
    _check_weight(args.weight, allow_100=False)
    deadline = _deadline(ctx)
    strategy = args.strategy or ctx.cfg.strategy
    rid = args.rollout_id or default_id(args.image, ctx.name)
    kube = ctx.kube
    for _ in range(5):
        d = ctx.stable()
        state, cm = read_state(kube, ctx.name)
        container = ctx.target.container
        try:
            current_image = driver.image_of(d["spec"]["template"], container)
        except KeyError:
            raise InputError(f"deployment/{ctx.name} has no container {container!r}") from None
        takeover: RolloutState | None = None
        if state is not None and state.active:
            if state.rollout_id == rid and state.to_image == args.image:
                ctx.say(f"rollout {rid} already started ({state.phase} at {state.weight}%): nothing to do")
                if state.phase == Phase.CANARY and state.weight:
                    st = driver.wait_stage(kube, state, deadline, time.time())
                    ctx.say(f"canary serves {st.share * 100:.1f}% ({st.canary_ready} canary / {st.stable_ready} "
                            "stable pods ready)")
                ctx.report({**_state_data(state), "command": "start", "verdict": "unchanged"})
                return 0
            if not args.force:
                raise RolloutFailed(
                    f"deployment/{ctx.name} already has rollout {state.rollout_id} in progress ({state.phase} at "
                    f"{state.weight}%, {state.to_image}, started by {state.started_by or '?'} at {state.started_at}); "
                    "run `ideogram-prod rollout rollback` (or promote it), or `start --force` to take over a stale one")
            takeover = state
        if state is not None and not state.active and state.rollout_id == rid and state.to_image == args.image:
            ctx.say(f"rollout {rid} already {state.phase}: nothing to do")
            ctx.report({**_state_data(state), "command": "start", "verdict": "unchanged"})
            return 0
        if takeover is None and current_image == args.image:
            ctx.say(f"deployment/{ctx.name} already runs {args.image}: nothing to roll out")
            return 0
        if (d["spec"].get("replicas") or 0) < 1:
            raise InputError(f"deployment/{ctx.name} has 0 replicas: nothing serves to compare with")
        base = takeover
        new = RolloutState(
            rollout_id=rid, deployment=ctx.name, namespace=ctx.target.namespace,
            strategy=base.strategy if base else strategy,
            container=container or d["spec"]["template"]["spec"]["containers"][0]["name"],
            from_image=base.from_image if base else current_image, to_image=args.image,
            from_revision=base.from_revision if base else int(
                (d["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision", "0") or 0),
            from_template=base.from_template if base else d["spec"]["template"],
            stable_replicas=base.stable_replicas if base else int(d["spec"]["replicas"]),
            canary_name=driver.canary_name(ctx.name), weight=args.weight, started_by=_who(),
            route=ctx.cfg.gateway_route or ctx.name, stable_service=ctx.cfg.stable_service or ctx.name,
            canary_service=driver.canary_name(ctx.cfg.stable_service or ctx.name),
            history=(base.history if base else []) + [StageRecord(
                action="start" if base is None else "take-over", weight=args.weight, by=_who(),
                note=f"from {base.rollout_id}" if base else "")],
        )
        try:
            # Recorded before anything changes, so a kill at any later point leaves a restorable record.
            if cm is None:
                create_state(kube, new)
            else:
                replace_state(kube, cm, new)
            break
        except KubeError as exc:
            if exc.status != 409:
                raise
            continue  # another start wrote first: re-read and judge again
    else:
        raise RolloutFailed(f"the rollout record of deployment/{ctx.name} kept changing; another run is active")
    return _enter_stage(ctx, new, args.weight, deadline, "start")


def _enter_stage(ctx: Ctx, state: RolloutState, weight: int, deadline: float, command: str) -> int:
    from checker.rollout import driver
    from checker.rollout.state import update_state

    started = time.time()
    driver.apply_stage(ctx.kube, state, weight, driver.label_pair(ctx.cfg.canary_label), ctx.cfg.max_pods_factor)
    try:
        st = driver.wait_stage(ctx.kube, state, deadline, started)
    except driver.StageFailed as exc:
        _note(ctx, state, f"stage {weight}% failed: {exc}")
        ctx.report({**_state_data(state), "command": command, "verdict": "fail", "reason": str(exc)})
        raise
    last = update_state(ctx.kube, ctx.name, state.rollout_id, lambda s: _set_share(s, st.share))
    ctx.say(f"{state.deployment}: {weight}% asked, canary serves {st.share * 100:.1f}% "
            f"({st.canary_ready} canary / {st.stable_ready} stable pods ready, strategy {state.strategy})")
    ctx.report({**_state_data(last), "command": command, "verdict": "pass"})
    return 0


def _set_share(s: RolloutState, share: float) -> None:
    s.share = share
    if s.history:
        s.history[-1].share = share


def _note(ctx: Ctx, state: RolloutState, note: str) -> None:
    from checker.rollout.state import StageRecord, update_state

    try:
        update_state(ctx.kube, ctx.name, state.rollout_id, lambda s: s.history.append(
            StageRecord(action="note", weight=s.weight, by=_who(), note=note)))
    except Exception:  # noqa: BLE001 - a note must never hide the failure it describes
        pass


def _active(ctx: Ctx) -> RolloutState:
    from checker.rollout.state import read_state

    ctx.stable()
    state, _ = read_state(ctx.kube, ctx.name)
    if state is None:
        raise InputError(f"no rollout of deployment/{ctx.name} is recorded (run `rollout start` first)")
    return state


# ------------------------------------------------------------------------------------------- promote
@_kube_errors
def cmd_promote(ctx: Ctx) -> int:
    from checker.rollout import driver
    from checker.rollout.state import Phase, StageRecord, now_iso, update_state

    weight = ctx.args.weight
    _check_weight(weight, allow_100=True)
    deadline = _deadline(ctx)
    state = _active(ctx)
    if state.phase == Phase.PROMOTED:
        if weight == 100:
            problem = driver.serving_problem(ctx.kube, ctx.name, state.to_image, state.container or None, None)
            if not problem:
                ctx.say(f"rollout {state.rollout_id} already promoted, {state.to_image} serves: nothing to do")
                return 0
        else:
            raise RolloutFailed(f"rollout {state.rollout_id} is already promoted; start a new one")
    if state.phase in (Phase.ROLLING_BACK, Phase.ROLLED_BACK):
        raise RolloutFailed(f"rollout {state.rollout_id} was rolled back ({state.phase}); start a new one")
    if weight < state.weight and state.phase == Phase.CANARY:
        raise UsageError(f"--weight: {weight}% is below the current {state.weight}%; use `rollout rollback`")
    if weight < 100:
        if weight == state.weight:
            ctx.say(f"rollout {state.rollout_id} already at {weight}%: nothing to do")
            return _enter_stage(ctx, state, weight, deadline, "promote")

        def to_stage(s: RolloutState) -> None:
            s.weight, s.share, s.stage_started_at = weight, None, now_iso()
            s.history.append(StageRecord(action="promote", weight=weight, by=_who()))

        state = update_state(ctx.kube, ctx.name, state.rollout_id, to_stage)
        return _enter_stage(ctx, state, weight, deadline, "promote")

    def promoting(s: RolloutState) -> None:
        s.phase = Phase.PROMOTING
        s.history.append(StageRecord(action="promote", weight=100, by=_who()))

    state = update_state(ctx.kube, ctx.name, state.rollout_id, promoting)
    try:
        driver.promote_full(ctx.kube, state, deadline)
    except driver.StageFailed as exc:
        _note(ctx, state, f"promotion failed: {exc}")
        ctx.report({**_state_data(state), "command": "promote", "verdict": "fail", "reason": str(exc)})
        raise

    def promoted(s: RolloutState) -> None:
        s.phase, s.weight, s.share = Phase.PROMOTED, 100, 1.0
        s.history[-1].share = 1.0

    state = update_state(ctx.kube, ctx.name, state.rollout_id, promoted)
    ctx.say(f"{ctx.name}: promoted; verified {state.to_image} on all {state.stable_replicas} replicas "
            "(observed generation, updated and available replicas, pod images)")
    ctx.report({**_state_data(state), "command": "promote", "verdict": "pass"})
    return 0


# ------------------------------------------------------------------------------------------- analyze
@_kube_errors
def cmd_analyze(ctx: Ctx) -> int:
    from rich.console import Console

    from checker.alerts import alert_specs
    from checker.clients.prometheus import Prometheus
    from checker.rollout import driver
    from checker.rollout.analysis import Analysis, run_analysis
    from checker.rollout.gates import Verdict, stable_selector
    from checker.rollout.state import Phase, StageRecord, epoch, update_state

    duration = duration_s(ctx.args.duration, "--duration")
    interval = duration_s(ctx.args.interval, "--interval")
    deadline = duration_s(ctx.args.deadline, "--deadline") if ctx.args.deadline else 3 * duration
    if deadline < duration:
        raise UsageError("--deadline: must not be shorter than --duration")
    url = ctx.args.prometheus_url or ctx.config.prometheus.url
    if not url:
        raise UsageError("--prometheus-url: no Prometheus configured (prometheus.url)")
    try:
        stable_selector(ctx.cfg.canary_selector, ctx.cfg.stable_selector)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    state = _active(ctx)
    if state.phase != Phase.CANARY:
        ctx.say(f"rollout {state.rollout_id} is {state.phase}: nothing to analyze")
        return 0 if state.phase == Phase.PROMOTED else 1
    specs = alert_specs(ctx.config.alerts.queries)
    err = Console(stderr=True, highlight=False)
    stage_start = epoch(state.stage_started_at)

    def readiness() -> tuple[int, int, float, str]:
        st = driver.stage_status(ctx.kube, state)
        return st.canary_ready, st.canary_desired, time.time() - stage_start, st.problem

    def progress(result: Analysis, left: float) -> None:
        by = {e.gate: e for e in result.last}

        def v(key: str, scale: float = 1.0) -> str:
            e = by.get(key)
            return "–" if e is None or e.value is None else f"{e.value * scale:.3g}"

        open_gates = [e for e in result.last if e.verdict != "pass"]
        line = (f"[{state.weight}%] {left:4.0f}s left · 5xx/min {v('api_down')} · p99 {v('high_latency', 1000)} ms · "
                f"5xx ratio {v('compare-5xx')} · calls {by['compare-5xx'].samples if 'compare-5xx' in by else '–'}"
                + (f" · {', '.join(f'{e.gate} {e.verdict}' for e in open_gates)}" if open_gates else " · all pass"))
        err.print(REDACTOR(line))

    with Prometheus(url, ctx.config.prometheus.timeout_s) as prom:
        result = run_analysis(prom, specs, ctx.cfg, duration, deadline, interval, stage_start, readiness, progress)
    verdict = result.verdict or Verdict.ERROR
    update_state(ctx.kube, ctx.name, state.rollout_id, lambda s: s.history.append(StageRecord(
        action="analyze", weight=s.weight, share=s.share, by=_who(), note=f"{verdict}: {result.reason}"[:500],
        gates=result.failing or result.last)))
    data = {**_state_data(state), "command": "analyze", "verdict": str(verdict), "reason": result.reason,
            "gates": [e.model_dump(mode="json") for e in (result.failing or result.last)],
            "points": [{"t": p.t, "errors_per_min": p.errors_per_min, "p99_s": p.p99_s} for p in result.points],
            "started_at": result.started_at, "ended_at": result.ended_at, "evaluations": result.evaluations,
            "prometheus_errors": result.errors}
    if verdict is Verdict.PASS:
        ctx.say(f"{ctx.name}: stage {state.weight}% held for {duration:g}s ({result.evaluations} evaluations)")
        ctx.report(data)
        return 0
    # Fail closed, as Argo's AnalysisRun: an analysis Prometheus kept failing counts as failed (the canary is removed
    # with --rollback-on-failure). A hold (stable degraded too) never rolls back: the release is not the cause.
    fails = verdict in (Verdict.FAIL, Verdict.ERROR) or (
        verdict is Verdict.INCONCLUSIVE and ctx.cfg.inconclusive == "fail")
    what = {Verdict.FAIL: "failed", Verdict.INCONCLUSIVE: f"inconclusive after {deadline:g}s",
            Verdict.HOLD: "on hold: the stable is degraded too", Verdict.ERROR: "not judged (Prometheus errors)"}
    ctx.say(f"{ctx.name}: stage {state.weight}% {what.get(verdict, str(verdict))}: {result.reason}")
    if fails and ctx.args.rollback_on_failure:
        _rollback(ctx, state.rollout_id, float(ctx.cfg.rollback_timeout_s))
    elif not fails:
        ctx.say(f"{ctx.name}: the canary stays at {state.weight}%; promote or roll back it by hand "
                f"(`rollout promote --weight N` / `rollout rollback --id {state.rollout_id}`)")
    ctx.report(data)
    return int(ExitCode.FAILED)


# ------------------------------------------------------------------------------------------- rollback
@_kube_errors
def cmd_rollback(ctx: Ctx) -> int:
    timeout = duration_s(ctx.args.timeout, "--timeout") if ctx.args.timeout else float(ctx.cfg.rollback_timeout_s)
    rid: str | None = ctx.args.rollout_id
    if rid is None and not ctx.args.active:
        run = os.environ.get("GITHUB_RUN_ID")
        if not run:
            raise UsageError("--id: name the rollout to roll back (`rollout status` shows it), or --active for the one "
                             "in progress; `rollout undo` returns the Deployment to its previous revision")
        rid = f"gh-{run}"  # the id `start` gives in this run: a workflow's rollback job undoes only its own rollout
    return _rollback(ctx, rid, timeout)


def _rollback(ctx: Ctx, rid: str | None, timeout: float) -> int:
    """Undo rollout `rid` (None: the one in progress) and nothing else: a rollback must never revert a release
    that another run promoted, so a missing or foreign record means there is nothing to do."""
    from checker.rollout import driver
    from checker.rollout.kube import KubeError
    from checker.rollout.state import Phase, StageRecord, read_state, replace_state

    kube = ctx.kube
    ctx.stable()
    state, cm = read_state(kube, ctx.name)
    for _ in range(10):
        if state is None or cm is None or (state.rollout_id != rid if rid else not state.active):
            return _nothing_to_roll_back(ctx, state, rid)
        if state.phase == Phase.ROLLED_BACK:
            image = driver.image_of(state.from_template, state.container or None)
            problem = driver.serving_problem(kube, ctx.name, image, state.container or None, state.stable_replicas)
            if not problem and kube.get("deployments", state.canary_name) is None:
                ctx.say(f"rollout {state.rollout_id} already rolled back; {image} serves: nothing to do")
                ctx.report({**_state_data(state), "command": "rollback", "verdict": "unchanged"})
                return 0
        # Mark first, so an interrupted rollback is resumed by the next one.
        state.phase = Phase.ROLLING_BACK
        state.history.append(StageRecord(action="rollback", weight=0, by=_who()))
        try:
            replace_state(kube, cm, state)
            break
        except KubeError as exc:
            if exc.status != 409:
                raise
            state, cm = read_state(kube, ctx.name)
    else:
        raise RolloutFailed(f"the rollout record of deployment/{ctx.name} kept changing; another run is active")
    assert state is not None
    for done in driver.remove_canary(kube, state):
        ctx.say(f"removed {done}")
    for done in driver.restore_stable(kube, state, None):
        ctx.say(done)
    d = ctx.stable()
    image = driver.image_of(d["spec"]["template"], state.container or None)
    driver.wait_serving(kube, ctx.name, image, state.container or None, state.stable_replicas, timeout)
    state, cm = read_state(kube, ctx.name)
    assert state is not None and cm is not None
    state.phase, state.weight, state.share = Phase.ROLLED_BACK, 0, 0.0
    replace_state(kube, cm, state)
    ctx.say(f"{ctx.name}: rolled back; {image} serves on all {state.stable_replicas} replicas")
    ctx.report({**_state_data(state), "command": "rollback", "verdict": "rolled-back"})
    return 0


def _nothing_to_roll_back(ctx: Ctx, held: RolloutState | None, rid: str | None) -> int:
    wanted = f"rollout {rid}" if rid else "no rollout is in progress"
    found = "no rollout is recorded" if held is None else f"it holds rollout {held.rollout_id} ({held.phase})"
    reason = (f"deployment/{ctx.name}: {wanted} is not in the cluster ({found}): nothing to roll back" if rid
              else f"deployment/{ctx.name}: {wanted} ({found}): nothing to roll back")
    ctx.say(reason)
    ctx.report({"command": "rollback", "verdict": "none", "reason": reason})
    return 0


# ------------------------------------------------------------------------------------------- undo
@_kube_errors
def cmd_undo(ctx: Ctx) -> int:
    """A person's explicit `kubectl rollout undo`, with a record so that a second undo does not undo the undo."""
    from checker.rollout import driver
    from checker.rollout.state import Phase, RolloutState, StageRecord, create_state, read_state, replace_state
    from checker.rollout.undo import templates_equal

    timeout = duration_s(ctx.args.timeout, "--timeout") if ctx.args.timeout else float(ctx.cfg.rollback_timeout_s)
    to_revision = ctx.args.to_revision
    if to_revision < 0:
        raise UsageError("--to-revision: must be 0 or more")
    kube = ctx.kube
    d = ctx.stable()
    state, cm = read_state(kube, ctx.name)
    if state is not None and state.active:
        raise RolloutFailed(f"rollout {state.rollout_id} is in progress ({state.phase} at {state.weight}%): roll it "
                            f"back with `rollout rollback --id {state.rollout_id}` instead")
    if (state is not None and state.phase == Phase.ROLLED_BACK and not to_revision
            and templates_equal(d["spec"]["template"], state.from_template)):
        image = driver.image_of(state.from_template, state.container or None)
        ctx.say(f"rollout {state.rollout_id} was rolled back and {image} still serves: nothing to do "
                "(--to-revision N goes further back)")
        ctx.report({**_state_data(state), "command": "undo", "verdict": "unchanged"})
        return 0
    container = ctx.target.container
    before = driver.image_of(d["spec"]["template"], container)
    if kube.delete("deployments", driver.canary_name(ctx.name)):
        ctx.say(f"removed deployment/{driver.canary_name(ctx.name)}")
    if d["spec"].get("paused"):
        kube.patch("deployments", ctx.name, {"spec": {"paused": False}}, "application/strategic-merge-patch+json")
    ctx.say(driver.undo(kube, ctx.name, to_revision, allow_paused=True))
    d = ctx.stable()
    image = driver.image_of(d["spec"]["template"], container)
    driver.wait_serving(kube, ctx.name, image, container, None, timeout)
    record = RolloutState(
        rollout_id="undo-" + str(int(time.time())), deployment=ctx.name, namespace=ctx.target.namespace,
        strategy="rolling", container=d["spec"]["template"]["spec"]["containers"][0]["name"] if container is None
        else container, from_image=image, to_image=before, from_revision=int(
            (d["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision", "0") or 0),
        from_template=d["spec"]["template"], stable_replicas=int(d["spec"].get("replicas") or 1),
        canary_name=driver.canary_name(ctx.name), phase=Phase.ROLLED_BACK, started_by=_who(),
        history=[StageRecord(action="undo", weight=0, by=_who(),
                             note=f"to revision {to_revision}" if to_revision else "to the previous revision")])
    if cm is None:
        create_state(kube, record)
    else:
        replace_state(kube, cm, record)
    ctx.say(f"{ctx.name}: undone; {image} serves")
    ctx.report({**_state_data(record), "command": "undo", "verdict": "rolled-back"})
    return 0


# ------------------------------------------------------------------------------------------- status
@_kube_errors
def cmd_status(ctx: Ctx) -> int:
    from checker.rollout import driver
    from checker.rollout.state import read_state

    d = ctx.stable()
    state, _ = read_state(ctx.kube, ctx.name)
    image = driver.image_of(d["spec"]["template"], ctx.target.container)
    st = d.get("status") or {}
    if state is None:
        ctx.say(f"{ctx.name}: no rollout recorded; runs {image} ({st.get('availableReplicas', 0)}/"
                f"{d['spec'].get('replicas')} available)")
        ctx.report({"command": "status", "verdict": "none", "image": image})
        return 0
    live = driver.stage_status(ctx.kube, state) if state.active else None
    ctx.say(f"{ctx.name}: rollout {state.rollout_id} {state.phase} at {state.weight}% "
            f"({state.strategy}); {state.from_image} -> {state.to_image}")
    if live is not None:
        ctx.say(f"  canary serves {live.share * 100:.1f}%: {live.canary_ready}/{live.canary_desired} canary, "
                f"{live.stable_ready} stable pods ready" + (f"; {live.problem}" if live.problem else ""))
    ctx.say(f"  started by {state.started_by or '?'} at {state.started_at}; last change {state.updated_at}")
    for rec in state.history[-5:]:
        ctx.say(f"  {rec.at} {rec.action} {rec.weight}% {rec.note}".rstrip())
    gates = [g.model_dump(mode="json") for rec in state.history[-1:] for g in rec.gates]
    ctx.report({**_state_data(state), "command": "status", "verdict": str(state.phase),
                "share": live.share if live else state.share, "gates": gates,
                "history": [r.model_dump(mode="json") for r in state.history]})
    return 0
