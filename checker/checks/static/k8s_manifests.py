"""Kubernetes manifests: the Ideogram key from a secret store, probes, resources, and schema-valid YAML."""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import Any

import yaml

from checker.checks.base import NativeContext, Outcome, decode
from checker.config import KubernetesConfig
from checker.errors import ToolError
from checker.targets import matcher
from checker.tools import Hit

log = logging.getLogger(__name__)

LITERAL, MISSING, PROBES, RESOURCES, INVALID = (
    "k8s-key-literal", "k8s-key-missing", "k8s-probes-missing", "k8s-resources-missing", "k8s-manifest-invalid")
WORKLOAD_IDS = (MISSING, PROBES, RESOURCES)

YAML_SUFFIXES = (".yaml", ".yml")
MAX_DEPTH = 100  # real manifests (CRD schemas included) stay far below; deeper input only hunts for a crash
MAX_BYTES = 5_000_000
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet",
                            "Rollout"})  # Rollout: Argo Rollouts, a Deployment with a pod template
BATCH_KINDS = frozenset({"Job", "CronJob"})  # run to completion: probes make no sense there
KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
# Files of a Helm chart that are chart sources, not rendered output.
CHART_SOURCES = ("Chart.yaml", "Chart.lock", "values*.yaml", "values*.yml", "values.schema.json", "templates/",
                 "charts/", "crds/", ".helmignore")
CSI_SECRET_DRIVERS = frozenset({"secrets-store.csi.k8s.io"})
_ENV_REF = re.compile(r"^\$\([A-Za-z_][A-Za-z0-9_.-]*\)$")  # `$(OTHER)`: expanded by the kubelet, not a literal
_PLACEHOLDER = re.compile(
    r"^(|\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*|\{\{.*\}\}|<[^>]*>|x+|\*+|\.+|changeme|change[-_ ]me|replace[-_ ]?me|todo|"
    r"placeholder|dummy|example|redacted|secret|none|null|your[-_ ].*)$",
    re.IGNORECASE,
)


class _Loader(yaml.SafeLoader):
    """SafeLoader as Kubernetes reads YAML: dates stay strings, unknown tags keep their scalar."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# NOTE: a bare `=` resolves to the `value` tag, which SafeLoader cannot build: github.com/yaml/pyyaml/issues/89
_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: str(node.value))
_Loader.add_multi_constructor(
    "!", lambda loader, suffix, node: node.value if isinstance(node, yaml.ScalarNode) else None)


# --- YAML nodes: the logic reads nodes so that every finding has the line of the offending node ---

def child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                found: yaml.Node = v
                return found
    return None


def key_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k
    return None


def dig(node: yaml.Node | None, *keys: str) -> yaml.Node | None:
    for key in keys:
        node = child(node, key)
    return node


def items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def keys(node: yaml.Node | None) -> list[str]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]


def text(node: yaml.Node | None) -> str | None:
    """A scalar's text; None for a missing node, a mapping, a sequence or an explicit null."""
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        return None
    return str(node.value)


