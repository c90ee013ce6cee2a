r"""Just enough PromQL to tell what an alert expression measures, and to scope a query to one track's series.

Ours, not promql-parser (PyPI 0.12): it prints `"5\\d"` back as `"5\d"` (Prometheus rejects it) and builds no nodes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import durationpy

# --- syntax tree ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Num:
    value: float


@dataclass(frozen=True, slots=True)
class Str:
    value: str


@dataclass(frozen=True, slots=True)
class Selector:
    name: str
    matchers: tuple[tuple[str, str, str], ...]  # (label, op, value); op in = != =~ !~
    range_s: float | None = None


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Agg:
    op: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    lhs: Node
    rhs: Node
    bool_: bool = False


@dataclass(frozen=True, slots=True)
class Subquery:
    expr: Node


Node = Num | Str | Selector | Call | Agg | Binary | Subquery


class PromQLError(ValueError):
    """The expression is outside the subset this module understands (or is not PromQL)."""


# --- lexer ---------------------------------------------------------------------------------------

AGGREGATORS = frozenset({"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
                         "bottomk", "topk", "quantile", "limitk", "limit_ratio"})
COMPARISONS = frozenset({"==", "!=", ">", "<", ">=", "<="})
_TOKEN = re.compile(r"""
    (?P<ws>\s+|\#[^\n]*)
  | (?P<duration>(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w|y))+)(?![\w.])
  | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
  | (?P<op>=~|!~|==|!=|<=|>=|[-+*/%^<>=(){}\[\],:@])
