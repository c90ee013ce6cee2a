"""Time `ideogram-prod check` against semgrep + detect-secrets run back to back, and prove the findings match.

Usage: .venv/bin/python bench/static_scan.py [--sizes 200,1000,5000] [--keep DIR] [--baseline DIR]
       .venv/bin/python bench/static_scan.py --repo PATH [--repo PATH ...] [--baseline DIR]
One run of each side per size (no warm-up, no caching between runs); prints wall times, the ratio,
whether the findings are the same, then a --diff-base run on a 5-file change. With --repo, the same table for
any git repository (scanned in a throw-away clone of its HEAD), the full default `check` beside it, a per-check
breakdown (`--select` by engine group) and a --diff-base run on a 5-file change of that repository, and the secrets
parity: our engine in raw mode against the detect-secrets CLI (the same type, file, line and hash), and every CLI
finding found or listed (noise, baseline, inline) by the check. --baseline DIR times another checker tree (an
earlier commit, with its own .venv/bin/python) in the same run, against the same raw tools: before/after ratios.
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


BASELINE: list[Path] = []  # another checker tree to time beside this one (--baseline)
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
              select: list[str] | None = None, tree: Path = ROOT) -> tuple[float, set[Finding]]:
    """`check` on the selected ids (default: the secrets and code rules the tools side runs; [] = its defaults), run
    from the checker tree `tree` (this one, or --baseline's)."""
    ids = selected_ids() if select is None else select
    python = tree / ".venv" / "bin" / "python" if tree != ROOT else Path(venv_bin("python"))
    cmd = [str(python), "-m", "checker", "check", str(repo), "--json", str(out)]
    if ids:
        cmd += ["--select", ",".join(ids)]
    if diff_base:
        cmd += ["--diff-base", diff_base]
    elapsed, _ = timed(cmd, tree, label="check")
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


LAST_CLI: dict[str, str] = {}  # the detect-secrets CLI's JSON of the last run_tools


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
    LAST_CLI["out"] = secrets_out
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


def _secret_set(text: str) -> set[tuple[str, str, int, str]]:
    return {(s["type"], s["filename"], s["line_number"], s["hashed_secret"])
            for entries in json.loads(text)["results"].values() for s in entries}


def secrets_parity(repo: Path, files: list[str], report: Path) -> None:
    """Our engine in raw mode must find exactly what the CLI found; the check must find or list (noise, baseline,
    inline) every line the CLI reported, whatever its precision filters judged."""
    cli = _secret_set(LAST_CLI["out"])
    raw = set().union(*(_secret_set(text) for text in secrets.scan_outputs(repo, files, raw=True)))
    print(f"secrets parity, raw engine vs detect-secrets CLI (type, file, line, hash): "
          f"{'same' if raw == cli else 'DIFFERENT'} (engine {len(raw)}, CLI {len(cli)}; only engine "
          f"{len(raw - cli)} {sorted(raw - cli)[:3]}, only CLI {len(cli - raw)} {sorted(cli - raw)[:3]})")
    data = json.loads(report.read_text(encoding="utf-8"))
    seen = {(f["location"]["path"], f["location"]["line"]) for f in data["findings"]
            if f["check_id"].startswith("secret-")}
    seen |= {(s["location"]["path"], s["location"]["line"]) for s in data.get("suppressions", [])
             if s["check_id"].startswith("secret-") and s.get("location")}
    from detect_secrets.filters.heuristic import is_non_text_file

    from checker.detectors import noise

    def counted(kind: str, name: str) -> bool:
        """By design the check counts these in its reason instead of listing them: entropy hits in lock files (read
        without the entropy detectors) and generic hits in non-text files (read with provider patterns only)."""
        return (kind in noise.ENTROPY_TYPES and noise.is_lock_file(name)) or (
            kind in noise.GENERIC_TYPES and is_non_text_file(name))

    lines = {(f, n) for kind, f, n, _ in cli if not counted(kind, f)}
    by_design = {(f, n) for kind, f, n, _ in cli if counted(kind, f)} - lines
    missed = sorted(lines - seen)
    print(f"secrets parity, check findings + listed suppressions cover the CLI's {len(lines)} line(s): "
          f"{'all' if not missed else f'MISSING {len(missed)}: {missed[:5]}'}; {len(by_design)} more are lock-file "
          f"entropy or non-text generic hits the check counts, not lists; the check adds {len(seen - lines)} line(s) "
          f"the CLI skips (lock, non-text, non-UTF-8 files, allowlisted lines, the Ideogram detector unfiltered)")


def compare(ours: set[Finding], theirs: set[Finding]) -> str:
    if ours == theirs:
        return f"same ({len(ours)})"
    return f"DIFFERENT: only check {sorted(ours - theirs)[:5]}, only tools {sorted(theirs - ours)[:5]}"


def bench_size(n: int, workdir: Path) -> tuple[Path, list[str]]:
    repo = workdir / f"repo-{n}"
    files = synthrepo.generate(repo, n)
    size = sum((repo / f).stat().st_size for f in files)
    t_check, ours = run_check(repo, workdir / f"check-{n}.json")
    cpu_check_now = CPU["check"]
    before = [(tree, *run_check(repo, workdir / f"check-{n}-before.json", tree=tree), CPU["check"])
              for tree in BASELINE]
    CPU["check"] = cpu_check_now
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
    for tree, t_before, found_before, cpu_before in before:
        print(f"{'':>6} baseline {tree}: check {t_before:.2f} s, {cpu_before:.1f} CPU s = {t_before / tools:.2f}x; "
              f"findings vs tools {compare(found_before, theirs)}", flush=True)
    return repo, files


def bench_diff(repo: Path, files: list[str], workdir: Path) -> None:
    changed = synthrepo.change_files(repo, files, 5)
    t_diff, found = run_check(repo, workdir / "diff.json", diff_base="HEAD")
    cpu_diff = CPU["check"]
    for tree in BASELINE:
        t_before, _ = run_check(repo, workdir / "diff-before.json", diff_base="HEAD", tree=tree)
        print(f"--diff-base baseline {tree}: {t_before:.2f} s ({CPU['check']:.1f} CPU s)")
    _, full = run_check(repo, workdir / "full-after.json")
    from checker.diff import changed_lines

    lines = changed_lines(repo, "HEAD")
    expected = {f for f in full if f[2] in lines.get(f[1], frozenset())}
    print(f"--diff-base HEAD on a {len(changed)}-file change ({len(files)}-file repo): {t_diff:.2f} s "
          f"({cpu_diff:.1f} CPU s); "
          f"{len(found)} finding(s) on changed lines, full scan restricted to them: {compare(found, expected)}")


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _commit() -> str:
    """The commit benched: git's HEAD of this tree, or the COMMIT file beside a `git archive` snapshot."""
    if (ROOT / "COMMIT").is_file():
        return (ROOT / "COMMIT").read_text(encoding="utf-8").strip()[:12]
    proc = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=False)
    dirty = subprocess.run(["git", "-C", str(ROOT), "diff", "--quiet", "HEAD", "--", "checker", "bench"],
                           check=False).returncode
    return proc.stdout.strip() + ("+dirty" if dirty else "")


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
    # A snapshot may lack some large blobs (deleted in its work tree): commit the tree as it is, so that the
    # --diff-base run below sees the 5 changed files only, not deletions that make every repository-wide check run.
    subprocess.run(["git", "-C", str(repo), "add", "-A"], capture_output=True, check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit",
                    "-q", "--allow-empty", "--no-verify", "-m", "snapshot as checked out"], capture_output=True,
                   check=True)
    files = [f for f in subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], capture_output=True,
                                       check=True).stdout.decode("utf-8", "surrogateescape").split("\0")
             if f and (repo / f).is_file()]
    size = sum((repo / f).stat().st_size for f in files)
    print(f"\n== {source} @ {head[:12]}: {len(files)} files, {size / 1e6:.1f} MB; load {_load()}", flush=True)
    t_full, _ = run_check(repo, workdir / f"{repo.name}-full.json", select=[])
    cpu_full = CPU["check"]
    before = [(tree, *run_check(repo, workdir / f"{repo.name}-before.json", select=[], tree=tree), CPU["check"])
              for tree in BASELINE]
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
          f"{t_full / tools:.2f}x the two raw tools ({cpu_full / cpu_tools:.2f}x their CPU s)")
    for tree, t_before, _, cpu_before in before:
        print(f"  baseline {tree}: {t_before:.2f} s, {cpu_before:.1f} CPU s = {t_before / tools:.2f}x "
              f"({cpu_before / cpu_tools:.2f}x their CPU s)")
    secrets_parity(repo, files, workdir / f"{repo.name}-check.json")
    for group, ids in static_groups().items():
        t, found = run_check(repo, workdir / f"{repo.name}-{group}.json", select=ids)
        print(f"  {group:<16} {t:>7.2f} s {CPU['check']:>7.1f} CPU s  {len(found):>5} finding(s)  ({len(ids)} ids)",
              flush=True)
    changed = synthrepo.change_files(repo, files, 5)
    t_diff, found = run_check(repo, workdir / f"{repo.name}-diff.json", diff_base="HEAD", select=[])
    print(f"--diff-base HEAD on a {len(changed)}-file change: {t_diff:.2f} s ({CPU['check']:.1f} CPU s), "
          f"{len(found)} finding(s)")
    for tree in BASELINE:
        t_before, found_before = run_check(repo, workdir / f"{repo.name}-diff-before.json", diff_base="HEAD",
                                           select=[], tree=tree)
        print(f"  baseline {tree}: {t_before:.2f} s ({CPU['check']:.1f} CPU s), {len(found_before)} finding(s); "
              f"findings {'same' if found_before == found else 'DIFFERENT'}")
    print(f"load {_load()}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000,5000", help="comma-separated file counts")
    parser.add_argument("--keep", type=Path, help="build the repositories here and keep them")
    parser.add_argument("--no-rules", action="store_true",
                        help="select only the secret-* checks (and run no semgrep): the secrets engine's share")
    parser.add_argument("--repo", type=Path, action="append", default=[],
                        help="a git repository to bench instead of the synthetic ones (repeatable)")
    parser.add_argument("--baseline", type=Path, action="append", default=[],
                        help="another checker tree (with .venv/bin/python) to time beside this one, e.g. an earlier "
                             "commit's `git archive` (repeatable)")
    args = parser.parse_args(argv)
    BASELINE.extend(p.resolve() for p in args.baseline)
    if args.no_rules:
        RULES.clear()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"ideogram-prod static scan bench @ {_commit()}: {os.cpu_count()} CPU(s), load {_load()}; rules: "
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