def line_of(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def node_at(root: yaml.Node, path: Iterable[str | int]) -> yaml.Node:
    """The deepest node along a JSON path (a schema error's path), so a finding points at the field."""
    node = root
    for part in path:
        nxt = child(node, part) if isinstance(part, str) else (
            items(node)[part] if 0 <= part < len(items(node)) else None)
        if nxt is None:
            break
        node = nxt
    return node


def json_path(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


@dataclass(frozen=True, slots=True)
class Document:
    node: yaml.Node
    data: Any


def documents(source: str) -> list[Document]:
    """Every non-empty document of a (multi-document) YAML text; raises yaml.YAMLError."""
    loader = _Loader(source)
    docs: list[Document] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            data = loader.construct_document(node)
            if data is not None:
                docs.append(Document(node, data))
    finally:
        loader.dispose()
    return docs


# --- manifests ---

@dataclass(frozen=True, slots=True)
class Manifest:
    """One Kubernetes object in one file (List items are objects of their own)."""

    path: str
    node: yaml.MappingNode
    data: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def api_version(self) -> str:
        return str(self.data.get("apiVersion", ""))

    @property
    def name(self) -> str:
        return text(dig(self.node, "metadata", "name")) or "(unnamed)"

    @property
    def namespace(self) -> str | None:
        return text(dig(self.node, "metadata", "namespace"))

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def line(self) -> int:
        kind = key_node(self.node, "kind")
        return line_of(kind if kind is not None else self.node)


def is_object(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str)


def is_workload(data: Any) -> bool:
    return is_object(data) and data["kind"] in WORKLOAD_KINDS


def pod_template(node: yaml.Node, kind: str, part: str) -> yaml.Node | None:
    """The pod's `spec` or `metadata`, wherever the workload kind keeps its pod template."""
    if kind == "Pod":
        return child(node, part)
    if kind == "CronJob":
        return dig(node, "spec", "jobTemplate", "spec", "template", part)
    return dig(node, "spec", "template", part)


def containers(spec: yaml.Node | None, init: bool = False) -> list[yaml.Node]:
    found = items(child(spec, "containers"))
    if init:
        found += items(child(spec, "initContainers")) + items(child(spec, "ephemeralContainers"))
    return found


def env_entry(container: yaml.Node, name: str) -> yaml.Node | None:
    for entry in items(child(container, "env")):
        if text(child(entry, "name")) == name:
            return entry
    return None


def mentions_ideogram(node: yaml.Node | None) -> bool:
    """True if any key or scalar under node mentions ideogram (names, labels, images)."""
    if node is None:
        return False
    if isinstance(node, yaml.ScalarNode):
        return "ideogram" in str(node.value).lower()
    if isinstance(node, yaml.SequenceNode):
        return any(mentions_ideogram(n) for n in node.value)
    if isinstance(node, yaml.MappingNode):
        return any(mentions_ideogram(k) or mentions_ideogram(v) for k, v in node.value)
    return False


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(value.strip()))


@dataclass(slots=True)
class Inventory:
    """What the repository holds: manifests, Kustomize patches (partial objects) and generator literals."""

    manifests: list[Manifest] = field(default_factory=list)
    patches: list[Manifest] = field(default_factory=list)
    kustomizations: list[tuple[str, yaml.Node]] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    broken: list[Hit] = field(default_factory=list)  # files in kubernetes.paths that are not valid YAML


def chart_dirs(files: Iterable[str]) -> list[str]:
    """Directories holding a Helm chart: a Chart.yaml next to a templates/ folder."""
    files = list(files)
    dirs = []
    for f in files:
        p = PurePosixPath(f)
        if p.name == "Chart.yaml":
            base = "" if str(p.parent) == "." else f"{p.parent}/"
            if any(g.startswith(f"{base}templates/") for g in files):
                dirs.append(base.rstrip("/") or ".")
    return sorted(dirs)


def _in_chart(path: str, charts: list[str]) -> bool:
    sources = matcher(CHART_SOURCES)
    for chart in charts:
        base = "" if chart == "." else f"{chart}/"
        if path.startswith(base) and sources.match_file(path[len(base):]):
            return True
    return False


def _patch_files(path: str, node: yaml.Node) -> set[str]:
    """Files a kustomization names as patches: partial objects that must not be validated as whole ones."""
    base = PurePosixPath(path).parent
    names: list[str] = []
    for entry in items(child(node, "patchesStrategicMerge")):
        names.append(text(entry) or "")
    for key in ("patches", "patchesJson6902"):
        for entry in items(child(node, key)):
            names.append(text(entry) or text(child(entry, "path")) or "")
    out = set()
    for name in names:
        if name and "\n" not in name:
            out.add(posixpath.normpath(PurePosixPath(base, name).as_posix()))
    return out


def _objects(path: str, doc: Document) -> Iterator[Manifest]:
    if not is_object(doc.data) or not isinstance(doc.node, yaml.MappingNode):
        return
    if doc.data["kind"] == "List" or (doc.data["kind"].endswith("List") and isinstance(doc.data.get("items"), list)):
        for node, data in zip(items(child(doc.node, "items")), doc.data.get("items") or [], strict=False):
            if is_object(data) and isinstance(node, yaml.MappingNode):
                yield Manifest(path, node, data)
        return
    yield Manifest(path, doc.node, doc.data)


def depth(node: yaml.Node) -> int:
    """How deep a node tree goes, without recursion (the tree may be deep enough to overflow the stack)."""
    deepest = 0
    stack: list[tuple[yaml.Node, int]] = [(node, 1)]
    seen: set[int] = set()
    while stack:
        current, level = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        deepest = max(deepest, level)
        if isinstance(current, yaml.MappingNode):
            stack += [(n, level + 1) for pair in current.value for n in pair]
        elif isinstance(current, yaml.SequenceNode):
            stack += [(n, level + 1) for n in current.value]
    return deepest


def _too_deep(path: str, raw: bytes) -> Hit:
    return Hit(INVALID, path, 1, 1, "yaml-too-deep",
               f"YAML nested too deeply to read ({len(raw)} bytes); no Kubernetes object is nested like this")


def inventory(ctx: NativeContext, cfg: KubernetesConfig) -> Inventory:
    """Every file is read through the context: one that cannot be read or decoded is an `error` result."""
    files = list(ctx.files)
    inv = Inventory(charts=chart_dirs(files))
    in_paths = matcher(cfg.paths)
    parsed: dict[str, list[Document]] = {}
    for path in files:
        if not path.endswith(YAML_SUFFIXES) and PurePosixPath(path).name != "Kustomization":
            continue
        if _in_chart(path, inv.charts):
            continue
        listed = in_paths.match_file(path)
        raw = ctx.read_bytes(path)
        if len(raw) > MAX_BYTES:
            if listed:
                raise ToolError(f"{path}: larger than {MAX_BYTES} bytes, too big to read as a manifest")
            log.info("%s: larger than %d bytes, not read as a manifest", path, MAX_BYTES)
            continue
        try:
            docs = documents(decode(path, raw))
            if any(depth(d.node) > MAX_DEPTH for d in docs):
                raise RecursionError
            parsed[path] = docs
        except RecursionError:
            # NOTE: PyYAML composes recursively; a deeply nested file is this file's finding, not a crash.
            if listed or (b"apiVersion" in raw and b"kind" in raw):
                inv.broken.append(_too_deep(path, raw))
            continue
        except yaml.YAMLError as exc:
            if listed:
                mark = getattr(exc, "problem_mark", None)
                last = max(1, raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1))
                line = min(int(mark.line) + 1, last) if mark is not None else 1
                problem = getattr(exc, "problem", None) or type(exc).__name__
                inv.broken.append(Hit(INVALID, path, line, line, "yaml-syntax",
                                      f"not valid YAML: {problem}"))
            continue
        if not listed and not any(is_workload(d.data) for d in parsed[path]):
            del parsed[path]
    patch_files: set[str] = set()
    for path, docs in parsed.items():
        if PurePosixPath(path).name in KUSTOMIZATION_NAMES:
            for doc in docs:
                inv.kustomizations.append((path, doc.node))
                patch_files |= _patch_files(path, doc.node)
    for path, docs in sorted(parsed.items()):
        if PurePosixPath(path).name in KUSTOMIZATION_NAMES:
            continue
        target = inv.patches if path in patch_files else inv.manifests
        for doc in docs:
            if isinstance(doc.data, dict) and ("kind" in doc.data or "apiVersion" in doc.data) \
                    and not is_object(doc.data) and target is inv.manifests:
                line = line_of(doc.node)
                inv.broken.append(Hit(INVALID, path, line, line, "no-apiversion-kind",
                                      "a Kubernetes object needs both apiVersion and kind (strings)"))
            target.extend(_objects(path, doc))
    return inv


