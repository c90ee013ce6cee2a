#!/usr/bin/env python3
"""Trim the checker image's venv to what `check` and `alerts` use: the image never runs the rollout commands.

- Packages: keeps the unconditional dependency closure of the project without the kubernetes client, computed
  from the installed metadata (so a new transitive dependency in requirements.lock is handled). That drops the
  kubernetes client and what only it needs, and what only a dependency's extra brings (mcp's `pyjwt[crypto]`:
  cryptography, cffi, pycparser; semgrep imports mcp but signs no JWT during a scan).
- Schemas: kubernetes-validate's schemas of the Kubernetes versions not listed go. Of the versions kept, only the
  files it can read stay: `validate` opens `<kind>-<group>-<version>.json` of the manifest's kind and
  `_definitions.json`, and a kind is an API object in `_definitions.json` (x-kubernetes-group-version-kind); the
  other ~670 files per folder (Affinity, Container, ...) are types no manifest can name as its kind. Identical
  files across the versions kept become hard links (a layer stores a hard link once).
- semgrep-core: its symbol table and debug info (58 MB of 267 MB) are cut off. `strip` cannot do it: patchelf
  left .dynstr across two segments, and binutils' strip then writes a binary that dies with "symbol lookup
  error" (llvm-strip keeps a second 26 MB copy). Everything after the last loaded segment is unloaded, so
  the file is truncated there and its section header table dropped, as ELFkickers' sstrip does.

The action runs `preflight`, `rollout` and `rollback` on the host, where the kubeconfig's exec plugins are; in
the image those commands fail with a one-line error instead.

Run it with the venv's own python, before the package itself is installed:
    /opt/ideogram-prod/bin/python scripts/slim_venv.py --keep-schemas "1.30 1.31" --pyproject pyproject.toml
Exit codes: 0 trimmed; 2 bad input (a version not in the package, a dependency that is not installed, a
semgrep-core that is not a 64-bit little-endian ELF or whose loaded parts do not end before its section data).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import re
import shutil
import struct
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


def unneeded(pyproject: Path) -> list[str]:
    """Installed packages outside the project's unconditional closure without DROP (pip and setuptools stay:
    the Dockerfile still installs the package with them, then removes them)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    deps = [canonicalize_name(Requirement(r).name) for r in project["dependencies"]]
    keep = closure(d for d in deps if d != DROP)
    keep |= {"pip", "setuptools"}
    installed = {canonicalize_name(d.metadata["Name"]) for d in distributions()}
    return sorted(installed - keep)


def schema_root() -> Path:
    import kubernetes_validate  # type: ignore[import-untyped]

    return Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"


def prune_schemas(root: Path, keep: Sequence[str]) -> list[str]:
    """Delete the schema folders of every version not kept; returns the versions left."""
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


def api_object_files(folder: Path) -> set[str]:
    """The schema files of the API objects (kinds a manifest can have) in one version folder, named the way
    kubernetes_validate.utils.validate names them: `rbac.authorization.k8s.io/v1` Role -> role-rbac-v1.json."""
    defs = json.loads((folder / "_definitions.json").read_text(encoding="utf-8"))
    names = {"_definitions.json"}
    for schema in (defs.get("$defs") or defs.get("definitions") or {}).values():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            group = gvk["group"].split(".")[0]
            names.add(f"{gvk['kind'].lower()}-{group + '-' if group else ''}{gvk['version']}.json")
    return names


def prune_non_objects(root: Path) -> int:
    """Delete the schema files of types that are not API objects; returns how many went. Refuses (exit 2) when a
    folder would lose a kind that the package can validate today (Deployment, Service, ...)."""
    removed = 0
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        keep = api_object_files(folder)
        for needed in ("deployment-apps-v1.json", "service-v1.json", "secret-v1.json"):
            if needed not in keep or not (folder / needed).is_file():
                raise SystemExit(f"{PROG}: error: {folder.name}: {needed} would not be kept; schema layout changed?")
        for path in folder.glob("*.json"):
            if path.name not in keep:
                path.unlink()
                removed += 1
    return removed


