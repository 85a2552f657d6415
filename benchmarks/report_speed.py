"""``harness report`` against ``harness leaderboard`` on the same runs: time and page size, 12 systems x 100 examples.

The runs: ``harness eval summeval`` (SummEval's 12 systems x 100 CNN/DM articles, the task's metrics: ROUGE and
numeric) written to a temporary folder once, untimed. Then, each command in its own process, rounds interleaved
(report, leaderboard, leaderboard, report, ...), timed from the outside (start-up and imports included, as the user
waits for them): ``harness report --results <folder> --out <file>`` and ``harness leaderboard --results <folder>``.
Printed: each round's seconds, median and min per command, the report / leaderboard ratio of the medians (target
<= 5) and of the mins, the page's size (target <= 3 MB), the load average before and after.

Usage: ``.venv/bin/python benchmarks/report_speed.py [--rounds N]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    harness = str(Path(sys.executable).parent / "harness")
    with tempfile.TemporaryDirectory() as folder:
        results, page = Path(folder) / "results", Path(folder) / "report.html"
        subprocess.run([harness, "eval", "summeval", "--out", str(results)], check=True, capture_output=True, env=env)
        commands = {
            "report": [harness, "report", "--results", str(results), "--out", str(page)],
            "leaderboard": [harness, "leaderboard", "--results", str(results)],
        }
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        times: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(args.rounds):
            for name in list(commands) if round_ % 2 == 0 else list(commands)[::-1]:
                started = time.perf_counter()
                subprocess.run(commands[name], check=True, capture_output=True, env=env, cwd=REPO)
                times[name].append(time.perf_counter() - started)
                print(f"round {round_ + 1}: {name} {times[name][-1]:6.2f} s", flush=True)
        size = page.stat().st_size
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, values in times.items():
        print(f"{name:12} median {statistics.median(values):6.2f} s  min {min(values):6.2f} s")
    median = statistics.median(times["report"]) / statistics.median(times["leaderboard"])
    best = min(times["report"]) / min(times["leaderboard"])
    print(f"ratio report / leaderboard: {median:.2f} (median), {best:.2f} (min); target <= 5")
    print(f"page size: {size:,} bytes ({size / 2**20:.2f} MiB, {size / 1e6:.2f} MB); target <= 3 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