# --- k8s-key-literal ---

def literal_hits(inv: Inventory, key_env: str) -> list[Hit]:
    """The key given in plain text: env `value:`, a ConfigMap, a committed Secret, a generator literal."""
    hits: list[Hit] = []
    for m in [*inv.manifests, *inv.patches]:
        if m.kind in WORKLOAD_KINDS:
            for c in containers(pod_template(m.node, m.kind, "spec"), init=True):
                entry = env_entry(c, key_env)
                value = child(entry, "value")
                literal = text(value)
                if value is None or not literal or _ENV_REF.match(literal.strip()):
                    continue
                cname = text(child(c, "name")) or "?"
                hits.append(Hit(LITERAL, m.path, line_of(value), line_of(value),
                                f"env:{m.kind}/{m.name}/{cname}",
                                f"{key_env} is a literal `value:` in {m.label} (container {cname}); "
                                f"use valueFrom.secretKeyRef or envFrom.secretRef"))
        elif m.kind == "ConfigMap":
            for section in ("data", "binaryData"):
                value = child(child(m.node, section), key_env)
                if value is not None and text(value):
                    hits.append(Hit(LITERAL, m.path, line_of(value), line_of(value), f"configmap:{m.name}",
                                    f"ConfigMap {m.name} holds {key_env} in plain text; keep it in a Secret "
                                    f"fed from a secret store"))
        elif m.kind == "Secret" and m.api_version == "v1" and child(m.node, "sops") is None:
            for section in ("stringData", "data"):
                value = child(child(m.node, section), key_env)
                literal = text(value)
                if value is not None and literal and not is_placeholder(literal) \
                        and not literal.startswith("ENC["):
                    hits.append(Hit(LITERAL, m.path, line_of(value), line_of(value), f"secret:{m.name}",
                                    f"Secret {m.name} commits {key_env} to the repository (base64 is not "
                                    f"encryption); use External Secrets, Sealed Secrets, SOPS or a CSI driver"))
    for path, node in inv.kustomizations:
        for gen in ("secretGenerator", "configMapGenerator"):
            for entry in items(child(node, gen)):
                for lit in items(child(entry, "literals")):
                    name, _, given = (text(lit) or "").partition("=")
                    if name.strip() == key_env and given.strip() and not is_placeholder(given):
                        gname = text(child(entry, "name")) or "?"
                        hits.append(Hit(LITERAL, path, line_of(lit), line_of(lit), f"{gen}:{gname}",
                                        f"{gen} {gname} has {key_env} as a literal in the kustomization; "
                                        f"generate it from a file outside git or an External Secrets source"))
    return hits


