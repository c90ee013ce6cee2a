"""docs-*: the runbook, key rotation, rollback and escalation must each be a real Markdown section, not a stub."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from markdown_it import MarkdownIt

from checker.checks.base import NativeContext, Outcome
from checker.targets import matcher
from checker.tools import Hit

DOC_SUFFIXES = (".md", ".markdown", ".mdx", ".txt", "")
TEST_DIRS = frozenset({"tests", "test", "__tests__", "fixtures", "testdata", "node_modules"})
MIN_WORDS = 30
MIN_LINES = 2

# A line that is only a stub ("TODO: write this", "TBD", "<fill in>") carries no procedure.
PLACEHOLDER = re.compile(
    r"\b(?:TODO|TBD|FIXME|XXX)\b|lorem ipsum|coming soon|to be (?:written|documented|defined|added|decided)"
    r"|\bfill (?:this |me )?in\b|\bplaceholder (?:text|content)\b"
    r"|<(?:insert|fill|your|add)[^>]*>|\[(?:insert|fill|your|add)[^\]]*\]"
    r"|(?:describe|write|add) (?:the |your )?\w+ here",
    re.IGNORECASE,
)

# `ideogram-prod init` writes this where only the team can answer; a section that still has it is unfinished,
# however long the template text around it is. A mention in a code span (`TODO(ideogram-prod):`) is not one.
INIT_TODO = re.compile(r"(?<!`)\bTODO\(ideogram-prod\)")


@dataclass(frozen=True, slots=True)
class Topic:
    check_id: str
    label: str
    heading: re.Pattern[str]
    terms: tuple[tuple[str, re.Pattern[str]], ...]  # (name, pattern): a body needs `min_terms` distinct ones
    min_terms: int
    needs_command: re.Pattern[str] | None = None  # must appear inside a code span or block
    expect: str = ""


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


TOPICS: tuple[Topic, ...] = (
    Topic(
        "docs-runbook", "incident runbook",
        _rx(r"\brun ?books?\b|\bincidents?\b|\bplaybooks?\b|\btroubleshoot|\balert (?:response|handling)"),
        (("incident", _rx(r"\bincidents?\b|\boutages?\b")), ("alert", _rx(r"\balerts?\b|\bpage[sd]?\b|\bfires?\b")),
         ("symptom", _rx(r"\bsymptoms?\b|\bimpact\b|\berrors?\b|\blatency\b")),
         ("action", _rx(r"\bmitigat|\bdiagnos|\btriage|\bcheck\b|\bverify\b|\bfirst steps?\b|\bdashboards?\b"))),
        3, expect="incidents/alerts, their symptoms and first steps",
    ),
    Topic(
        "docs-key-rotation", "key rotation procedure",
        _rx(r"\brotat\w*\b.*\b(?:keys?|secrets?|credentials?)\b|\b(?:keys?|secrets?|credentials?)\b.*\brotat"),
        (("revoke", _rx(r"\brevok|\brevocation\b|\bdeactivat|\bdisable\b|\bdelete the old\b|\bold key\b")),
         ("new key", _rx(r"\bnew (?:api )?key\b|\bcreate (?:a )?(?:new )?(?:api )?key\b"
                         r"|\bgenerate (?:a )?(?:new )?key")),
         ("secret store", _rx(r"\bsecrets?\b|\bvault\b|\bsecretKeyRef\b"))),
        2, expect="creating the new key, updating the secret store, and revoking the old key",
    ),
    Topic(
        "docs-rollback", "rollback procedure",
        _rx(r"\broll ?back\b|\brolling back\b|\brollbacks\b|\brevert"),
        (("verify", _rx(r"\bverify\b|\bstatus\b|\bcheck\b|\bconfirm")),
         ("when", _rx(r"\bwhen\b|\bif\b|\bbreach|\bfail"))),
        1, needs_command=_rx(r"rollout\s+undo|\brollback\b|\bgit\s+revert\b|\bset\s+image\b|\bhelm\s+rollback"),
        expect="a rollback command (`ideogram-prod rollout rollback`, `kubectl rollout undo`, `helm rollback`)",
    ),
    Topic(
        "docs-escalation", "escalation path",
        _rx(r"\bescalat|\bon-?call\b|\bon call\b|\bpaging\b|\bcontacts?\b"),
        (("on-call", _rx(r"\bon-?call\b|\bon call\b|\bprimary\b|\bsecondary\b")),
         ("page", _rx(r"\bpage[sd]?\b|\bpaging\b|\bpager|\bopsgenie\b|\bincident\.io\b")),
         ("contact", _rx(r"\bcontact|\bslack\b|\bphone\b|\be-?mail\b|\bsupport\b|#[\w-]+")),
         ("escalate", _rx(r"\bescalat|\bmanager\b|\blead\b|\bowner"))),
        2, expect="who is on call, how they are paged, and whom to contact next",
    ),
)
BY_ID = {t.check_id: t for t in TOPICS}


@dataclass(frozen=True, slots=True)
class Section:
    path: str
    line: int
    level: int
    title: str
    body: tuple[str, ...]  # lines under the heading, subsections included
    body_line: int = 0  # the line number of body[0]


_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# NOTE: block rules only: a heading's inline token keeps its source text, and inline parsing was a third of the time.
_MARKDOWN = MarkdownIt("commonmark").disable("inline")


def sections(path: str, text: str) -> list[Section]:
    """Top-level headings, as CommonMark renders them (markdown-it-py: never inside code, HTML blocks or comments),
    each with the lines up to the next heading of its level."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # markdown-it's own line numbering
    if lines and not lines[-1]:
        lines.pop()
    tokens = _MARKDOWN.parse(text)
    heads: list[tuple[int, int, int, str]] = []  # (first line, line after the heading, level, title)
    for tok, inline in itertools.pairwise(tokens):
        if tok.type == "heading_open" and tok.level == 0 and tok.map:
            heads.append((tok.map[0], tok.map[1], int(tok.tag[1:]), " ".join(inline.content.split())))
    out: list[Section] = []
    for n, (index, start, level, title) in enumerate(heads):
        end = len(lines)
        for later_index, _, later_level, _ in heads[n + 1:]:
            if later_level <= level:
                end = later_index
                break
        out.append(Section(path, index + 1, level, title, tuple(lines[start:end]), start + 1))
    return out


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def code_text(body: tuple[str, ...]) -> str:
    """Text inside fenced blocks, indented blocks and inline code spans."""
    chunks: list[str] = []
    in_fence = False
    for line in body:
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or line.startswith(("    ", "\t")):
            chunks.append(line)
        else:
            chunks.extend(_CODE_SPAN.findall(line))
    return "\n".join(chunks)


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    problem: str = ""
    line: int = 0  # where the problem is, when not at the heading