def drop_deleted_from_record(name: str) -> int:
    """Rewrite the RECORD of `name` without the files deleted here, so its metadata lists what is installed
    (kubernetes-validate's lists 11,000 schema files, 3 MB); returns the lines removed."""
    dist = distribution(name)
    record = next((f for f in dist.files or [] if f.name == "RECORD" and f.parent.name.endswith(".dist-info")),
                  None)
    if record is None:
        return 0
    path = Path(str(dist.locate_file(record)))
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    kept = [row for row in rows if row and Path(str(dist.locate_file(row[0]))).exists()]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(kept)
    path.write_text(out.getvalue(), encoding="utf-8")
    return len(rows) - len(kept)


def link_duplicates(root: Path) -> int:
    """Replace every file under `root` identical to one seen before by a hard link to it; returns bytes saved."""
    first: dict[str, Path] = {}
    saved = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest not in first:
            first[digest] = path
            continue
        saved += path.stat().st_size
        path.unlink()
        os.link(first[digest], path)
    return saved


ELF_HEADER = struct.Struct("<16sHHIQQQIHHHHHH")
PROGRAM_HEADER = struct.Struct("<IIQQQQQQ")
SECTION_HEADER = struct.Struct("<IIQQQQIIQQ")
SHF_ALLOC, SHT_NOBITS = 0x2, 8


def loaded_end(data: bytes) -> int:
    """Offset where the last byte any segment loads ends; raises ValueError when cutting there would lose an
    allocated section, or the file is not a 64-bit little-endian ELF."""
    if len(data) < ELF_HEADER.size or data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    (_, _, _, _, _, phoff, shoff, _, ehsize, phentsize, phnum, shentsize, shnum, _) = ELF_HEADER.unpack_from(data)
    end = max(ehsize, phoff + phentsize * phnum)
    for i in range(phnum):
        _, _, offset, _, _, filesz, _, _ = PROGRAM_HEADER.unpack_from(data, phoff + i * phentsize)
        end = max(end, offset + filesz)
    for i in range(shnum):
        _, kind, flags, _, offset, size, _, _, _, _ = SECTION_HEADER.unpack_from(data, shoff + i * shentsize)
        if flags & SHF_ALLOC and kind != SHT_NOBITS and offset + size > end:
            raise ValueError(f"allocated section {i} ends at {offset + size}, after the loaded data ({end})")
    return end


def cut_unloaded_tail(binary: Path) -> int:
    """Truncate `binary` after its last loaded byte and drop its section headers; returns bytes saved."""
    data = binary.read_bytes()
    end = loaded_end(data)
    if end >= len(data):
        return 0
    fields = list(ELF_HEADER.unpack_from(data))
    fields[6] = fields[12] = fields[13] = 0  # e_shoff, e_shnum, e_shstrndx: no section header table
    binary.write_bytes(ELF_HEADER.pack(*fields) + data[ELF_HEADER.size:end])
    return len(data) - end


def semgrep_core() -> Path:
    import semgrep  # type: ignore[import-untyped]

    return Path(semgrep.__file__).parent / "bin" / "semgrep-core"


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
    core = semgrep_core()
    try:
        core_saved = cut_unloaded_tail(core)
    except (OSError, ValueError, struct.error) as exc:
        print(f"{PROG}: error: {core}: {exc}", file=sys.stderr)
        return 2
    drop = unneeded(args.pyproject)
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "-q", "-y", *drop], check=True)
    left = prune_schemas(schema_root(), keep)
    pruned = prune_non_objects(schema_root())
    linked = link_duplicates(schema_root())
    drop_deleted_from_record("kubernetes-validate")
    print(f"removed {len(drop)} package(s): {', '.join(drop)}; Kubernetes schemas kept: {', '.join(left)} "
          f"({pruned} files of non-object types removed, {linked / 1e6:.0f} MB of identical files hard-linked); "
          f"semgrep-core: {core_saved / 1e6:.0f} MB of symbols and debug info cut")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