# --- workloads ---

@dataclass(frozen=True, slots=True)
class Workload:
    manifest: Manifest
    spec: yaml.Node | None

    @property
    def containers(self) -> list[yaml.Node]:
        return containers(self.spec)

    def references_key(self, key_env: str) -> bool:
        return any(env_entry(c, key_env) is not None for c in containers(self.spec, init=True))

    def mentions_ideogram(self) -> bool:
        meta = self.manifest.node
        if mentions_ideogram(dig(meta, "metadata", "name")) or mentions_ideogram(dig(meta, "metadata", "labels")):
            return True
        if mentions_ideogram(child(pod_template(meta, self.manifest.kind, "metadata"), "labels")):
            return True
        return any(mentions_ideogram(child(c, "name")) or mentions_ideogram(child(c, "image"))
                   for c in self.containers)

    def ideogram_containers(self, key_env: str) -> list[yaml.Node]:
        """The containers that talk to Ideogram; all of them when none can be told apart."""
        own = [c for c in self.containers if env_entry(c, key_env) is not None
               or mentions_ideogram(child(c, "name")) or mentions_ideogram(child(c, "image"))]
        return own or self.containers


def workloads(inv: Inventory) -> list[Workload]:
    return [Workload(m, pod_template(m.node, m.kind, "spec")) for m in inv.manifests if m.kind in WORKLOAD_KINDS]


def targets(all_workloads: list[Workload], cfg: KubernetesConfig) -> list[Workload]:
    """kubernetes.workload's names and globs (an integration often runs as web, worker and cron); else found
    by content."""
    patterns = cfg.workload_patterns()
    if patterns:
        return [w for w in all_workloads if any(fnmatchcase(w.manifest.name, p) for p in patterns)]
    return [w for w in all_workloads if w.references_key(cfg.key_env) or w.mentions_ideogram()]


