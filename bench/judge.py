"""False failures on healthy canaries and detection delay on error regressions, for the sequential canary judge.

Simulates stages of the real judge (checker/rollout/judge.py, the same functions `rollout analyze` calls): Poisson
traffic, a canary at 10% (the stable has 9x its calls), 1% 5xx, 0.2% 429, 0.3% 400s and a lognormal latency with
p99 ~ 3.6 s on both tracks, looks every --interval, a --duration soak and a --deadline. The hard limits (the seed's
alerts) are judged on their own 5m window as `analyze` does. Usage: .venv/bin/python bench/judge.py [--runs 2000]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker.rollout import judge
from checker.rollout.gates import Verdict

BUCKETS = (0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 30.0, 60.0, 120.0, math.inf)  # `init`'s histogram
RATES = (20, 50, 200, 1000)  # canary calls a minute
REGRESSIONS = (2.0, 5.0, 10.0)
HEALTHY = {"500": 0.01, "429": 0.002, "400": 0.003}
MEDIAN_S, SIGMA = 1.0, math.log(3.6) / 2.326  # lognormal latency, p99 = 3.6 s


def _lognormal_cdf(x: float) -> float:
    return 1.0 if math.isinf(x) else 0.5 * math.erfc(-(math.log(x / MEDIAN_S) / SIGMA) / math.sqrt(2))


BUCKET_P = tuple(_lognormal_cdf(b) - (_lognormal_cdf(a) if i else 0.0)
                 for i, (a, b) in enumerate(zip((0.0, *BUCKETS), BUCKETS, strict=False)))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@dataclass
class Track:
    """Counts since the stage began, and per look (for the hard limits' last-minute window)."""

    status: dict[str, float]
    buckets: list[float]
    window: list[tuple[dict[str, float], list[float]]]

    @classmethod
    def empty(cls) -> Track:
        return cls({}, [0.0] * len(BUCKETS), [])

    def add(self, rng: random.Random, calls_per_min: float, ratios: Mapping[str, float], seconds: float) -> None:
        lam = calls_per_min * seconds / 60
        bucket_counts = [float(poisson(rng, lam * p)) for p in BUCKET_P]  # independent: a Poisson process split
        step: dict[str, float] = {status: float(poisson(rng, lam * r)) for status, r in ratios.items()}
        step["200"] = max(0.0, sum(bucket_counts) - sum(step.values()))  # a call is counted once in each metric
        for status, n in step.items():
            self.status[status] = self.status.get(status, 0.0) + n
        self.buckets = [a + b for a, b in zip(self.buckets, bucket_counts, strict=True)]
        self.window.append((step, bucket_counts))

    def tally(self) -> judge.Tally:
        cum, out = 0.0, []
        for le, n in zip(BUCKETS, self.buckets, strict=True):
            cum += n
            out.append((le, cum))
        return judge.Tally(dict(self.status), tuple(out))

    def last(self, looks: int) -> judge.Tally:
        status: dict[str, float] = {}
        counts = [0.0] * len(BUCKETS)
        for step, b in self.window[-looks:]:
            for k, v in step.items():
                status[k] = status.get(k, 0.0) + v
            counts = [x + y for x, y in zip(counts, b, strict=True)]
        cum, out = 0.0, []
        for le, n in zip(BUCKETS, counts, strict=True):
            cum += n
            out.append((le, cum))
        return judge.Tally(status, tuple(out))


def hard_limits(c: judge.Tally, s: judge.Tally, minutes: float) -> list[judge.HardLimit]:
    """The seed's four alerts over their window, as `analyze` evaluates them."""
    def per_min(t: judge.Tally, pattern: str) -> float:
        return t.matching(pattern) / minutes

    return [
        judge.HardLimit("api_down", per_min(c, "5.."), per_min(s, "5.."), 10, ">", True, c.calls, s.calls, 120),
        judge.HardLimit("high_latency", judge.quantile(0.99, c.buckets), judge.quantile(0.99, s.buckets), 5, ">",
                        False, c.calls, s.calls, 300),
        judge.HardLimit("rate_limited", per_min(c, "429"), per_min(s, "429"), 5, ">", True, c.calls, s.calls, 300),
        judge.HardLimit("auth_failures", c.matching("401|403"), s.matching("401|403"), 0, ">", True, c.calls,
                        s.calls, 0),
    ]


def one_stage(rng: random.Random, rate: float, factor: float, interval: float, duration: float, deadline: float,
              cfg: judge.JudgeSettings) -> tuple[Verdict, int, str]:
    """(verdict, looks taken, the failing gate) of one simulated stage."""
    canary, stable = Track.empty(), Track.empty()
    bad = {**HEALTHY, "500": HEALTHY["500"] * factor}
    window_looks = max(1, round(300 / interval))  # the alerts' own 5m window
    look = 0
    page = judge.PageNow()
    while True:
        look += 1
        canary.add(rng, rate, bad, interval)
        stable.add(rng, 9 * rate, HEALTHY, interval)
        t = look * interval
        gates = {j.key: j.verdict for j in judge.compare(canary.tally(), stable.tally(), look, cfg)}
        for h, v, _ in page.judge(hard_limits(canary.last(window_looks), stable.last(window_looks),
                                              min(t, window_looks * interval) / 60), t):
            gates[h.key] = v
        verdict = judge.stage_verdict(gates.values(), soaked=t >= duration, deadline=t >= deadline)
        if verdict is not None:
            return verdict, look, next((k for k, v in gates.items() if v is Verdict.FAIL), "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=2000, help="healthy stages per traffic level (default 2000)")
    ap.add_argument("--bad-runs", type=int, default=300, help="regressed stages per cell (default 300)")
    ap.add_argument("--interval", type=float, default=30.0, help="seconds between looks (default 30)")
    ap.add_argument("--duration", type=float, default=600.0, help="soak before a pass (default 600 s)")
    ap.add_argument("--deadline", type=float, default=1800.0, help="inconclusive ends here (default 1800 s)")
    ap.add_argument("--seed", type=int, default=12)
    args = ap.parse_args(argv)
    cfg = judge.JudgeSettings()
    rng = random.Random(args.seed)
    print(f"judge: alpha {cfg.alpha}/stage, beta {cfg.beta}, detect {cfg.detect}x; interval {args.interval:g}s, "
          f"soak {args.duration:g}s, deadline {args.deadline:g}s; canary 10% (stable 9x its calls); 1% 5xx")
    print()
    head = ["calls/min", "healthy: fail", "pass", "inconcl.", "hold", "median pass (min)"]
    head += [f"{f:g}x 5xx: caught, median / p90 delay (intervals)" for f in REGRESSIONS]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    ok = True
    for rate in RATES:
        healthy = [one_stage(rng, rate, 1.0, args.interval, args.duration, args.deadline, cfg)
                   for _ in range(args.runs)]
        share = {v: sum(1 for h in healthy if h[0] is v) / len(healthy) for v in Verdict}
        passes = [h[1] * args.interval / 60 for h in healthy if h[0] is Verdict.PASS]
        row = [str(rate), f"{share[Verdict.FAIL]:.2%}", f"{share[Verdict.PASS]:.1%}",
               f"{share[Verdict.INCONCLUSIVE]:.1%}", f"{share[Verdict.HOLD]:.1%}",
               f"{statistics.median(passes):.1f}" if passes else "–"]
        if rate >= 50 and share[Verdict.FAIL] > 0.01:
            ok = False
        for factor in REGRESSIONS:
            runs = [one_stage(rng, rate, factor, args.interval, args.duration, args.deadline, cfg)
                    for _ in range(args.bad_runs)]
            caught = sorted(r[1] for r in runs if r[0] is Verdict.FAIL)
            if not caught:
                row.append("0%")
                continue
            p90 = caught[min(len(caught) - 1, int(0.9 * len(caught)))]
            row.append(f"{len(caught) / len(runs):.0%}, {statistics.median(caught):g} / {p90}")
            if rate == 200 and factor == 5.0 and statistics.median(caught) > 2:
                ok = False
        print("| " + " | ".join(row) + " |")
    print()
    print("targets: <= 1% false failures a stage at >= 50 calls/min; 5x caught within two intervals (median) at 200/min"
          f" -> {'MET' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
