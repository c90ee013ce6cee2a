#!/usr/bin/env python3
"""Trim the checker image's venv to what `check` and `alerts` use: the image never runs the rollout commands.

Removes the kubernetes client and every package only it needs (computed from the installed metadata, so a new
transitive dependency in requirements.lock is handled), and kubernetes-validate's schemas for the Kubernetes
versions not listed. The action runs `preflight`, `rollout` and `rollback` on the host, where the kubeconfig's
exec plugins are; in the image those commands fail with a one-line error instead.

Run it with the venv's own python, before the package itself is installed:
    /opt/ideogram-prod/bin/python scripts/slim_venv.py --keep-schemas "1.30 1.31" --pyproject pyproject.toml
Exit codes: 0 trimmed; 2 bad input (a version not in the package, a dependency that is not installed).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Sequence
from importlib.metadata import PackageNotFoundError, distribution, distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

DROP = "kubernetes"
PROG = "slim_venv"


def requirements_of(name: str) -> list[str]:
    """Installed distribution `name`'s unconditional requirements (no extras, markers evaluated here)."""
    out: list[str] = []
    for raw in distribution(name).requires or []:
        req = Requirement(raw)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            out.append(canonicalize_name(req.name))
    return out


def closure(roots: Iterable[str]) -> set[str]:
    installed = {canonicalize_name(d.metadata["Name"]) for d in distributions()}
    seen: set[str] = set()
    stack: list[str] = [canonicalize_name(r) for r in roots]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        if name not in installed:
            raise SystemExit(f"{PROG}: error: {name}: required but not installed")
        seen.add(name)
        stack += requirements_of(name)
    return seen


def only_for_dropped(pyproject: Path) -> list[str]:
    """The dropped package and what nothing else of the project needs."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    deps = [canonicalize_name(Requirement(r).name) for r in project["dependencies"]]
    keep = closure(d for d in deps if d != DROP)
    keep |= {"pip", "setuptools"}
    return sorted(closure([DROP]) - keep)


def prune_schemas(keep: Sequence[str]) -> list[str]:
    """Delete kubernetes-validate's schema folders of every version not kept; returns the versions left."""
    import kubernetes_validate  # type: ignore[import-untyped]

    root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    wanted = {tuple(v.split(".")[:2]) for v in keep}
    folders = [p for p in root.iterdir() if p.is_dir() and re.match(r"^v\d+\.\d+", p.name)]
    present = {tuple(p.name[1:].split("-")[0].split(".")[:2]) for p in folders}
    missing = wanted - present
    if missing:
        names = ", ".join(".".join(m) for m in sorted(missing))
        raise SystemExit(f"{PROG}: error: --keep-schemas: no schemas for {names}")
    for folder in folders:
        if tuple(folder.name[1:].split("-")[0].split(".")[:2]) not in wanted:
            shutil.rmtree(folder)
    return sorted({".".join(v) for v in wanted}, key=lambda v: tuple(map(int, v.split("."))))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--keep-schemas", required=True, help="space-separated Kubernetes minor versions, e.g. 1.30")
    parser.add_argument("--pyproject", type=Path, default=Path("pyproject.toml"))
    args = parser.parse_args(argv)
    keep = args.keep_schemas.split()
    if not keep or not all(re.fullmatch(r"\d+\.\d+(\.\d+)?", v) for v in keep):
        print(f"{PROG}: error: --keep-schemas: expected versions like '1.30 1.31'", file=sys.stderr)
        return 2
    try:
        distribution(DROP)
    except PackageNotFoundError:
        print(f"{PROG}: error: {DROP} is not installed: nothing to trim", file=sys.stderr)
        return 2
    drop = only_for_dropped(args.pyproject)
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "-q", "-y", *drop], check=True)
    left = prune_schemas(keep)
    print(f"removed {len(drop)} package(s): {', '.join(drop)}; Kubernetes schemas kept: {', '.join(left)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