def unmatched_patterns(all_workloads: list[Workload], cfg: KubernetesConfig) -> list[str]:
    """The configured names/globs that match no workload: a typo must not leave a workload unjudged."""
    return [p for p in cfg.workload_patterns() if not any(fnmatchcase(w.manifest.name, p) for w in all_workloads)]


def key_sources(w: Workload, container: yaml.Node, key_env: str) -> bool:
    """Does this container receive the key from anywhere (a literal counts here; k8s-key-literal flags it)?"""
    entry = env_entry(container, key_env)
    if entry is not None and (child(entry, "valueFrom") is not None or text(child(entry, "value"))):
        return True
    if any(child(src, "secretRef") is not None for src in items(child(container, "envFrom"))):
        return True
    mounted = {text(child(vm, "name")) for vm in items(child(container, "volumeMounts"))}
    for volume in items(child(w.spec, "volumes")):
        if text(child(volume, "name")) not in mounted:
            continue
        if text(dig(volume, "csi", "driver")) in CSI_SECRET_DRIVERS:
            return True
        if mentions_ideogram(dig(volume, "secret", "secretName")) or mentions_ideogram(child(volume, "projected")):
            return True
    annotations = child(pod_template(w.manifest.node, w.manifest.kind, "metadata"), "annotations")
    return any(k.startswith("vault.hashicorp.com/agent-inject-secret") for k in keys(annotations))


def missing_hits(ws: list[Workload], key_env: str) -> list[Hit]:
    hits = []
    for w in ws:
        if any(key_sources(w, c, key_env) for c in w.containers):
            continue
        m = w.manifest
        anchor = key_node(w.spec, "containers") or m.node
        hits.append(Hit(MISSING, m.path, line_of(anchor), line_of(anchor), f"{m.kind}/{m.name}",
                        f"{m.label} gives no container {key_env} (valueFrom.secretKeyRef, envFrom.secretRef "
                        f"or a CSI secret volume)"))
    return hits


def probe_hits(ws: list[Workload], key_env: str) -> list[Hit]:
    hits = []
    for w in ws:
        m = w.manifest
        if m.kind in BATCH_KINDS:
            continue
        for c in w.ideogram_containers(key_env):
            missing = [p for p in ("readinessProbe", "livenessProbe") if child(c, p) is None]
            if not missing:
                continue
            cname = text(child(c, "name")) or "?"
            anchor = child(c, "name") or c
            hits.append(Hit(PROBES, m.path, line_of(anchor), line_of(anchor), f"{m.kind}/{m.name}/{cname}",
                            f"container {cname} of {m.label} has no {' or '.join(missing)}"))
    return hits


def _limit_range_defaults(inv: Inventory) -> dict[str | None, set[str]]:
    """Per namespace, the container requests/limits a LimitRange fills in (e.g. `requests.cpu`)."""
    out: dict[str | None, set[str]] = {}
    for m in inv.manifests:
        if m.kind != "LimitRange":
            continue
        for limit in items(dig(m.node, "spec", "limits")):
            if text(child(limit, "type")) != "Container":
                continue
            got = out.setdefault(m.namespace, set())
            got |= {f"limits.{r}" for r in keys(child(limit, "default"))}
            got |= {f"requests.{r}" for r in keys(child(limit, "defaultRequest"))}
    return out


def resource_gaps(container: yaml.Node, defaults: set[str], require_cpu_limit: bool) -> list[str]:
    """Which of requests/limits for cpu/memory are unset; Kubernetes copies a limit to an unset request."""
    res = child(container, "resources")
    have = {f"{kind}.{r}" for kind in ("requests", "limits") for r in keys(child(res, kind))} | defaults
    want = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]
    if not require_cpu_limit:
        want.remove("limits.cpu")
    gaps = []
    for item in want:
        kind, _, r = item.partition(".")
        if item in have or (kind == "requests" and f"limits.{r}" in have):
            continue
        gaps.append(item)
    return gaps


