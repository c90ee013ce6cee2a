"""The rollout as a service: start, promote, analyze, rollback, undo and status over one state machine.

Every command returns a typed Outcome; what it says and reports goes through an `Io` (the CLI's, or a test's), and
every change of the record is a checked transition (checker/rollout/machine.py).
"""

from __future__ import annotations

import getpass
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from checker.clients.kube import KubeError
from checker.errors import CheckerError, ExitCode, InputError, UsageError
from checker.rollout import driver, machine, refs, watchdog
from checker.rollout.report import RolloutReport
from checker.rollout.state import Phase, RolloutState, StageRecord, now_iso, read_state

if TYPE_CHECKING:
    from checker.clients.kube import Kube
    from checker.config import ClusterTarget, Config, RolloutConfig
    from checker.rollout.analysis import Analysis
    from checker.rollout.types import StrategyName


class RolloutFailed(CheckerError):
    """A gate breached, a stage missed its deadline, a rollout was refused or rolled back: exit 1."""

    exit_code = ExitCode.FAILED


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a command ended with: the report's verdict and the exit code."""

    verdict: str
    exit_code: int = 0


class Io(Protocol):
    def say(self, text: str) -> None: ...

    def report(self, report: RolloutReport) -> None: ...


def who() -> str:
    actor, run = os.environ.get("GITHUB_ACTOR"), os.environ.get("GITHUB_RUN_ID")
    if actor:
        return f"{actor} (run {run})" if run else actor
    try:
        return f"{getpass.getuser()}@{socket.gethostname()}"
    except (OSError, KeyError):
        return "unknown"


def report_of(state: RolloutState | None, command: str, verdict: str, **fields: Any) -> RolloutReport:
    """The report of `command`, with the rollout's identity from `state` (none for a Deployment without one)."""
    if state is None:
        return RolloutReport(command, verdict, **fields)
    return RolloutReport(command, verdict, **{
        "rollout_id": state.rollout_id, "strategy": state.strategy, "weight": state.weight, "share": state.share,
        "from_image": state.from_image, "to_image": state.to_image, "phase": str(state.phase),
        "from_revision": state.from_revision, **fields})


def _identity(state: RolloutState | None) -> tuple[str, str, str] | None:
    return None if state is None else (state.rollout_id, str(state.phase), state.updated_at)


