"""Speed of ``harness meta-eval``: the statistics alone, and the whole command on the shipped data.

1. Statistics: 1,000 bootstrap resamples (documents and systems together) of a 100-document x 12-system matrix
   for 10 metric keys, at the summary level, each of Pearson, Spearman and Kendall's tau-b (the issue's target:
   under 5 s on a 2-core machine), and the permutation test of all 45 pairs of those keys on Kendall's tau-b.
   The data is synthetic (seeded): human scores 1-5 with ties, keys = human + noise of growing size.
2. ``harness meta-eval all`` with the tasks' metrics (ROUGE without stemming and numeric consistency), in a
   fresh results folder: first run (scores every summary of the four datasets, 5,946 pairs, then the statistics),
   then the same command again (only the statistics: the scores are read from the runs). Target: under 3
   minutes for the first.

CPU times are printed beside wall times: on a shared machine the wall time also measures the other load
(``uptime`` is printed). Usage: ``.venv/bin/python benchmarks/metaeval_speed.py [--skip-cli] [--resamples N]``
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from harness.metaeval import bootstrap, levels, significance
from harness.metaeval import coefficients as coef
from harness.metaeval.weights import Weights

ROOT = Path(__file__).resolve().parent.parent


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime


def statistics(resamples: int) -> None:
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    n, m, k = 100, 12, 10
    human = rng.integers(1, 6, (n, m)).astype(float)
    keys = {f"key{i}": human + rng.normal(0, 1 + i, (n, m)) for i in range(k)}
    present = np.ones((n, m), dtype=bool)
    worlds = bootstrap.draw(n, m, resamples=resamples, seed=1)
    ones = Weights.identity(n, m)
    total = 0.0
    with threadpool_limits(limits=1, user_api="blas"):
        for coefficient in coef.COEFFICIENTS:
            wall, cpu = time.perf_counter(), _cpu()
            for x in keys.values():
                levels.values(levels.SUMMARY, x[None], human, present, worlds, coefficient)
            wall, cpu = time.perf_counter() - wall, _cpu() - cpu
            total += wall
            print(f"bootstrap, summary level, {coefficient:13s}: {wall:6.2f} s wall, {cpu:6.2f} s CPU ({k} keys)")
        print(f"bootstrap, summary level, all three coefficients: {total:.2f} s wall (target < 5 s)")
        observed = {
            name: float(levels.values(levels.SUMMARY, x[None], human, present, ones, coef.KENDALL)[0])
            for name, x in keys.items()
        }
        observed = dict(sorted(observed.items(), key=lambda item: -item[1]))
        permutations = significance.permutations_needed(k * (k - 1) // 2, resamples)
        wall, cpu = time.perf_counter(), _cpu()
        significance.compare(levels.SUMMARY, coef.KENDALL, keys, human, present, observed, resamples=permutations)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        label = f"permutation test, summary Kendall, 45 pairs x {permutations} permutations"
        print(f"{label}: {wall:.2f} s wall, {cpu:.2f} s CPU")


def command(resamples: int) -> None:
    harness = Path(sys.executable).parent / "harness"
    with tempfile.TemporaryDirectory(prefix="metaeval-speed-") as folder:
        args = [str(harness), "meta-eval", "all", "--results", folder, "--resamples", str(resamples)]
        for label in ("first run (scoring + statistics)", "second run (statistics only)"):
            wall, cpu = time.perf_counter(), _cpu()
            done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
            wall, cpu = time.perf_counter() - wall, _cpu() - cpu
            if done.returncode != 0:
                sys.exit(f"harness meta-eval all failed: {done.stderr.strip().splitlines()[-1]}")
            print(f"harness meta-eval all, {label}: {wall:6.1f} s wall, {cpu:6.1f} s CPU (target < 180 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--skip-cli", action="store_true", help="only the statistics benchmark")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    statistics(args.resamples)
    if not args.skip_cli:
        command(args.resamples)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