""", re.VERBOSE)


def _duration_s(text: str) -> float:
    """A duration token (the lexer admits only PromQL's units, which durationpy reads alike) in seconds."""
    return float(durationpy.from_str(text).total_seconds())


def _unquote(text: str) -> str:
    body = text[1:-1]
    if text[0] == "`":
        return body
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _lex(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) of every token but whitespace and comments."""
    out: list[tuple[str, str, int, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise PromQLError(f"unexpected character {text[pos]!r}")
        pos = m.end()
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append((kind, m.group(), m.start(), m.end()))
    return out


def tokens(text: str) -> list[tuple[str, str]]:
    return [(kind, tok) for kind, tok, _, _ in _lex(text)]


@dataclass(frozen=True, slots=True)
class _Site:
    """Where a vector selector sits in the text: its metric, the end of its name and its `{...}` span, if any."""

    metric: str
    name_end: int
    braces: tuple[int, int] | None
    matchers: tuple[tuple[str, str, str], ...]


# --- parser (precedence climbing; PromQL's binary operator precedence, lowest first) --------------

_LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"or"}), frozenset({"and", "unless"}), COMPARISONS, frozenset({"+", "-"}),
    frozenset({"*", "/", "%", "atan2"}), frozenset({"^"}),
)


class _Parser:
    def __init__(self, text: str) -> None:
        lexed = _lex(text)
        self.toks = [(kind, tok) for kind, tok, _, _ in lexed]
        self.spans = [(start, end) for _, _, start, end in lexed]
        self.i = 0
        self.sites: list[_Site] = []  # every vector selector, for `scoped`
        self.ranges: list[tuple[int, int]] = []  # the duration of every range selector's `[...]`

    def _site(self, name: str, name_end: int) -> tuple[tuple[str, str, str], ...]:
        """The matchers after a metric name (or a bare `{...}`), with their place in the text recorded."""
        braces: tuple[int, int] | None = None
        matchers: tuple[tuple[str, str, str], ...] = ()
        if self.at("{"):
            start = self.spans[self.i][0]
            matchers = self.matchers()
            braces = (start, self.spans[self.i - 1][1])
        metric = name or next((v for label, op, v in matchers if label == "__name__" and op == "="), "")
        self.sites.append(_Site(metric, name_end, braces, matchers))
        return matchers

    def peek(self, offset: int = 0) -> tuple[str, str]:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else ("eof", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if value is not None and tok[1].lower() != value:
            raise PromQLError(f"expected {value!r}, got {tok[1] or 'end of expression'!r}")
        self.i += 1
        return tok

    def at(self, *values: str) -> bool:
        kind, text = self.peek()
        return kind in ("op", "ident") and text.lower() in values

    def parse(self) -> Node:
        node = self.expr(0)
        if self.peek()[0] != "eof":
            raise PromQLError(f"unexpected {self.peek()[1]!r}")
        return node

    def expr(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        lhs = self.expr(level + 1)
        while self.at(*_LEVELS[level]):
            op = self.take()[1].lower()
            bool_ = False
            if self.at("bool"):
                self.take()
                bool_ = True
            self.modifiers()
            # `^` is right-associative; every other level is left-associative.
            rhs = self.expr(level) if op == "^" else self.expr(level + 1)
            lhs = Binary(op, lhs, rhs, bool_)
        return lhs

    def modifiers(self) -> None:
        """Vector matching (on/ignoring/group_left/group_right) does not change what is measured."""
        while self.at("on", "ignoring", "group_left", "group_right"):
            self.take()
            if self.at("("):
                self.labels()

    def labels(self) -> tuple[str, ...]:
        self.take("(")
        names: list[str] = []
        while not self.at(")"):
            names.append(self.take()[1])
            if self.at(","):
                self.take()
        self.take(")")
        return tuple(names)

    def unary(self) -> Node:
        if self.at("-", "+"):
            sign = -1.0 if self.take()[1] == "-" else 1.0
            inner = self.unary()
            return Num(sign * inner.value) if isinstance(inner, Num) else Binary("*", Num(sign), inner)
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            if self.at("["):
                self.take()
                duration = self.i
                rng = _duration_s(self.take()[1])
                kind, text = self.peek()
                if self.at(":") or (kind == "ident" and text.startswith(":")):  # `[10m:1m]` lexes `:1m` as a name
                    self.take()
                    if text == ":" and not self.at("]"):
                        self.take()
                    self.take("]")
                    node = Subquery(node)
                    continue
                self.take("]")
                if not isinstance(node, Selector):
                    raise PromQLError("range on a non-selector")
                self.ranges.append(self.spans[duration])
                node = Selector(node.name, node.matchers, rng)
            elif self.at("offset"):
                self.take()
                if self.at("-"):
                    self.take()
                self.take()
            elif self.at("@"):
                self.take()
                if self.peek()[0] == "ident":
                    self.take()
                    self.take("(")
                    self.take(")")
                else:
                    self.take()
            else:
                return node

    def primary(self) -> Node:
        kind, text = self.peek()
        if kind == "number":
            self.take()
            return Num(float(int(text, 16)) if text.lower().startswith("0x") else float(text))
        if kind == "duration":  # a bare duration is a number of seconds in newer PromQL
            self.take()
            return Num(_duration_s(text))
        if kind == "string":
            self.take()
            return Str(_unquote(text))
        if self.at("("):
            self.take()
            node = self.expr(0)
            self.take(")")
            return node
        if self.at("{"):
            return Selector("", self._site("", self.spans[self.i][0]))
        if kind != "ident":
            raise PromQLError(f"unexpected {text or 'end of expression'!r}")
        lowered = text.lower()
        if lowered in ("inf", "nan"):
            self.take()
            return Num(float(lowered))
        if lowered in AGGREGATORS and (self.peek(1)[1] == "(" or self.peek(1)[1].lower() in ("by", "without")):
            return self.aggregation()
        self.take()
        if self.at("("):
            return Call(lowered, self.call_args())
        return Selector(text, self._site(text, self.spans[self.i - 1][1]))

    def aggregation(self) -> Node:
        op = self.take()[1].lower()
        if self.at("by", "without"):
            self.take()
            self.labels()
        args = self.call_args()
        if self.at("by", "without"):
            self.take()
            self.labels()
        return Agg(op, args)

    def call_args(self) -> tuple[Node, ...]:
        self.take("(")
        args: list[Node] = []
        while not self.at(")"):
            args.append(self.expr(0))
            if self.at(","):
                self.take()
            elif not self.at(")"):
                raise PromQLError(f"expected ',' or ')', got {self.peek()[1]!r}")
        self.take(")")
        return tuple(args)

    def matchers(self) -> tuple[tuple[str, str, str], ...]:
        self.take("{")
        found: list[tuple[str, str, str]] = []
        while not self.at("}"):
            label = self.take()[1]
            if label.startswith(('"', "'", "`")):
                label = _unquote(label)
            op = self.take()[1]
            if op not in ("=", "!=", "=~", "!~"):
                raise PromQLError(f"bad matcher operator {op!r}")
            kind, value = self.take()
            if kind != "string":
                raise PromQLError("a matcher value must be a string")
            found.append((label, op, _unquote(value)))
            if self.at(","):
                self.take()
        self.take("}")
        return tuple(found)


def parse(text: str) -> Node:
    return _Parser(text).parse()


def label_matchers(text: str) -> tuple[tuple[str, str, str], ...]:
    """`a="b", c=~"d"` (a configured selector) as matchers; PromQLError unless it is exactly that."""
    parser = _Parser("{" + text + "}")
    node = parser.parse()
    if not isinstance(node, Selector) or not node.matchers:
        raise PromQLError("expected label matchers such as track=\"canary\"")
    return node.matchers


def render_matchers(matchers: tuple[tuple[str, str, str], ...]) -> str:
    """Matchers as PromQL text; values quoted with escapes (a JSON string is a valid PromQL string)."""
    def name(label: str) -> str:
        return label if re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", label) else json.dumps(label, ensure_ascii=False)

    return ", ".join(f"{name(label)}{op}{json.dumps(value, ensure_ascii=False)}" for label, op, value in matchers)


def scoped(text: str, metrics: Collection[str], selector: str, window: str) -> str:
    """`text` with `selector`'s matchers added to every selector of one of `metrics` and every range set to `window`.

    The edits are at the places the parser found, so strings, other metrics and the rest of the text stay as written.
    Raises PromQLError when `text` or `selector` is not PromQL, or `window` not a duration.
    """
    if not re.fullmatch(r"(?:\d+(?:ms|s|m|h|d|w|y))+", window):
        raise PromQLError(f"not a duration: {window!r}")
    extra = label_matchers(selector)
    parser = _Parser(text)
    parser.parse()
    edits: list[tuple[int, int, str]] = [(start, end, window) for start, end in parser.ranges]
    for site in parser.sites:
        if site.metric in metrics:
            start, end = site.braces or (site.name_end, site.name_end)
            edits.append((start, end, "{" + render_matchers(site.matchers + extra) + "}"))
    out = text
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    return out


# --- what an expression measures ------------------------------------------------------------------

STATUS_LABELS = ("status", "code", "status_code", "http_status", "response_code")
ALL_CODES: frozenset[str] = frozenset(str(c) for c in range(100, 600))
_PASS_THROUGH_AGGS = frozenset({"sum", "max"})
_UNIT_SUFFIXES = ("_seconds", "_milliseconds", "_ms")


@dataclass(frozen=True, slots=True)
class Signal:
    """A measured value: `count` is (events per second) x factor; `quantile` is (seconds) x factor."""

    kind: str  # "count" or "quantile"
    metric: str  # counters as written; latency metrics without unit and _bucket suffixes
    statuses: frozenset[str]  # HTTP codes the selector keeps (count only; empty for quantiles)
    factor: float
    quantile: float = 0.0


@dataclass(frozen=True, slots=True)
class Condition:
    """`signal comparator threshold`, with the number always on the right."""

    signal: Signal
    comparator: str
    threshold: float

    @property
    def base_threshold(self) -> float:
        """The threshold in base units: events per second, or seconds."""
        return self.threshold / self.signal.factor


def _matches(op: str, pattern: str, value: str) -> bool:
    if op == "=":
        return value == pattern
    if op == "!=":
        return value != pattern
    try:
        hit = re.fullmatch(pattern, value) is not None  # PromQL regexes are fully anchored
    except re.error:
        return False
    return hit if op == "=~" else not hit


def status_codes(matchers: tuple[tuple[str, str, str], ...]) -> frozenset[str]:
    codes = ALL_CODES
    for label, op, value in matchers:
        if label in STATUS_LABELS:
            codes = frozenset(c for c in codes if _matches(op, value, c))
    return codes


def latency_metric(name: str) -> tuple[str, float]:
    """(`name` without _bucket and unit suffix, the factor from seconds to the metric's unit)."""
    base = name.removesuffix("_bucket")
    for suffix in _UNIT_SUFFIXES:
        if base.endswith(suffix):
            return base.removesuffix(suffix), 1.0 if suffix == "_seconds" else 1000.0
    return base, 1.0


def _selector_in(node: Node) -> Selector | None:
    """The range selector inside rate/irate/increase, under any aggregation (histogram_quantile's input)."""
    if isinstance(node, Agg):
        return _selector_in(node.args[-1]) if node.args else None
    if isinstance(node, Call) and node.func in ("rate", "irate", "increase") and node.args:
        arg = node.args[0]
        return arg if isinstance(arg, Selector) else None
    return None


def signal(node: Node) -> Signal | None:
    """What a value expression measures, or None for anything outside the alert shapes we know."""
    if isinstance(node, Binary) and node.op in ("*", "/") and not node.bool_:
        if isinstance(node.rhs, Num) and node.rhs.value != 0:
            scaled = signal(node.lhs)
            scale = node.rhs.value if node.op == "*" else 1 / node.rhs.value
        elif isinstance(node.lhs, Num) and node.op == "*":
            scaled, scale = signal(node.rhs), node.lhs.value
        else:
            return None
        if scaled is None or scale <= 0:
            return None
        return Signal(scaled.kind, scaled.metric, scaled.statuses, scaled.factor * scale, scaled.quantile)
    if isinstance(node, Agg):
        return signal(node.args[0]) if node.op in _PASS_THROUGH_AGGS and len(node.args) == 1 else None
    if isinstance(node, Call) and node.func in ("rate", "irate", "increase") and len(node.args) == 1:
        arg = node.args[0]
        if not isinstance(arg, Selector) or arg.range_s is None or not arg.name:
            return None
        factor = arg.range_s if node.func == "increase" else 1.0
        return Signal("count", arg.name, status_codes(arg.matchers), factor)
    if isinstance(node, Call) and node.func == "histogram_quantile" and len(node.args) == 2:
        q, inner = node.args
        sel = _selector_in(inner)
        if not isinstance(q, Num) or sel is None or not sel.name.endswith("_bucket"):
            return None
        metric, unit = latency_metric(sel.name)
        return Signal("quantile", metric, frozenset(), unit, q.value)
    if isinstance(node, Selector) and node.range_s is None:
        q_values = [v for label, op, v in node.matchers if label == "quantile" and op == "="]
        if len(q_values) == 1:  # a summary's precomputed quantile
            metric, unit = latency_metric(node.name)
            try:
                return Signal("quantile", metric, frozenset(), unit, float(q_values[0]))
            except ValueError:
                return None
    return None


_FLIP = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!="}


def _fold(node: Node) -> Node:
    """Constant arithmetic folded, so `10 / 60` reads as one number."""
    if isinstance(node, Binary):
        lhs, rhs = _fold(node.lhs), _fold(node.rhs)
        if isinstance(lhs, Num) and isinstance(rhs, Num) and node.op in ("*", "/", "+", "-"):
            if node.op == "/" and rhs.value == 0:
                return Binary(node.op, lhs, rhs, node.bool_)
            return Num({"*": lhs.value * rhs.value, "/": lhs.value / (rhs.value or 1),
                        "+": lhs.value + rhs.value, "-": lhs.value - rhs.value}[node.op])
        return Binary(node.op, lhs, rhs, node.bool_)
    if isinstance(node, Agg):
        return Agg(node.op, tuple(_fold(a) for a in node.args))
    if isinstance(node, Call):
        return Call(node.func, tuple(_fold(a) for a in node.args))
    return node


def _with_matchers(node: Node, extra: tuple[tuple[str, str, str], ...]) -> Node:
    if not extra:
        return node
    if isinstance(node, Selector):
        return Selector(node.name, node.matchers + extra, node.range_s)
    if isinstance(node, Binary):
        return Binary(node.op, _with_matchers(node.lhs, extra), _with_matchers(node.rhs, extra), node.bool_)
    if isinstance(node, Agg):
        return Agg(node.op, tuple(_with_matchers(a, extra) for a in node.args))
    if isinstance(node, Call):
        return Call(node.func, tuple(_with_matchers(a, extra) for a in node.args))
    return node


def inline(node: Node, records: Mapping[str, Node], depth: int = 0) -> Node:
    """Recording rules replaced by their expressions, so `job:ideogram_5xx:rate5m * 60 > 10` is understood."""
    if depth > 8:
        return node
    if isinstance(node, Selector) and node.range_s is None and node.name in records:
        # The outer matchers filter labels the recording kept (e.g. `by (status)`): push them inside.
        return _with_matchers(inline(records[node.name], records, depth + 1), node.matchers)
    if isinstance(node, Binary):
        return Binary(node.op, inline(node.lhs, records, depth), inline(node.rhs, records, depth), node.bool_)
    if isinstance(node, Agg):
        return Agg(node.op, tuple(inline(a, records, depth) for a in node.args))
    if isinstance(node, Call):
        return Call(node.func, tuple(inline(a, records, depth) for a in node.args))
    return node


def conditions(expr: str, records: Mapping[str, Node] | None = None) -> tuple[Condition, ...]:
    """Every `value <cmp> number` an alert expression fires on (both sides of `or`, the left of `and`/`unless`).

    Raises PromQLError for text that does not parse.
    """
    node = parse(expr)
    if records:
        node = inline(node, records)
    return _conditions(_fold(node))


def _conditions(node: Node) -> tuple[Condition, ...]:
    if isinstance(node, Binary) and node.op == "or":
        return _conditions(node.lhs) + _conditions(node.rhs)
    if isinstance(node, Binary) and node.op in ("and", "unless"):
        return _conditions(node.lhs)
    if not (isinstance(node, Binary) and node.op in COMPARISONS) or node.bool_:
        return ()
    if isinstance(node.rhs, Num):
        value, comparator, threshold = node.lhs, node.op, node.rhs.value
    elif isinstance(node.lhs, Num):
        value, comparator, threshold = node.rhs, _FLIP[node.op], node.lhs.value
    else:
        return ()
    sig = signal(value)
    return (Condition(sig, comparator, threshold),) if sig is not None else ()