@dataclass
class Rollout:
    """One Deployment's rollouts."""

    kube: Kube
    target: ClusterTarget
    config: Config
    io: Io

    @property
    def name(self) -> str:
        return self.target.deployment

    @property
    def cfg(self) -> RolloutConfig:
        return self.config.rollout

    def stable(self) -> dict[str, Any]:
        d = self.kube.get("deployments", self.name)
        if d is None:
            raise InputError(f"deployment/{self.name} not found in namespace {self.target.namespace}")
        return d

    def active(self) -> RolloutState:
        self.stable()
        state, _ = read_state(self.kube, self.name)
        if state is None:
            raise InputError(f"no rollout of deployment/{self.name} is recorded (run `rollout start` first)")
        return state

    def note(self, state: RolloutState, note: str) -> None:
        try:
            machine.record(self.kube, self.name, state.rollout_id, lambda s: s.history.append(
                StageRecord(action="note", weight=s.weight, by=who(), note=note)))
        except Exception:  # noqa: BLE001 - a note must never hide the failure it describes
            pass

    # ------------------------------------------------------------------------------------------- start
    def start(self, image: str, weight: int, strategy: StrategyName, rid: str, force: bool, deadline: float) -> Outcome:
        for _ in range(5):
            outcome = self._start_once(image, weight, strategy, rid, force, deadline)
            if outcome is not None:
                return outcome
        raise RolloutFailed(f"the rollout record of deployment/{self.name} kept changing; another run is active")

    def _start_once(self, image: str, weight: int, strategy: StrategyName, rid: str, force: bool,
                    deadline: float) -> Outcome | None:
        d = self.stable()
        state, _ = read_state(self.kube, self.name)
        container = self.target.container
        try:
            current_image = driver.image_of(d["spec"]["template"], container)
        except KeyError:
            raise InputError(f"deployment/{self.name} has no container {container!r}") from None
        takeover: RolloutState | None = None
        if state is not None and state.active:
            if state.rollout_id == rid and state.to_image == image:
                self.io.say(f"rollout {rid} already started ({state.phase} at {state.weight}%): nothing to do")
                if state.phase == Phase.CANARY and state.weight:
                    st = driver.wait_stage(self.kube, state, deadline, time.time())
                    self.io.say(f"canary serves {st.share * 100:.1f}% ({st.canary_ready} canary / {st.stable_ready} "
                                "stable pods ready)")
                self.io.report(report_of(state, "start", "unchanged"))
                return Outcome("unchanged")
            if not force:
                raise RolloutFailed(
                    f"deployment/{self.name} already has rollout {state.rollout_id} in progress ({state.phase} at "
                    f"{state.weight}%, {state.to_image}, started by {state.started_by or '?'} at {state.started_at})"
                    "; run `ideogram-prod rollout rollback` (or promote it), or `start --force` to take over a stale "
                    "one")
            takeover = state
        if state is not None and not state.active and state.rollout_id == rid and state.to_image == image:
            self.io.say(f"rollout {rid} already {state.phase}: nothing to do")
            self.io.report(report_of(state, "start", "unchanged"))
            return Outcome("unchanged")
        if takeover is None and current_image == image:
            self.io.say(f"deployment/{self.name} already runs {image}: nothing to roll out")
            return Outcome("none")
        if (d["spec"].get("replicas") or 0) < 1:
            raise InputError(f"deployment/{self.name} has 0 replicas: nothing serves to compare with")
        base = takeover
        new = RolloutState(
            rollout_id=rid, deployment=self.name, namespace=self.target.namespace,
            strategy=base.strategy if base else strategy,
            container=container or d["spec"]["template"]["spec"]["containers"][0]["name"],
            from_image=base.from_image if base else current_image, to_image=image,
            from_revision=base.from_revision if base else int(
                (d["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision", "0") or 0),
            from_template=base.from_template if base else d["spec"]["template"],
            stable_replicas=base.stable_replicas if base else int(d["spec"]["replicas"]),
            canary_name=driver.canary_name(self.name), weight=weight, started_by=who(),
            route=self.cfg.gateway_route or self.name, stable_service=self.cfg.stable_service or self.name,
            canary_service=driver.canary_name(self.cfg.stable_service or self.name),
            config_versions=base.config_versions if base else refs.versions(self.kube, d["spec"]["template"]),
            drain_delay_s=float(self.cfg.drain_delay_s), from_strategy=base.from_strategy if base else
            d["spec"].get("strategy"),
            history=(base.history if base else []) + [StageRecord(
                action="start" if base is None else "take-over", weight=weight, by=who(),
                note=f"from {base.rollout_id}" if base else "")],
        )
        seen = _identity(state)
        # Recorded before anything changes, so a kill at any later point leaves a restorable record.
        if machine.begin(self.kube, new, lambda now: _identity(now) == seen) is None:
            return None  # another start wrote first: judge again
        return self.enter_stage(new, weight, deadline, "start")

    def enter_stage(self, state: RolloutState, weight: int, deadline: float, command: str) -> Outcome:
        started = time.time()
        driver.apply_stage(self.kube, state, weight, driver.label_pair(self.cfg.canary_label),
                           self.cfg.max_pods_factor)
        try:
            st = driver.wait_stage(self.kube, state, deadline, started)
        except driver.StageFailed as exc:
            self.note(state, f"stage {weight}% failed: {exc}")
            self.io.report(report_of(state, command, "fail", reason=str(exc)))
            raise

        def share(s: RolloutState) -> None:
            s.share = st.share
            if s.history:
                s.history[-1].share = st.share

        last = machine.record(self.kube, self.name, state.rollout_id, share)
        self.io.say(f"{state.deployment}: {weight}% asked, canary serves {st.share * 100:.1f}% "
                    f"({st.canary_ready} canary / {st.stable_ready} stable pods ready, strategy {state.strategy})")
        watching = watchdog.ensure(self.kube, last, self.config)
        if watching:
            self.io.say(watching)
        self.io.report(report_of(last, command, "pass"))
        return Outcome("pass")

    # ------------------------------------------------------------------------------------------- promote
    def promote(self, weight: int, deadline: float) -> Outcome:
        state = self.active()
        if state.phase == Phase.PROMOTED:
            if weight == 100:
                problem = driver.serving_problem(self.kube, self.name, state.to_image, state.container or None, None)
                if not problem:
                    self.io.say(f"rollout {state.rollout_id} already promoted, {state.to_image} serves: nothing to do")
                    return Outcome("unchanged")
            else:
                raise RolloutFailed(f"rollout {state.rollout_id} is already promoted; start a new one")
        if state.phase in (Phase.ROLLING_BACK, Phase.ROLLED_BACK):
            raise RolloutFailed(f"rollout {state.rollout_id} was rolled back ({state.phase}); start a new one")
        if weight < state.weight and state.phase == Phase.CANARY:
            raise UsageError(f"--weight: {weight}% is below the current {state.weight}%; use `rollout rollback`")
        if weight < 100:
            if weight == state.weight:
                self.io.say(f"rollout {state.rollout_id} already at {weight}%: nothing to do")
                return self.enter_stage(state, weight, deadline, "promote")

            def to_stage(s: RolloutState) -> None:
                s.weight, s.share, s.stage_started_at = weight, None, now_iso()
                s.history.append(StageRecord(action="promote", weight=weight, by=who()))

            state = machine.transition(self.kube, self.name, state.rollout_id, Phase.CANARY, to_stage,
                                       from_phases=(Phase.CANARY,))
            return self.enter_stage(state, weight, deadline, "promote")

        state = machine.transition(self.kube, self.name, state.rollout_id, Phase.PROMOTING, lambda s: s.history.append(
            StageRecord(action="promote", weight=100, by=who())), from_phases=(Phase.CANARY, Phase.PROMOTING))
        try:
            driver.promote_full(self.kube, state, deadline)
        except driver.StageFailed as exc:
            self.note(state, f"promotion failed: {exc}")
            self.io.report(report_of(state, "promote", "fail", reason=str(exc)))
            raise

        def promoted(s: RolloutState) -> None:
            s.weight, s.share = 100, 1.0
            s.history[-1].share = 1.0

        # Only from promoting: a rollback that began meanwhile wins, and this promote is refused.
        state = machine.transition(self.kube, self.name, state.rollout_id, Phase.PROMOTED, promoted,
                                   from_phases=(Phase.PROMOTING,))
        self.io.say(f"{self.name}: promoted; verified {state.to_image} on all {state.stable_replicas} replicas "
                    "(observed generation, updated and available replicas, pod images)")
        for done in watchdog.remove(self.kube, self.name):
            self.io.say(f"removed {done}")
        self.io.report(report_of(state, "promote", "pass"))
        return Outcome("pass")

    # ------------------------------------------------------------------------------------------- analyze
    def analyze(self, url: str, duration: float, deadline: float, interval: float, rollback_on_failure: bool,
                progress: Callable[[RolloutState, Analysis, float], None] | None = None) -> Outcome:
        from checker.clients.prometheus import Prometheus
        from checker.contract import alert_specs
        from checker.rollout.analysis import run_analysis
        from checker.rollout.gates import Verdict, alert_gates, stable_selector
        from checker.rollout.state import epoch

        specs = alert_specs(self.config.alerts.queries)
        try:  # bad selectors or an alert override the rollout cannot scope: exit 2 before any look
            for selector in (self.cfg.canary_selector, stable_selector(self.cfg.canary_selector,
                                                                        self.cfg.stable_selector)):
                alert_gates(specs, selector, self.cfg.window)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        state = self.active()
        if state.phase != Phase.CANARY:
            self.io.say(f"rollout {state.rollout_id} is {state.phase}: nothing to analyze")
            return Outcome("none", 0 if state.phase == Phase.PROMOTED else 1)
        stage_start = epoch(state.stage_started_at)

        def readiness() -> tuple[int, int, float, str]:
            st = driver.stage_status(self.kube, state)
            return st.canary_ready, st.canary_desired, time.time() - stage_start, st.problem

        with Prometheus(url, self.config.prometheus.timeout_s) as prom:
            result = run_analysis(prom, specs, self.cfg, duration, deadline, interval, stage_start, readiness,
                                  (lambda r, left: progress(state, r, left)) if progress else None)
        verdict = result.verdict or Verdict.ERROR
        try:
            machine.record(self.kube, self.name, state.rollout_id, lambda s: s.history.append(StageRecord(
                action="analyze", weight=s.weight, share=s.share, by=who(), note=f"{verdict}: {result.reason}"[:500],
                gates=result.failing or result.last)))
        except KubeError as exc:
            if exc.status != 403:
                raise
            # Read-only credentials (the `read` Role, checker/rollout/rbac.py): analysis needs to write nothing.
            self.io.say("rollout record not updated: these credentials may only read (the evidence is in the report)")
        report = report_of(state, "analyze", str(verdict), reason=result.reason,
                           gates=list(result.failing or result.last), points=list(result.points),
                           started_at=result.started_at, ended_at=result.ended_at,
                           evaluations=result.evaluations, prometheus_errors=result.errors)
        if verdict is Verdict.PASS:
            self.io.say(f"{self.name}: stage {state.weight}% held for {duration:g}s ({result.evaluations} "
                        "evaluations)")
            self.io.report(report)
            return Outcome("pass")
        # Fail closed, as Argo's AnalysisRun: an analysis Prometheus kept failing counts as failed (the canary is
        # removed with --rollback-on-failure). A hold (stable degraded too) never rolls back: not the release's fault.
        fails = verdict in (Verdict.FAIL, Verdict.ERROR) or (
            verdict is Verdict.INCONCLUSIVE and self.cfg.inconclusive == "fail")
        what = {Verdict.FAIL: "failed", Verdict.INCONCLUSIVE: f"inconclusive after {deadline:g}s",
                Verdict.HOLD: "on hold: the stable is degraded too", Verdict.ERROR: "not judged (Prometheus errors)"}
        self.io.say(f"{self.name}: stage {state.weight}% {what.get(verdict, str(verdict))}: {result.reason}")
        if fails and verdict is Verdict.INCONCLUSIVE:
            report.verdict = "fail"  # rollout.inconclusive: fail - a failure to every reader (the deploy template)
            report.reason = f"inconclusive at the deadline (rollout.inconclusive: fail): {result.reason}"
        if fails and rollback_on_failure:
            self.rollback(state.rollout_id, float(self.cfg.rollback_timeout_s))
        elif not fails:
            self.io.say(f"{self.name}: the canary stays at {state.weight}%; promote or roll it back by hand "
                        f"(`rollout promote --weight N` / `rollout rollback --id {state.rollout_id}`)")
        self.io.report(report)
        return Outcome(report.verdict, int(ExitCode.FAILED))

    # ------------------------------------------------------------------------------------------- rollback
    def rollback(self, rid: str | None, timeout: float) -> Outcome:
        """Undo rollout `rid` (None: the one in progress) and nothing else: a rollback must never revert a release
        that another run promoted, so a missing or foreign record means there is nothing to do."""
        kube = self.kube
        self.stable()
        state, _ = read_state(kube, self.name)
        if state is None or (state.rollout_id != rid if rid else not state.active):
            return self._nothing_to_roll_back(state, rid)
        if state.phase == Phase.ROLLED_BACK:
            image = driver.image_of(state.from_template, state.container or None)
            problem = driver.serving_problem(kube, self.name, image, state.container or None, None)
            if not problem and kube.get("deployments", state.canary_name) is None:
                for done in watchdog.remove(kube, self.name):  # a watchdog left by an interrupted rollback
                    self.io.say(f"removed {done}")
                self.io.say(f"rollout {state.rollout_id} already rolled back; {image} serves: nothing to do")
                self.io.report(report_of(state, "rollback", "unchanged"))
                return Outcome("unchanged")
        # Marked first, so an interrupted rollback is resumed by the next one, and a late promote is refused.
        try:
            state = machine.transition(kube, self.name, state.rollout_id, Phase.ROLLING_BACK,
                                       lambda s: s.history.append(StageRecord(action="rollback", weight=0, by=who())))
        except machine.Refused as exc:
            if exc.held is None or exc.held.rollout_id != state.rollout_id:
                return self._nothing_to_roll_back(exc.held, rid)
            raise
        pods = driver.canary_pod_selector(kube, state)
        for done in driver.remove_canary(kube, state):
            self.io.say(done if done.startswith(("waited", "httproute")) else f"removed {done}")
        # "Only stable serves" counts terminating canary pods: they may still finish requests (harm 10).
        if driver.wait_pods_gone(kube, pods, timeout):
            self.io.say("no canary pod is left, terminating ones included")
        for done in driver.restore_stable(kube, state, None):
            self.io.say(done)
        d = self.stable()
        image = driver.image_of(d["spec"]["template"], state.container or None)
        driver.wait_serving(kube, self.name, image, state.container or None, None, timeout)

        def rolled_back(s: RolloutState) -> None:
            s.weight, s.share = 0, 0.0

        state = machine.transition(kube, self.name, state.rollout_id, Phase.ROLLED_BACK, rolled_back,
                                   from_phases=(Phase.ROLLING_BACK,))
        replicas = int(self.stable()["spec"].get("replicas") or 0)
        self.io.say(f"{self.name}: rolled back; {image} serves on all {replicas} replicas")
        for done in watchdog.remove(kube, self.name):  # last: the watchdog may be the one running this rollback
            self.io.say(f"removed {done}")
        # The template is restored; the ConfigMaps/Secrets it reads are not (harm 11): say which changed.
        drift = refs.drift(state.config_versions, refs.versions(kube, state.from_template))
        for line in drift:
            self.io.say(f"warning: {line}; a rollback restores the pod template only, not this object")
        self.io.report(report_of(state, "rollback", "rolled-back", config_drift=drift))
        return Outcome("rolled-back")

    def _nothing_to_roll_back(self, held: RolloutState | None, rid: str | None) -> Outcome:
        wanted = f"rollout {rid}" if rid else "no rollout is in progress"
        found = "no rollout is recorded" if held is None else f"it holds rollout {held.rollout_id} ({held.phase})"
        reason = (f"deployment/{self.name}: {wanted} is not in the cluster ({found}): nothing to roll back" if rid
                  else f"deployment/{self.name}: {wanted} ({found}): nothing to roll back")
        self.io.say(reason)
        self.io.report(RolloutReport("rollback", "none", reason=reason))
        return Outcome("none")

    # ------------------------------------------------------------------------------------------- undo
    def undo(self, to_revision: int, timeout: float) -> Outcome:
        """A person's explicit `kubectl rollout undo`, with a record so that a second undo does not undo the undo."""
        from checker.rollout.undo import templates_equal

        kube = self.kube
        d = self.stable()
        state, _ = read_state(kube, self.name)
        if state is not None and state.active:
            raise RolloutFailed(f"rollout {state.rollout_id} is in progress ({state.phase} at {state.weight}%): roll "
                                f"it back with `rollout rollback --id {state.rollout_id}` instead")
        if (state is not None and state.phase == Phase.ROLLED_BACK and not to_revision
                and templates_equal(d["spec"]["template"], state.from_template)):
            image = driver.image_of(state.from_template, state.container or None)
            self.io.say(f"rollout {state.rollout_id} was rolled back and {image} still serves: nothing to do "
                        "(--to-revision N goes further back)")
            self.io.report(report_of(state, "undo", "unchanged"))
            return Outcome("unchanged")
        container = self.target.container
        before = driver.image_of(d["spec"]["template"], container)
        if kube.delete("deployments", driver.canary_name(self.name)):
            self.io.say(f"removed deployment/{driver.canary_name(self.name)}")
        if d["spec"].get("paused"):
            kube.patch("deployments", self.name, {"spec": {"paused": False}}, "application/strategic-merge-patch+json")
        self.io.say(driver.undo(kube, self.name, to_revision, allow_paused=True))
        d = self.stable()
        image = driver.image_of(d["spec"]["template"], container)
        driver.wait_serving(kube, self.name, image, container, None, timeout)
        record = RolloutState(
            rollout_id="undo-" + str(int(time.time())), deployment=self.name, namespace=self.target.namespace,
            strategy="rolling", container=d["spec"]["template"]["spec"]["containers"][0]["name"] if container is None
            else container, from_image=image, to_image=before, from_revision=int(
                (d["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision", "0") or 0),
            from_template=d["spec"]["template"], stable_replicas=int(d["spec"].get("replicas") or 1),
            canary_name=driver.canary_name(self.name), phase=Phase.ROLLED_BACK, started_by=who(),
            history=[StageRecord(action="undo", weight=0, by=who(),
                                 note=f"to revision {to_revision}" if to_revision else "to the previous revision")])
        seen = _identity(state)
        if machine.begin(kube, record, lambda now: _identity(now) == seen) is None:
            raise RolloutFailed(f"the rollout record of deployment/{self.name} changed during the undo; check "
                                "`rollout status`")
        self.io.say(f"{self.name}: undone; {image} serves")
        self.io.report(report_of(record, "undo", "rolled-back"))
        return Outcome("rolled-back")

    # ------------------------------------------------------------------------------------------- status
    def status(self) -> Outcome:
        d = self.stable()
        state, _ = read_state(self.kube, self.name)
        image = driver.image_of(d["spec"]["template"], self.target.container)
        st = d.get("status") or {}
        if state is None:
            self.io.say(f"{self.name}: no rollout recorded; runs {image} ({st.get('availableReplicas', 0)}/"
                        f"{d['spec'].get('replicas')} available)")
            self.io.report(RolloutReport("status", "none", image=image))
            return Outcome("none")
        live = driver.stage_status(self.kube, state) if state.active else None
        self.io.say(f"{self.name}: rollout {state.rollout_id} {state.phase} at {state.weight}% "
                    f"({state.strategy}); {state.from_image} -> {state.to_image}")
        if live is not None:
            self.io.say(f"  canary serves {live.share * 100:.1f}%: {live.canary_ready}/{live.canary_desired} canary, "
                        f"{live.stable_ready} stable pods ready" + (f"; {live.problem}" if live.problem else ""))
        self.io.say(f"  started by {state.started_by or '?'} at {state.started_at}; last change {state.updated_at}")
        for rec in state.history[-5:]:
            self.io.say(f"  {rec.at} {rec.action} {rec.weight}% {rec.note}".rstrip())
        self.io.report(report_of(state, "status", str(state.phase), share=live.share if live else state.share,
                                 gates=[g for rec in state.history[-1:] for g in rec.gates],
                                 history=list(state.history)))
        return Outcome(str(state.phase))
