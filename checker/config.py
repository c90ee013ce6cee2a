"""`.ideogram-prod.yaml`: validated strictly so a typo is an error, never a silently ignored setting."""

from __future__ import annotations

import datetime
import difflib
import types
import typing
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from checker.checklist import ITEM_IDS, Attestation
from checker.contract import ALERT_KEYS, INBOUND_METRIC, SERIES
from checker.errors import ConfigError
from checker.findings import Severity
from checker.registry import BY_ID
from checker.rollout.types import STRATEGY_NAMES, OnInconclusive, StrategyName

CONFIG_NAME = ".ideogram-prod.yaml"
# Names people give the file by mistake: never read (one name is what gate-config-changed watches under
# --diff-base), always named in a warning so the settings are not silently ignored.
MISNAMED = (".ideogram-prod.yml", "ideogram-prod.yaml", "ideogram-prod.yml")
MAX_CONFIG_BYTES = 256 * 1024
MAX_DEPTH = 32  # the schema needs 5; anything deeper is not a config
# NOTE: libyaml's parser when PyYAML was built with it: faster, and it caps nesting itself.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DEFAULT_EXCLUDE: tuple[str, ...] = (
    "node_modules/", ".git/", ".venv/", "venv/", "dist/", "build/", "vendor/", "third_party/",
    ".next/", "coverage/", "*.min.js", "__pycache__/",
)
# NOTE: code rules judge production code; tests call Ideogram through fakes and would cry wolf.
DEFAULT_CODE_EXCLUDE: tuple[str, ...] = (
    "tests/", "test/", "__tests__/", "test_*.py", "*_test.py", "*.test.ts", "*.test.tsx", "*.test.js",
    "*.spec.ts", "*.spec.tsx", "*.spec.js", "conftest.py",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckConfig(_Strict):
    enabled: bool = True
    severity: Severity | None = Field(default=None, description="Override the check's default severity.")
    exclude: tuple[str, ...] = Field(default=(), description="gitignore-style paths this check ignores.")


class AttestationConfig(_Strict):
    by: Annotated[str, Field(min_length=1)]
    date: datetime.date
    link: Annotated[str, Field(min_length=1)]
    note: str = ""

    def to_attestation(self) -> Attestation:
        return Attestation(self.by, self.date.isoformat(), self.link, self.note)


class SecretsConfig(_Strict):
    baseline: str = Field(default=".secrets.baseline", description="detect-secrets baseline, relative to PATH.")


class KubernetesConfig(_Strict):
    paths: tuple[str, ...] = Field(
        default=("k8s/", "kube/", "kubernetes/", "deploy/", "manifests/", "helm/", "charts/", "kustomize/"),
        description="gitignore-style paths holding Kubernetes manifests (or Helm charts, reported as skipped).")
    workload: str | tuple[str, ...] | None = Field(
        default=None, description="Name(s) or glob(s) (fnmatch, e.g. `imagegen-*`) of the workloads running the "
        "integration (web, worker, cron...), each judged; one that matches no workload is reported, never passed "
        "(default: every workload whose container gets key_env, or mentions ideogram).")
    key_env: str = Field(default="IDEOGRAM_API_KEY", description="Env var that carries the Ideogram key.")
    kubernetes_version: str = Field(
        default="1.30.0", pattern=r"^v?\d+\.\d+(\.\d+)?$",
        description="Schema version manifests are validated against (kubernetes-validate covers 1.25-1.37).")
    strict: bool = Field(default=True, description="Reject unknown fields, as `kubectl apply` does by default.")
    require_cpu_limit: bool = Field(
        default=True, description="k8s-resources-missing also asks for limits.cpu (set false if you avoid CPU "
        "limits on purpose; requests and the memory limit are still required).")

    @field_validator("workload")
    @classmethod
    def _workload_names(cls, value: str | tuple[str, ...] | None) -> str | tuple[str, ...] | None:
        names = (value,) if isinstance(value, str) else value or ()
        if value is not None and (not names or not all(n.strip() for n in names)):
            raise ValueError("give a workload name or glob (an empty name or list matches nothing)")
        return value

    def workload_patterns(self) -> tuple[str, ...]:
        """kubernetes.workload as a tuple of names/globs; () when unset (the workloads are found by content)."""
        return (self.workload,) if isinstance(self.workload, str) else self.workload or ()


class DocsConfig(_Strict):
    paths: tuple[str, ...] = Field(
        default=("docs/", "RUNBOOK*", "README*", "runbook*", "*.md"),
        description="gitignore-style paths of documents searched for runbook/rotation/rollback/escalation.")


class AlertsConfig(_Strict):
    paths: tuple[str, ...] = Field(
        default=("*.rules.yml", "*.rules.yaml", "*rules*.yml", "*rules*.yaml", "alerts/", "prometheus/",
                 "monitoring/"),
        description="gitignore-style paths of Prometheus rule files or PrometheusRule resources.")
    queries: dict[str, str] = Field(
        default_factory=dict,
        description=f"PromQL overrides per alert ({', '.join(ALERT_KEYS)}).")
    runbook_url: str = Field(default="docs/RUNBOOK.md", description="Runbook link put in generated alerts.")

    @field_validator("queries")
    @classmethod
    def _known_alerts(cls, value: dict[str, str]) -> dict[str, str]:
        for key, query in value.items():
            if key not in ALERT_KEYS:
                raise ValueError(f"unknown alert {key!r} (known: {', '.join(ALERT_KEYS)})")
            if not query.strip():
                raise ValueError(f"{key}: the query is empty")
        return value


class TestsConfig(_Strict):
    __test__ = False  # NOTE: not a pytest test class despite the name
    enabled: bool = Field(
        default=False, description="Run the project's tests inside `check` (tests-pass). Off by default: it runs "
        "the pull request's own code with the gate's permissions, so enable it only in a workflow without "
        "secrets or write tokens (never under pull_request_target, where it is refused), and only on a runner "
        "with the project's dependencies installed. It starts after every scanner has finished.")
    command: str | None = Field(default=None, description="Test command (default: npm test or pytest, detected).")
    timeout_s: int = Field(default=900, ge=1, description="Seconds before the test command counts as failed.")


class IdeogramConfig(_Strict):
    api_key_env: str = Field(default="IDEOGRAM_API_KEY", description="Env var the key is read from (never the file).")
    base_url: str = Field(default="https://api.ideogram.ai", description="Ideogram API base URL.")
    generate_path: str = Field(default="/v1/ideogram-v3/generate", description="Endpoint used to probe and smoke.")
    timeout_s: float = Field(default=15.0, gt=0, description="Per-request timeout of the auth probe.")
    smoke_timeout_s: float = Field(default=120.0, gt=0, description="Timeout of the opt-in generation.")
    max_retries: int = Field(default=3, ge=0, le=10, description="Retries on 429/5xx/timeouts.")
    max_backoff_s: float = Field(default=20.0, ge=0, description="Longest wait between retries (caps Retry-After).")
    status_url: str = Field(default="https://status.ideogram.com/api/v2/status.json",
                            description="Statuspage JSON of Ideogram.")
    status_advisory: bool = Field(default=False, description="An unreachable status page warns instead of failing.")


class StagingConfig(_Strict):
    health_url: str | None = Field(default=None, description="Staging health endpoint.")
    timeout_s: float = Field(default=10.0, gt=0)
    latency_budget_ms: int = Field(default=2000, gt=0, description="Slower answers fail.")
    status_field: str = Field(default="status", description="Dotted path of the overall status in the body.")
    healthy_values: tuple[str, ...] = Field(default=("healthy", "ok", "pass", "up"))
    connected_field: str = Field(default="ideogram.connected", description="Dotted path of Ideogram connectivity.")
    latency_field: str = Field(default="ideogram.latencyMs", description="Dotted path of Ideogram latency.")


class PrometheusConfig(_Strict):
    url: str | None = Field(default=None, description="Prometheus base URL (gates and preflight).")
    timeout_s: float = Field(default=10.0, gt=0)
    freshness_s: int = Field(default=300, gt=0, description="Newest sample must be at most this old.")
    series: tuple[str, ...] = Field(
        default=SERIES,
        description="Metric names the rollout gates query.")
    require_alert_rules: bool = Field(default=True, description="Require the checklist's four alerts to be loaded.")


class ClusterTarget(_Strict):
    kubeconfig: str | None = Field(default=None, description="Kubeconfig path (default: $KUBECONFIG, ~/.kube/config).")
    context: str | None = Field(default=None, description="Kubeconfig context (default: the current one).")
    namespace: str = Field(default="default")
    deployment: str = Field(default="ideogram-integration", description="The integration's Deployment.")
    container: str | None = Field(default=None, description="Container that calls Ideogram (default: the first).")


class ClusterConfig(_Strict):
    production: ClusterTarget = ClusterTarget()
    staging: ClusterTarget | None = Field(
        default=None, description="Compared with production by live-k8s-key-distinct.")


class RolloutConfig(_Strict):
    """Owned by the rollout work (issue 6): strategies, gates and deadlines."""

    strategy: StrategyName = Field(default="replicas", description="replicas | gateway | rolling "
                                   "(checker/rollout/strategies)")
    stage_deadline_s: int = Field(default=600, gt=0, description="Canary pods must be Ready within this.")
    canary_selector: str = Field(default='track="canary"', description="PromQL label matchers of canary series.")
    stable_selector: str | None = Field(default=None, description="PromQL label matchers of stable series (default: "
                                        'the negation of canary_selector, e.g. track!="canary").')
    canary_label: str = Field(default="track=canary", pattern=r"^[A-Za-z0-9./_-]+=[A-Za-z0-9._-]+$",
                              description="Pod label key=value that marks canary pods (relabel it for Prometheus).")
    max_pods_factor: float = Field(
        default=2.0, ge=1.0, le=10.0, description="replicas strategy: stable+canary pods at most this times the "
        "stable's replicas (stable may be scaled up, never down, to hit the asked share more exactly).")
    window: str = Field(default="5m", pattern=r"^\d+(s|m|h)$",
                        description="Range of the checklist's alerts when judged as hard page-now limits "
                        "(the alerts' 5m).")
    min_requests: int = Field(default=20, ge=0, description="Canary calls since the stage began before any gate "
                              "can pass.")
    inconclusive: OnInconclusive = Field(
        default="hold", description="At the analysis deadline without a verdict: hold (exit 1, no rollback) or "
        "fail (as a failed gate: rollback with --rollback-on-failure). Never pass.")
    false_failure_rate: float = Field(default=0.01, gt=0, lt=0.5, description="Judge: chance a stage fails a canary "
                                      "no worse than stable (alpha, split over the comparisons).")
    missed_regression_rate: float = Field(default=0.05, gt=0, lt=0.5, description="Judge: chance a comparison passes "
                                          "a canary detect_ratio times worse (beta).")
    detect_ratio: float = Field(default=2.0, gt=1, description="Judge: the smallest ratio regression a pass rules out.")
    negligible_ratio: float = Field(default=0.01, gt=0, lt=1, description="Judge: a canary bad-call ratio "
                                    "confidently below this passes that comparison whatever the stable's.")
    latency_effect: float = Field(default=0.1, gt=0, lt=0.5, description="Judge: P(canary call slower than a "
                                  "stable call) above 0.5 + this is a latency regression (Mann-Whitney).")
    max_p99_increase_ms: float = Field(default=500.0, ge=0, description="Judge: a canary p99 this much above the "
                                       "stable's is a latency regression (with >= 200 canary calls).")
    slow_call_ms: float = Field(default=5000.0, gt=0, description="Judge: calls slower than this count as slow.")
    inbound_metric: str | None = Field(default=None, pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$", description="Judge: the "
                                       "service's own request counter with a `status` label (e.g. "
                                       f"{INBOUND_METRIC}, which `init`'s instrumentation writes): adds "
                                       "the inbound 5xx ratio and Ideogram calls per inbound request comparisons.")
    consecutive_error_limit: int = Field(default=4, ge=0, description="Prometheus errors in a row tolerated (Argo's "
                                         "consecutiveErrorLimit); one more ends the analysis as error.")
    error_limit: int = Field(default=10, ge=0, description="Prometheus errors tolerated in one analysis.")
    gateway_route: str | None = Field(default=None, description="gateway strategy: HTTPRoute name (default: the "
                                      "Deployment's name).")
    stable_service: str | None = Field(default=None, description="gateway strategy: the stable Service "
                                       "(default: the Deployment's name); the canary Service is <name>-canary.")
    rollback_timeout_s: int = Field(default=300, gt=0, description="rollback waits this long for stable to serve.")
    watchdog_image: str | None = Field(default=None, description="Set to this tool's full image (built with "
                                       "--build-arg SLIM=false: the slim check image has no kubernetes client) to "
                                       "have `start` create a CronJob that runs `rollout analyze "
                                       "--rollback-on-failure` between jobs.")
    watchdog_schedule: str = Field(default="*/5 * * * *", description="The watchdog CronJob's schedule.")
    watchdog_duration: str = Field(default="6m", pattern=r"^\d+(s|m)$", description="How long each watchdog run "
                                   "judges the stage: longer than the alerts' longest `for` (5m), so a page-now limit "
                                   "can fire within one run; runs never overlap (concurrencyPolicy Forbid).")
    watchdog_service_account: str = Field(default="ideogram-prod-watchdog", description="The watchdog's "
                                          "ServiceAccount: bind it to the `rollout` Role (checker/rollout/rbac.py).")
    drain_delay_s: float = Field(default=10.0, ge=0, description="gateway strategy: after the canary's weight went "
                                 "to 0, wait this before deleting its objects when no Gateway reports route status.")

    @field_validator("strategy", mode="before")
    @classmethod
    def _known_strategy(cls, value: object) -> object:
        if value not in STRATEGY_NAMES:  # our message, not pydantic's (which would echo the value)
            raise ValueError(f"unknown strategy (known: {', '.join(STRATEGY_NAMES)})")
        return value


class Config(_Strict):
    version: int = Field(default=1, ge=1, le=1)
    fail_on: Severity = Field(
        default=Severity.ERROR, description="The run fails on findings of this severity or higher (error, warning "
        "or note); a check that errored always fails. `--fail-on` wins; under --diff-base the base ref's value "
        "counts. JSON and SARIF keep every finding.")
    exclude: tuple[str, ...] = Field(default=(), description="gitignore-style paths no check scans.")
    scan_tests: bool = Field(default=False, description="Also run code-* rules on test files.")
    checks: dict[str, CheckConfig] = Field(default_factory=dict)
    secrets: SecretsConfig = SecretsConfig()
    kubernetes: KubernetesConfig = KubernetesConfig()
    docs: DocsConfig = DocsConfig()
    alerts: AlertsConfig = AlertsConfig()
    tests: TestsConfig = TestsConfig()
    ideogram: IdeogramConfig = IdeogramConfig()
    staging: StagingConfig = StagingConfig()
    prometheus: PrometheusConfig = PrometheusConfig()
    cluster: ClusterConfig = ClusterConfig()
    rollout: RolloutConfig = RolloutConfig()
    attestations: dict[str, AttestationConfig] = Field(
        default_factory=dict, description="Evidence for checklist items no machine can verify.")

    @field_validator("checks")
    @classmethod
    def _known_checks(cls, value: dict[str, CheckConfig]) -> dict[str, CheckConfig]:
        unknown = sorted(set(value) - set(BY_ID))
        if unknown:
            raise ValueError(f"unknown check id {unknown[0]!r}{did_you_mean(unknown[0], BY_ID)} "
                             "(see `ideogram-prod rules`)")
        return value

    @field_validator("attestations")
    @classmethod
    def _known_items(cls, value: dict[str, AttestationConfig]) -> dict[str, AttestationConfig]:
        unknown = sorted(set(value) - ITEM_IDS)
        if unknown:
            raise ValueError(f"unknown checklist item {unknown[0]!r}{did_you_mean(unknown[0], ITEM_IDS)}")
        return value

    def check(self, check_id: str) -> CheckConfig:
        return self.checks.get(check_id, CheckConfig())

    def attestation_map(self) -> dict[str, Attestation]:
        return {item: att.to_attestation() for item, att in self.attestations.items()}


def did_you_mean(word: str, known: typing.Iterable[str]) -> str:
    """` (did you mean 'x'?)` naming the closest known name, or "" when none is close."""
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (`Model`, `Model | None`), or None."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if _model_of(a) is not None]
        return _model_of(models[0]) if len(models) == 1 else None
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def keys_at(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the config allows in the mapping at `loc` (for a did-you-mean); [] where it cannot tell."""
    model: type[BaseModel] | None = Config
    parts = list(loc)
    while parts and model is not None:
        field = model.model_fields.get(str(parts.pop(0)))
        if field is None:
            return []
        annotation = field.annotation
        if typing.get_origin(annotation) is dict:  # dict[str, Model]: the next part is one of its keys
            if not parts:
                return []
            parts.pop(0)
            annotation = typing.get_args(annotation)[1]
        model = _model_of(annotation)
    return [] if model is None else list(model.model_fields)


def describe_validation_error(exc: ValidationError) -> str:
    """The first error as `a.b.c: message`; never the input value, which may be a secret."""
    err = exc.errors(include_input=False, include_url=False)[0]
    where = ".".join(str(part) for part in err["loc"]) or "(top level)"
    msg = str(err["msg"])
    if err["type"] == "extra_forbidden":
        msg = "unknown key" + (did_you_mean(str(err["loc"][-1]), keys_at(err["loc"][:-1])) if err["loc"] else "")
    return f"{where}: {msg}"


def parse_config(data: Any, source: str) -> Config:
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {describe_validation_error(exc)}") from None


def _checked(node: yaml.Node, source: str) -> None:
    """Refuse what YAML would silently accept: a repeated key (the last one wins) and absurd nesting.

    Iterative, and each node once, so neither deep nesting nor an alias bomb costs a RecursionError or time.
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if depth > MAX_DEPTH:
            raise ConfigError(f"{source}: line {current.start_mark.line + 1}: nested deeper than {MAX_DEPTH} levels")
        if isinstance(current, yaml.MappingNode):
            keys: set[tuple[str, str]] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    ident = (key.tag, str(key.value))
                    if ident in keys:
                        raise ConfigError(f"{source}: line {key.start_mark.line + 1}: duplicate key "
                                          f"{str(key.value)[:60]!r} (YAML would silently keep only the last one)")
                    keys.add(ident)
                stack += [(key, depth + 1), (value, depth + 1)]
        elif isinstance(current, yaml.SequenceNode):
            stack += [(item, depth + 1) for item in current.value]


def parse_yaml(data: bytes, source: str) -> Any:
    """The config's YAML, strictly: size-capped, UTF-8, one document, no duplicate keys, bounded nesting."""
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{source}: larger than {MAX_CONFIG_BYTES // 1024} KiB; a config is never this big")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: not UTF-8") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _checked(node, source)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise ConfigError(f"{source}: invalid YAML at {where}: {exc.problem}") from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise ConfigError(f"{source}: invalid YAML: {type(exc).__name__}") from None
    finally:
        loader.dispose()


def load_config(path: Path | None, root: Path) -> Config:
    """Read PATH/.ideogram-prod.yaml (or an explicit file); a missing default file means defaults."""
    explicit = path is not None
    target = path if path is not None else root / CONFIG_NAME
    if target.is_dir():
        raise ConfigError(f"{target}: is a directory, not a config file")
    if not target.is_file():
        if target.exists():
            raise ConfigError(f"{target}: not a regular file")
        if explicit or target.is_symlink():
            raise ConfigError(f"{target}: config file not found")
        return Config()
    try:
        with target.open("rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{target}: cannot read: {exc.strerror}") from None
    return parse_config(parse_yaml(data, str(target)), str(target))


def misnamed_configs(root: Path) -> list[str]:
    """A warning for each config file under a name the tool does not read (`.ideogram-prod.yml`, no dot)."""
    return [f"{name}: not read; the config file is {CONFIG_NAME} (rename it)" for name in MISNAMED
            if (root / name).is_file() or (root / name).is_symlink()]


def config_origin(path: Path | None, root: Path, ref: str | None) -> str:
    """Which config this run used, for the header: the file (and the ref it was read from) or the defaults."""
    from checker.base_ref import read_blob

    rel = CONFIG_NAME if path is None else repo_relative(path, root)
    if ref is None or rel is None:
        shown = CONFIG_NAME if path is None else str(path)
        if path is not None or (root / CONFIG_NAME).is_file():
            return shown
        return f"defaults (no {CONFIG_NAME} found)"
    if read_blob(root, ref, rel, 1) is None:
        return f"defaults (no {rel} at base ref {ref})"
    return f"{rel} (base ref {ref})"


def repo_relative(path: Path, root: Path) -> str | None:
    """`path` relative to the (resolved) root, or None outside it. The file itself is not resolved: a symlink in
    the checkout is the PR's, whatever it points at."""
    absolute = path.absolute()
    try:
        return (absolute.parent.resolve() / absolute.name).relative_to(root).as_posix()
    except ValueError:
        return None


def load_base_config(path: Path | None, root: Path, ref: str) -> Config:
    """The config as `ref` (the PR's base) has it: the PR's own edits to it are not what the gate enforces.

    An explicit --config outside the repository is the operator's, not the PR's: it is read from disk.
    """
    from checker.base_ref import read_blob

    rel = CONFIG_NAME if path is None else repo_relative(path, root)
    if rel is None:
        return load_config(path, root)
    source = f"{ref}:{rel}"
    data = read_blob(root, ref, rel, MAX_CONFIG_BYTES + 1)
    if data is None:
        if path is not None:
            raise ConfigError(f"{source}: config file not found at the base ref")
        return Config()
    return parse_config(parse_yaml(data, source), source)


def config_schema() -> dict[str, Any]:
    schema = Config.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ideogram-prod configuration (.ideogram-prod.yaml)"
    return schema
