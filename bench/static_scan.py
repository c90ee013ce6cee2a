"""Time `ideogram-prod check` against semgrep + detect-secrets run back to back, and prove the findings match.

Usage: .venv/bin/python bench/static_scan.py [--sizes 200,1000,5000] [--keep DIR]
       .venv/bin/python bench/static_scan.py --repo PATH [--repo PATH ...]
One run of each side per size (no warm-up, no caching between runs); prints wall times, the ratio,
whether the findings are the same, then a --diff-base run on a 5-file change. With --repo, the same table for
any git repository (scanned in a throw-away clone of its HEAD), the full default `check` beside it, a per-check
breakdown (`--select` by engine group) and a --diff-base run on a 5-file change of that repository.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import synthrepo  # noqa: E402

from checker.tools import secrets  # noqa: E402

Finding = tuple[str, str, int]
OFFLINE_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off", "PYTHONWARNINGS": "ignore"}


def venv_bin(name: str) -> str:
    beside = ROOT / ".venv" / "bin" / name
    return str(beside) if beside.exists() else str(Path(sys.executable).parent / name)


# Other people add rules while benches run: both sides use the set taken at start-up.
RULES: list[Path] = sorted((ROOT / "checker" / "rules").glob("code-*.yaml"))


def rule_files() -> list[Path]:
    return RULES


def selected_ids() -> list[str]:
    return ["secret-ideogram-key", "secret-generic", *(p.stem for p in rule_files())]


CPU: dict[str, float] = {}  # CPU seconds (user + sys, all descendants) of the last timed command, by label


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], cwd: Path, ok: tuple[int, ...] = (0, 1), label: str = "") -> tuple[float, str]:
    cpu0, start = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, **OFFLINE_ENV},
                          stdin=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    CPU[label or cmd[0]] = _children_cpu() - cpu0
    if proc.returncode not in ok:
        raise SystemExit(f"{cmd[0]} exited {proc.returncode}: {proc.stderr.strip()[-400:]}")
    return elapsed, proc.stdout


def run_check(repo: Path, out: Path, diff_base: str | None = None,
              select: list[str] | None = None) -> tuple[float, set[Finding]]:
    """`check` on the selected ids (default: the secrets and code rules the tools side runs; [] = its defaults)."""
    ids = selected_ids() if select is None else select
    cmd = [venv_bin("python"), "-m", "checker", "check", str(repo), "--json", str(out)]
    if ids:
        cmd += ["--select", ",".join(ids)]
    if diff_base:
        cmd += ["--diff-base", diff_base]
    elapsed, _ = timed(cmd, ROOT, label="check")
    data = json.loads(out.read_text(encoding="utf-8"))
    errors = [r for r in data["results"] if r["status"] == "error"]
    if errors and select is None:
        raise SystemExit(f"check reported errors: {errors}")
    for r in errors:  # a real repository: say what could not be checked, and go on timing the rest
        print(f"       (check: {r['check_id']} error: {str(r['reason'])[:160]})")
    return elapsed, {(f["check_id"], f["location"]["path"], f["location"]["line"]) for f in data["findings"]}


def run_secrets_engine(repo: Path, files: list[str]) -> float:
    """Our secrets engine alone (fresh worker processes), the part this bench exists to speed up."""
    start = time.perf_counter()
    secrets.run(repo, files)
    return time.perf_counter() - start


def run_tools(repo: Path) -> tuple[float, float, set[Finding]]:
    """Our semgrep rules and detect-secrets with our plugin, as plain commands, one after the other."""
    cmd = [venv_bin("semgrep"), "scan", "--metrics=off", "--disable-version-check", "--no-rewrite-rule-ids",
           "--json", "--quiet"]
    for rule in rule_files():
        cmd += ["--config", str(rule)]
    CPU["semgrep"] = 0.0
    t_semgrep, semgrep_out = timed(cmd, repo, label="semgrep") if rule_files() else (0.0, '{"results": []}')
    t_secrets, secrets_out = timed([venv_bin("detect-secrets"), *secrets.cli_args()], repo, ok=(0,),
                                   label="detect-secrets")
    found: set[Finding] = set()
    semgrep_data = json.loads(semgrep_out)
    if semgrep_data.get("errors"):
        kinds = sorted({str(e.get("type")) for e in semgrep_data["errors"]})
        print(f"       (plain semgrep reported {len(semgrep_data['errors'])} error(s): {', '.join(kinds)[:120]})")
    for res in semgrep_data["results"]:
        check_id = str(res["extra"].get("metadata", {}).get("check_id") or res["check_id"])
        found.add((check_id, res["path"], res["start"]["line"]))
    found |= {(h.check_id, h.path, h.line) for h in secrets.parse_output(secrets_out)}
    return t_semgrep, t_secrets, found


def compare(ours: set[Finding], theirs: set[Finding]) -> str:
    if ours == theirs:
        return f"same ({len(ours)})"
    return f"DIFFERENT: only check {sorted(ours - theirs)[:5]}, only tools {sorted(theirs - ours)[:5]}"


def bench_size(n: int, workdir: Path) -> tuple[Path, list[str]]:
    repo = workdir / f"repo-{n}"
    files = synthrepo.generate(repo, n)
    size = sum((repo / f).stat().st_size for f in files)
    t_check, ours = run_check(repo, workdir / f"check-{n}.json")
    t_semgrep, t_secrets, theirs = run_tools(repo)
    tools = t_semgrep + t_secrets
    cpu_check, cpu_tools = CPU["check"], CPU["semgrep"] + CPU["detect-secrets"]
    cpu0 = _children_cpu()
    t_engine = run_secrets_engine(repo, files)
    cpu_engine = _children_cpu() - cpu0
    print(f"{n:>6} {size / 1e6:>6.1f} {t_check:>9.2f} {t_semgrep:>9.2f} {t_secrets:>9.2f} {tools:>9.2f} "
          f"{t_check / tools:>7.2f}x  {t_engine:>8.2f} {t_secrets / t_engine:>6.1f}x  {compare(ours, theirs)}",
          flush=True)
    print(f"{'':>6} CPU s: check {cpu_check:.1f}, semgrep {CPU['semgrep']:.1f}, detect-secrets "
          f"{CPU['detect-secrets']:.1f} (tools {cpu_tools:.1f}), engine {cpu_engine:.1f} "
          f"(detect-secrets/engine {CPU['detect-secrets'] / max(cpu_engine, 1e-9):.1f}x)", flush=True)
    return repo, files


def bench_diff(repo: Path, files: list[str], workdir: Path) -> None:
    changed = synthrepo.change_files(repo, files, 5)
    t_diff, found = run_check(repo, workdir / "diff.json", diff_base="HEAD")
    cpu_diff = CPU["check"]
    _, full = run_check(repo, workdir / "full-after.json")
    from checker.diff import changed_lines

    lines = changed_lines(repo, "HEAD")
    expected = {f for f in full if f[2] in lines.get(f[1], frozenset())}
    print(f"--diff-base HEAD on a {len(changed)}-file change ({len(files)}-file repo): {t_diff:.2f} s "
          f"({cpu_diff:.1f} CPU s); "
          f"{len(found)} finding(s) on changed lines, full scan restricted to them: {compare(found, expected)}")


def static_groups() -> dict[str, list[str]]:
    """The checks `check` runs by default, grouped by the engine that pays for them (one --select each)."""
    from checker.registry import CHECKS, Engine

    groups: dict[str, list[str]] = {}
    for spec in CHECKS:
        if spec.engine is Engine.LIVE or spec.id == "tests-pass":
            continue
        group = {"secret": "secrets", "code": "code rules", "k8s": "k8s manifests", "docs": "docs",
                 "alerts": "alerts"}.get(spec.id.split("-")[0], spec.id.split("-")[0] + " checks")
        groups.setdefault(group, []).append(spec.id)
    return groups


def bench_repo(source: Path, workdir: Path) -> None:
    """A real repository, copied (work tree and .git: a snapshot may lack large blobs, so no clone) and never
    modified in place."""
    import shutil

    repo = workdir / source.name
    shutil.copytree(source, repo, symlinks=True)
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    files = [f for f in subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], capture_output=True,
                                       check=True).stdout.decode("utf-8", "surrogateescape").split("\0")
             if f and (repo / f).is_file()]
    size = sum((repo / f).stat().st_size for f in files)
    print(f"\n== {source} @ {head[:12]}: {len(files)} files, {size / 1e6:.1f} MB", flush=True)
    t_full, _ = run_check(repo, workdir / f"{repo.name}-full.json", select=[])
    cpu_full = CPU["check"]
    t_check, ours = run_check(repo, workdir / f"{repo.name}-check.json")
    cpu_check = CPU["check"]
    t_semgrep, t_secrets, theirs = run_tools(repo)
    tools = t_semgrep + t_secrets
    cpu_tools = CPU["semgrep"] + CPU["detect-secrets"]
    print(f"{'files':>6} {'MB':>6} {'check s':>9} {'semgrep s':>9} {'d-s s':>9} {'tools s':>9} {'ratio':>8}  "
          "findings check vs tools")
    print(f"{len(files):>6} {size / 1e6:>6.1f} {t_check:>9.2f} {t_semgrep:>9.2f} {t_secrets:>9.2f} {tools:>9.2f} "
          f"{t_check / tools:>7.2f}x  {compare(ours, theirs)}", flush=True)
    print(f"{'':>6} CPU s: check {cpu_check:.1f}, tools {cpu_tools:.1f} (semgrep {CPU['semgrep']:.1f}, "
          f"detect-secrets {CPU['detect-secrets']:.1f})")
    print(f"full default check (every static check): {t_full:.2f} s, {cpu_full:.1f} CPU s = "
          f"{t_full / tools:.2f}x the two raw tools")
    for group, ids in static_groups().items():
        t, found = run_check(repo, workdir / f"{repo.name}-{group}.json", select=ids)
        print(f"  {group:<16} {t:>7.2f} s {CPU['check']:>7.1f} CPU s  {len(found):>5} finding(s)  ({len(ids)} ids)",
              flush=True)
    changed = synthrepo.change_files(repo, files, 5)
    t_diff, found = run_check(repo, workdir / f"{repo.name}-diff.json", diff_base="HEAD", select=[])
    print(f"--diff-base HEAD on a {len(changed)}-file change: {t_diff:.2f} s ({CPU['check']:.1f} CPU s), "
          f"{len(found)} finding(s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000,5000", help="comma-separated file counts")
    parser.add_argument("--keep", type=Path, help="build the repositories here and keep them")
    parser.add_argument("--no-rules", action="store_true",
                        help="select only the secret-* checks (and run no semgrep): the secrets engine's share")
    parser.add_argument("--repo", type=Path, action="append", default=[],
                        help="a git repository to bench instead of the synthetic ones (repeatable)")
    args = parser.parse_args(argv)
    if args.no_rules:
        RULES.clear()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"ideogram-prod static scan bench: {os.cpu_count()} CPU(s), load {os.getloadavg()[0]:.1f}; rules: "
          f"{', '.join(p.stem for p in rule_files()) or 'none'}")
    print(f"selected: {','.join(selected_ids())}")
    print("check = ideogram-prod check; tools = semgrep then detect-secrets CLI; ratio = check / tools;")
    print("engine = our secrets engine alone (checker.tools.secrets.run); d-s/engine = its speed-up on detect-secrets")
    print(f"{'files':>6} {'MB':>6} {'check s':>9} {'semgrep s':>9} {'d-s s':>9} {'tools s':>9} {'ratio':>8}  "
          f"{'engine s':>8} {'d-s/engine':>7}  findings check vs tools")
    with tempfile.TemporaryDirectory(prefix="ideogram-bench-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.repo:
            for source in args.repo:
                bench_repo(source.resolve(), workdir)
            return 0
        last: tuple[Path, list[str]] | None = None
        for n in sizes:
            last = bench_size(n, workdir)
        if last is not None:
            bench_diff(*last, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