def judge(topic: Topic, section: Section) -> Verdict:
    todo = next((i for i, line in enumerate(section.body) if INIT_TODO.search(line)), None)
    if todo is not None:
        return Verdict(False, "still has the init template's TODO: replace the `TODO(ideogram-prod):` line with "
                              "your team's answer", section.body_line + todo)
    content = [line for line in section.body if line.strip() and not _ATX.match(line) and not _FENCE.match(line)]
    real = [line for line in content if not PLACEHOLDER.search(line)]
    words = sum(len(re.findall(r"[\w$./:-]+", line)) for line in real)
    if len(real) < MIN_LINES or words < MIN_WORDS:
        if len(real) < len(content):
            return Verdict(False, "is a template: its body is placeholder text (TODO/TBD)")
        return Verdict(False, f"is too thin ({words} words; a procedure needs at least {MIN_WORDS} words on "
                              f"{MIN_LINES}+ lines)")
    text = "\n".join(real)
    found = [name for name, pattern in topic.terms if pattern.search(text)]
    if len(found) < topic.min_terms:
        return Verdict(False, f"does not describe {topic.expect}")
    code = code_text(tuple(line for line in section.body if not PLACEHOLDER.search(line)))
    if topic.needs_command is not None and not topic.needs_command.search(code):
        return Verdict(False, "shows no rollback command in a code span or block (e.g. `ideogram-prod rollout "
                              "rollback`, `kubectl rollout undo`, `helm rollback`)")
    return Verdict(True)


def documents(ctx: NativeContext) -> Iterator[tuple[str, str]]:
    spec = matcher(ctx.config.docs.paths)
    for rel in ctx.files:
        pure = PurePosixPath(rel)
        if pure.suffix.lower() not in DOC_SUFFIXES or TEST_DIRS.intersection(pure.parts[:-1]):
            continue
        if not spec.match_file(rel):
            continue
        yield rel, ctx.read_text(rel)  # NOTE: an unreadable document is an `error`, never a skipped file


def _anchor(docs: list[str]) -> tuple[str, int]:
    """Where an absence finding points: the runbook if there is one, then docs/, then a README."""
    def rank(path: str) -> tuple[int, str]:
        name = PurePosixPath(path).name.lower()
        return (0 if name.startswith("runbook") else 1 if path.startswith("docs/") else 2, path)

    return (sorted(docs, key=rank)[0], 1) if docs else (".", 0)


def _may_hold(topics: list[Topic], text: str) -> bool:
    flat = " ".join(text.split())
    return any(topic.heading.search(flat) for topic in topics)


def run(ctx: NativeContext) -> Outcome:
    docs = list(documents(ctx))
    topics = [BY_ID[check_id] for check_id in ctx.check_ids]
    # A document no selected topic's heading words appear in (whitespace as in a title) has no section to judge;
    # parsing only the others keeps a large docs tree cheap (gradio: 328 Markdown files, 17 with such words).
    all_sections = [s for path, text in docs if _may_hold(topics, text) for s in sections(path, text)]
    anchor = _anchor([path for path, _ in docs])
    hits: list[Hit] = []
    notes: dict[str, str] = {}
    for check_id in ctx.check_ids:
        topic = BY_ID[check_id]
        candidates = [s for s in all_sections if topic.heading.search(s.title)]
        verdicts = [(s, judge(topic, s)) for s in candidates]
        good = [s for s, v in verdicts if v.ok]
        if good:
            notes[check_id] = f"{topic.label}: {good[0].path}:{good[0].line} ({good[0].title})"
            continue
        for s, v in verdicts:
            line = v.line or s.line
            hits.append(Hit(check_id, s.path, line, line, f"{check_id}:section:{s.title.lower()}",
                            f"section '{s.title}' {v.problem}"))
        if not verdicts:
            where = f"{len(docs)} document(s)" if docs else "no Markdown documents under docs.paths"
            hits.append(Hit(check_id, anchor[0], anchor[1], anchor[1], f"{check_id}:missing",
                            f"no {topic.label} section found ({where}); add a heading and describe {topic.expect}"))
    return Outcome(hits=hits, notes=notes)