def resource_hits(inv: Inventory, ws: list[Workload], require_cpu_limit: bool) -> list[Hit]:
    ranges = _limit_range_defaults(inv)
    hits = []
    for w in ws:
        m = w.manifest
        defaults = ranges.get(m.namespace, set()) | (ranges.get(None, set()) if m.namespace else set())
        for c in w.containers:
            gaps = resource_gaps(c, defaults, require_cpu_limit)
            if not gaps:
                continue
            cname = text(child(c, "name")) or "?"
            anchor = key_node(c, "resources") or child(c, "name") or c
            hits.append(Hit(RESOURCES, m.path, line_of(anchor), line_of(anchor), f"{m.kind}/{m.name}/{cname}",
                            f"container {cname} of {m.label} sets no {', '.join(gaps)}"))
    return hits


# --- k8s-manifest-invalid ---

def schema_version(wanted: str) -> str:
    """The kubernetes-validate schema set for `wanted`; ToolError when the package has none that old/new."""
    from kubernetes_validate import __version__ as kv_version  # type: ignore[import-untyped]
    from kubernetes_validate.utils import all_versions  # type: ignore[import-untyped]
    from packaging.version import InvalidVersion, Version

    try:
        want = Version(wanted.removeprefix("v"))
    except InvalidVersion:
        raise ToolError(f"kubernetes.kubernetes_version {wanted!r} is not a version like 1.30.0") from None
    known = [Version(v) for v in all_versions()]
    minor = (want.major, want.minor)
    if not any((v.major, v.minor) == minor for v in known):
        raise ToolError(f"kubernetes.kubernetes_version {wanted} is not covered by kubernetes-validate "
                        f"{kv_version} (schemas {known[0].major}.{known[0].minor} to "
                        f"{known[-1].major}.{known[-1].minor})")
    return f"{want.major}.{want.minor}.0"


def schema_error_text(exc: Any) -> tuple[list[str | int], str]:
    """Where and what, built from the schema error's parts: never the offending value (it may be a secret)."""
    path = list(exc.path)
    validator = exc.validator
    if validator == "additionalProperties" and isinstance(exc.instance, dict):
        known = set((exc.schema or {}).get("properties", {}))
        extra = sorted(str(k) for k in exc.instance if k not in known)
        if extra:
            return [*path, extra[0]], f"unknown field {extra[0]!r}"
    if validator == "required" and isinstance(exc.instance, dict):
        absent = [r for r in exc.validator_value if r not in exc.instance]
        if absent:
            return path, f"missing required field {absent[0]!r}"
    if validator == "type":
        want = exc.validator_value if isinstance(exc.validator_value, list) else [exc.validator_value]
        return path, "expected " + " or ".join(str(w) for w in want if w != "null")
    if validator == "enum":
        return path, "must be one of " + ", ".join(repr(v) for v in exc.validator_value)
    return path, f"fails the schema's {validator!r} rule"


def invalid_hits(inv: Inventory, version: str, strict: bool) -> tuple[list[Hit], int, int]:
    """Validates every manifest offline; objects without a schema (CRDs) are counted, never invalid."""
    import kubernetes_validate

    hits = list(inv.broken)
    checked = unknown = 0
    for m in inv.manifests:
        try:
            kubernetes_validate.validate(m.data, version, strict=strict)
            checked += 1
        except kubernetes_validate.SchemaNotFoundError:
            unknown += 1
        except kubernetes_validate.ValidationError as exc:
            checked += 1
            path, what = schema_error_text(exc)
            node = node_at(m.node, path)
            if len(path) > len(exc.path):  # an unknown field: point at its key
                node = key_node(node_at(m.node, list(exc.path)), str(path[-1])) or node
            line = line_of(node)
            hits.append(Hit(INVALID, m.path, line, line, f"{m.kind}/{m.name}:{json_path(path)}:{exc.validator}",
                            f"{m.label}: {json_path(path)}: {what} (Kubernetes {exc.version} schema)"))
        except Exception as exc:  # noqa: BLE001 - a validator crash is an `error` result, never a pass
            raise ToolError(f"kubernetes-validate failed on {m.path} ({m.label}): {type(exc).__name__}") from None
    return hits, checked, unknown


