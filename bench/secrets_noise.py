"""How much noise the secrets engine's rules remove: findings per detector and per file type, before and after.

Usage: .venv/bin/python bench/secrets_noise.py REPO [REPO ...] [--jobs N]
before = the raw engine: exactly what the detect-secrets CLI reports with our plugin (its own file filters
         included, so it never reads package-lock.json, yarn.lock, *.lock, *.svg... nor non-UTF-8 files);
after  = the product: every file git tracks is read, the noise rules judge lock-file hashes, placeholders and
         local dev credentials (counted as suppressions, by reason), severity by confidence and place.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.detectors import noise  # noqa: E402
from checker.tools import Hit, secrets  # noqa: E402


def tracked(repo: Path) -> list[str]:
    """Regular files git tracks (what the gate scans for secrets)."""
    out = subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], capture_output=True, check=True).stdout
    names = [n.decode("utf-8", "surrogateescape") for n in out.split(b"\0") if n]
    return sorted(n for n in names if (repo / n).is_file() and not (repo / n).is_symlink())


def detector(hit: Hit) -> str:
    return hit.message.removesuffix(" committed in the repository")


def file_type(path: str) -> str:
    """A lock file by its name, a .env file by its kind, anything else by its extension."""
    name = path.rsplit("/", 1)[-1]
    if noise.is_lock_file(path):
        return name
    if name.startswith(".env"):
        return ".env (example)" if noise.place(path) == "example" else ".env"
    return "." + name.rsplit(".", 1)[-1] if "." in name.lstrip(".") else name


def table(title: str, before: Counter[str], after: Counter[str], quiet: Counter[str]) -> None:
    print(f"  {title:<34} {'before':>7} {'after':>7} {'suppressed':>10}")
    for key in sorted(before.keys() | after.keys() | quiet.keys(), key=lambda k: (-before[k] - quiet[k], k)):
        print(f"  {key:<34} {before[key]:>7} {after[key]:>7} {quiet[key]:>10}")
    print(f"  {'total':<34} {sum(before.values()):>7} {sum(after.values()):>7} {sum(quiet.values()):>10}")


def bench(repo: Path, jobs: int | None, totals: dict[str, Counter[str]]) -> None:
    files = tracked(repo)
    start = time.perf_counter()
    before = [h for text in secrets.scan_outputs(repo, files, jobs) for h in secrets.parse_output(text)]
    raw_s = time.perf_counter() - start
    start = time.perf_counter()
    outcome = secrets.scan(repo, files, jobs)
    product_s = time.perf_counter() - start
    after, quiet = list(outcome.hits), [s.hit for s in outcome.suppressed]
    severities = Counter(h.severity for h in after)
    print(f"\n{repo.name}: {len(files)} tracked file(s); before {len(before)} finding(s) in {raw_s:.1f} s, after "
          f"{len(after)} ({severities['error']} error, {severities['warning']} warning) in {product_s:.1f} s, "
          f"{len(quiet)} suppressed")
    counts = {
        "detector before": Counter(map(detector, before)), "detector after": Counter(map(detector, after)),
        "detector quiet": Counter(map(detector, quiet)),
        "type before": Counter(file_type(h.path) for h in before),
        "type after": Counter(file_type(h.path) for h in after),
        "type quiet": Counter(file_type(h.path) for h in quiet),
        "reason": Counter(s.reason for s in outcome.suppressed),
    }
    table("detector", counts["detector before"], counts["detector after"], counts["detector quiet"])
    table("file type", counts["type before"], counts["type after"], counts["type quiet"])
    print("  suppressed by reason: " + ", ".join(f"{r} {n}" for r, n in counts["reason"].most_common()))
    for key, counter in counts.items():
        totals.setdefault(key, Counter()).update(counter)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("repos", type=Path, nargs="+", help="git repositories (their tracked files are scanned)")
    parser.add_argument("--jobs", type=int, help="worker processes (default: all cores)")
    args = parser.parse_args(argv)
    totals: dict[str, Counter[str]] = {}
    for repo in args.repos:
        bench(repo.resolve(), args.jobs, totals)
    if len(args.repos) > 1:
        print(f"\nall {len(args.repos)} repositories:")
        table("detector", totals["detector before"], totals["detector after"], totals["detector quiet"])
        table("file type", totals["type before"], totals["type after"], totals["type quiet"])
        print("  suppressed by reason: " + ", ".join(f"{r} {n}" for r, n in totals["reason"].most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
