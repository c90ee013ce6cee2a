"""Label and field selectors, parsed the way the API server reads `labelSelector`/`fieldSelector`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"\s*(!=|==|=|\(|\)|,|!|[^\s!=(),]+)")


class SelectorError(ValueError):
    pass


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!"
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        has = self.key in labels
        value = labels.get(self.key)
        if self.op == "=":
            return has and value == self.values[0]
        if self.op == "!=":
            return not has or value != self.values[0]
        if self.op == "in":
            return has and value in self.values
        if self.op == "notin":
            return not has or value not in self.values
        if self.op == "exists":
            return has
        return not has


def parse_label_selector(text: str) -> list[Requirement]:
    tokens = [t for t in _TOKEN.findall(text or "") if t]
    reqs: list[Requirement] = []
    i = 0

    def take() -> str:
        nonlocal i
        if i >= len(tokens):
            raise SelectorError(f"unexpected end of selector {text!r}")
        i += 1
        return tokens[i - 1]

    while i < len(tokens):
        tok = take()
        if tok == "!":
            reqs.append(Requirement(take(), "!"))
        else:
            key = tok
            nxt = tokens[i] if i < len(tokens) else ","
            if nxt == ",":
                reqs.append(Requirement(key, "exists"))
            elif nxt in ("=", "==", "!="):
                take()
                reqs.append(Requirement(key, "!=" if nxt == "!=" else "=", (take(),)))
            elif nxt in ("in", "notin"):
                take()
                if take() != "(":
                    raise SelectorError(f"expected '(' in {text!r}")
                values: list[str] = []
                while True:
                    v = take()
                    if v == ")":
                        break
                    if v != ",":
                        values.append(v)
                reqs.append(Requirement(key, nxt, tuple(values)))
            else:
                raise SelectorError(f"unable to parse requirement: {text!r}")
        if i < len(tokens):
            if take() != ",":
                raise SelectorError(f"expected ',' in {text!r}")
    return reqs


def labels_match(reqs: list[Requirement], labels: dict[str, str] | None) -> bool:
    return all(r.matches(labels or {}) for r in reqs)


def label_selector_requirements(selector: dict[str, Any] | None) -> list[Requirement] | None:
    """A metav1.LabelSelector as requirements; None for a nil selector (matches nothing)."""
    if selector is None:
        return None
    reqs = [Requirement(k, "=", (str(v),)) for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        op = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}[expr["operator"]]
        reqs.append(Requirement(expr["key"], op, tuple(expr.get("values") or ())))
    return reqs


def selector_string(selector: dict[str, Any]) -> str:
    parts: list[str] = []
    for r in label_selector_requirements(selector) or []:
        if r.op == "=":
            parts.append(f"{r.key}={r.values[0]}")
        elif r.op in ("in", "notin"):
            parts.append(f"{r.key} {r.op} ({','.join(sorted(r.values))})")
        elif r.op == "exists":
            parts.append(r.key)
        else:
            parts.append(f"!{r.key}")
    return ",".join(parts)


def parse_field_selector(text: str) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for part in filter(None, (text or "").split(",")):
        m = re.fullmatch(r"\s*([^!=\s]+)\s*(!=|==|=)\s*(.*?)\s*", part)
        if not m:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{part}'")
        out.append((m.group(1), "!=" if m.group(2) == "!=" else "=", m.group(3)))
    return out


_FIELDS_ALWAYS = {"metadata.name", "metadata.namespace"}
_FIELDS_BY_KIND = {
    "Pod": {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "status.phase", "status.podIP", "status.nominatedNodeName"},
    "Secret": {"type"},
    "ReplicaSet": {"status.replicas"},
    "Namespace": {"status.phase"},
}


def field_value(obj: dict[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    return "" if cur is None else str(cur)


def fields_match(reqs: list[tuple[str, str, str]], obj: dict[str, Any]) -> bool:
    for path, op, value in reqs:
        actual = field_value(obj, path)
        if (actual == value) != (op == "="):
            return False
    return True


def check_field_selector(reqs: list[tuple[str, str, str]], kind: str) -> None:
    """Reject fields the real server does not index, with its message."""
    for path, _, _ in reqs:
        if path not in _FIELDS_ALWAYS | _FIELDS_BY_KIND.get(kind, set()):
            raise SelectorError(f'field label not supported: {path}')
