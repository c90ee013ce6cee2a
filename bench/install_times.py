"""Time the action's host install, cold and warm, by running its own `install` step from action.yml.

Usage: .venv/bin/python bench/install_times.py [--installer uv|pip|both] [--uv PATH] [--get-uv] [--repeat N]
- cold: no venv and empty package caches (UV_CACHE_DIR / PIP_CACHE_DIR point at fresh folders): what a runner
  does on a cache miss, downloads included.
- warm: the venv is there, as actions/cache/restore leaves it on a hit: the step checks it and reinstalls only
  the package itself. The restore's own download (GitHub's cache service) is not part of either figure.
uv is used when found (--uv PATH, or on PATH); --get-uv installs it from PyPI into a throw-away venv first.
Network: whatever index pip and uv are configured for (the lock's hashes are checked either way).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def install_script() -> str:
    """The action's install step, verbatim: the bench measures what runners run."""
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    (step,) = [s for s in action["runs"]["steps"] if s.get("id") == "install"]
    return str(step["run"])


def find_uv(explicit: str | None, get: bool, scratch: Path) -> str | None:
    if explicit:
        return explicit
    if found := shutil.which("uv"):
        return found
    if not get:
        return None
    venv = scratch / "uv-tool"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", "uv"],
                   check=True)
    return str(venv / "bin/uv")


def path_without_uv() -> str:
    """PATH with every folder that holds a `uv` left out, so the step takes its pip branch."""
    return os.pathsep.join(d for d in os.environ.get("PATH", "").split(os.pathsep)
                           if d and not (Path(d) / "uv").exists())


def run_step(work: Path, path: str, hit: bool) -> float:
    """Run the install step once; returns its wall time. Raises when the step fails: a failed install has no time."""
    output = work / "github-output"
    output.write_text("")
    env = {"PATH": path, "HOME": str(work / "home"), "RUNNER_TEMP": str(work / "runner-temp"),
           "GITHUB_OUTPUT": str(output), "GITHUB_ACTION_PATH": str(ROOT), "IP_VENV": str(work / "venv"),
           "IP_VENV_HIT": "true" if hit else "", "UV_CACHE_DIR": str(work / "uv-cache"),
           "PIP_CACHE_DIR": str(work / "pip-cache"), "LANG": "C.UTF-8"}
    for name in ("SSL_CERT_FILE", "PIP_CERT", "PIP_INDEX_URL", "UV_INDEX_URL", "REQUESTS_CA_BUNDLE"):
        if name in os.environ:
            env[name] = os.environ[name]
    for folder in ("home", "runner-temp"):
        (work / folder).mkdir(exist_ok=True)
    started = time.monotonic()
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", install_script()],
                          env=env, capture_output=True, text=True, timeout=1800, check=False)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        raise RuntimeError(f"install step failed ({proc.returncode}): {proc.stderr[-2000:]}")
    fresh = "fresh=true" in output.read_text()
    if fresh == hit:
        raise RuntimeError(f"expected {'a reused' if hit else 'a fresh'} venv, the step reported fresh={fresh}")
    return elapsed


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def measure(installer: str, path: str, repeat: int) -> tuple[list[float], list[float], float]:
    cold: list[float] = []
    warm: list[float] = []
    size = 0.0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix=f"install-{installer}-") as tmp:
            work = Path(tmp)
            cold.append(run_step(work, path, hit=False))
            warm.append(run_step(work, path, hit=True))
            size = size_mb(work / "venv")
    return cold, warm, size


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="install_times", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--installer", choices=("uv", "pip", "both"), default="both")
    parser.add_argument("--uv", help="the uv binary to use (default: uv on PATH)")
    parser.add_argument("--get-uv", action="store_true", help="install uv from PyPI into a temp venv if none")
    parser.add_argument("--repeat", type=int, default=1, help="cold+warm pairs per installer (median shown)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="install-times-") as scratch:
        uv = find_uv(args.uv, args.get_uv, Path(scratch)) if args.installer != "pip" else None
        if args.installer == "uv" and uv is None:
            print("install_times: error: --installer uv: no uv found (--uv PATH or --get-uv)", file=sys.stderr)
            return 2
        plans = []
        if uv is not None:
            plans.append((f"uv {subprocess.run([uv, '--version'], capture_output=True, text=True).stdout.split()[1]}",
                          os.pathsep.join([str(Path(uv).parent), path_without_uv()])))
        if args.installer in ("pip", "both"):
            plans.append(("pip", path_without_uv()))
        for label, path in plans:
            cold, warm, size = measure(label.split()[0], path, args.repeat)
            rows.append((label, statistics.median(cold), statistics.median(warm), size))
    print(f"host install of requirements.lock + the package (action.yml `install` step), {args.repeat} run(s) each")
    print(f"{'installer':<12} {'cold s':>8} {'warm s':>8} {'venv MB':>8}")
    for label, cold_s, warm_s, size in rows:
        print(f"{label:<12} {cold_s:>8.1f} {warm_s:>8.1f} {size:>8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
