"""What a repository is built with (Python, TS/JS, Kubernetes), so `init` writes only the files that apply."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from checker.targets import is_readable_file, list_files

# Never evidence of the project's own stack: dependencies, build output, test fixtures.
SKIP_DIRS = ("node_modules/", ".venv/", "venv/", ".tox/", "vendor/", "dist/", "build/", "site-packages/",
             ".git/", "tests/", "test/", "__tests__/", "fixtures/", "testdata/", "examples/")
PYTHON_NAMES = frozenset({"pyproject.toml", "setup.py", "setup.cfg", "Pipfile"})
NODE_NAMES = frozenset({"package.json"})
KUBE_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization", "Chart.yaml"})
YAML_SUFFIXES = (".yaml", ".yml")
# A manifest of a workload: a top-level `kind:` of one of these (a Helm template or a plain manifest).
WORKLOAD = re.compile(rb"^kind:[ \t]*[\"']?(?:Deployment|StatefulSet|DaemonSet|CronJob|Job|Rollout)\b", re.M)
READ_LIMIT = 256 * 1024


@dataclass(frozen=True, slots=True)
class Stack:
    """Each language or platform with the first file that showed it (empty: not found)."""

    python: str = ""
    node: str = ""
    kubernetes: str = ""

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(name for name, seen in (("Python", self.python), ("TS/JS", self.node)) if seen)


def _python(name: str) -> bool:
    return name in PYTHON_NAMES or (name.startswith("requirements") and name.endswith((".txt", ".in")))


def _node(name: str) -> bool:
    return name in NODE_NAMES or (name.startswith("tsconfig") and name.endswith(".json"))


def _workload(root: Path, rel: str) -> bool:
    """A YAML file whose head names a workload kind; an unreadable file is simply not evidence."""
    path = root / rel
    if not rel.endswith(YAML_SUFFIXES) or not is_readable_file(path):
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(READ_LIMIT)
    except OSError:
        return False
    return WORKLOAD.search(head) is not None


def first(files: Iterable[str], match: Callable[[str], bool]) -> str:
    """The shallowest, then alphabetically first, file `match` accepts ("" if none); stops at the first, so a
    monorepo's thousands of YAML files are read only until one shows a workload."""
    return next((f for f in sorted(files, key=lambda f: (f.count("/"), f)) if match(f)), "")


def detect(root: Path) -> Stack:
    """Looks at file names (and the head of YAML files for `kind: Deployment`), never runs anything."""
    files = list_files(root, SKIP_DIRS)
    return Stack(
        python=first(files, lambda f: _python(PurePosixPath(f).name)),
        node=first(files, lambda f: _node(PurePosixPath(f).name)),
        kubernetes=first(files, lambda f: PurePosixPath(f).name in KUBE_NAMES or _workload(root, f)),
    )