# --- the runner ---

def _unmatched_reason(unmatched: list[str], ws: list[Workload]) -> str:
    shown = ", ".join(repr(p) for p in unmatched)
    return f"kubernetes.workload {shown} matches none of the {len(ws)} workload(s) in the manifests"


def _no_workload_reason(inv: Inventory, ws: list[Workload], cfg: KubernetesConfig) -> str:
    if cfg.workload_patterns():
        return _unmatched_reason(unmatched_patterns(ws, cfg), ws)
    return (f"no workload among {len(ws)} references {cfg.key_env} or mentions ideogram; "
            f"set kubernetes.workload")


def _chart_note(inv: Inventory) -> str:
    if not inv.charts:
        return ""
    return f"; Helm chart(s) not rendered here: {', '.join(inv.charts)}"


def run(ctx: NativeContext) -> Outcome:
    cfg = ctx.config.kubernetes
    wanted = set(ctx.check_ids)
    inv = inventory(ctx, cfg)
    hits: list[Hit] = []
    skipped: dict[str, str] = {}
    notes: dict[str, str] = {}
    files = len({m.path for m in [*inv.manifests, *inv.patches]} | {p for p, _ in inv.kustomizations})
    if not inv.manifests and not inv.patches and not inv.kustomizations and not inv.broken:
        if inv.charts:
            reason = (f"only Helm chart(s) found ({', '.join(inv.charts)}) and no rendered output; run "
                      f"`helm template` into a directory listed in kubernetes.paths")
        else:
            reason = "no Kubernetes manifests found (kubernetes.paths, or any YAML with a workload)"
            return Outcome(skipped={i: reason for i in wanted}, not_applicable=frozenset(wanted))
        return Outcome(skipped={i: reason for i in wanted})
    if LITERAL in wanted:
        hits += literal_hits(inv, cfg.key_env)
        notes[LITERAL] = f"{len(inv.manifests) + len(inv.patches)} object(s) in {files} file(s) checked" \
                         + _chart_note(inv)
    if INVALID in wanted:
        version = schema_version(cfg.kubernetes_version)
        found, checked, unknown = invalid_hits(inv, version, cfg.strict)
        hits += found
        notes[INVALID] = (f"{checked} object(s) validated against Kubernetes {version.rsplit('.', 1)[0]}"
                          + (f"; {unknown} custom resource(s) without a schema" if unknown else "")
                          + _chart_note(inv))
    all_ws = workloads(inv)
    ts = targets(all_ws, cfg)
    if not ts:
        reason = _no_workload_reason(inv, all_ws, cfg) + _chart_note(inv)
        skipped.update({i: reason for i in WORKLOAD_IDS if i in wanted})
        # no Ideogram workload among the manifests: those checks do not apply (a named workload not found does)
        none_here = frozenset(skipped) if not cfg.workload and not inv.charts else frozenset()
        return Outcome(hits, skipped, notes, not_applicable=none_here)
    names = ", ".join(sorted({f"{w.manifest.kind}/{w.manifest.name}" for w in ts}))
    for check_id in WORKLOAD_IDS:
        notes[check_id] = f"workload(s) checked: {names}"
    unmatched = unmatched_patterns(all_ws, cfg)
    if unmatched:
        # the matched workloads are judged (their findings fail the check); without findings the check is
        # skipped with the names that matched nothing, never passed
        reason = f"{_unmatched_reason(unmatched, all_ws)} (judged: {names})"
        skipped.update({i: reason for i in WORKLOAD_IDS if i in wanted})
        notes.update({i: f"workload(s) checked: {names}; {_unmatched_reason(unmatched, all_ws)}"
                      for i in WORKLOAD_IDS})
    if MISSING in wanted:
        hits += missing_hits(ts, cfg.key_env)
    if PROBES in wanted:
        hits += probe_hits(ts, cfg.key_env)
    if RESOURCES in wanted:
        hits += resource_hits(inv, ts, cfg.require_cpu_limit)
    return Outcome(hits, skipped, {k: v for k, v in notes.items() if k in wanted})
