"""Scale of one input: ``harness score`` on a single-line source of 1 MB and of 4 MB against a short rewrite.

Every metric must be close to linear in the length of its inputs. The sources are real news text: the SummEval
CNN/DM articles (``external/summeval/model_output_annotations/M8_outputs_annotations.jsonl``, field ``text``) and
the FRANK articles (``external/frank/data/articles-wfactcc-json/*.json``, field ``article``), whitespace collapsed
and joined into one line, cycling through them until the size is reached (a 4 MB line holds each article about
twice). The rewrite is SummEval system M8's summary of the first article (a few sentences).

Each size runs ``harness score SOURCE CANDIDATE --metrics rouge,numeric --json`` (``--metrics`` to change) in its own
process, rounds interleaved (1 MB, 4 MB, 4 MB, 1 MB, ...), timed from the outside: start-up and imports included, as
a user waits for them. Printed: each run's seconds, median and min per size, the 4 MB / 1 MB ratio of the medians
(target: at most 6, and the 4 MB run under 120 s), the load average before and after.

Usage: ``.venv/bin/python benchmarks/one_input_scale.py [--rounds N] [--metrics rouge,numeric] [--shared PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUMMEVAL = "external/summeval/model_output_annotations/M8_outputs_annotations.jsonl"


def texts(shared: Path) -> tuple[list[str], str]:
    """The articles, and the rewrite of the first one."""
    rows = [json.loads(line) for line in (shared / SUMMEVAL).read_text(encoding="utf-8").splitlines()]
    articles = [row["text"] for row in rows]
    for path in sorted((shared / "external/frank/data/articles-wfactcc-json").glob("*.json")):
        articles.append(json.loads(path.read_text(encoding="utf-8"))["article"])
    return articles, rows[0]["decoded"]


def one_line(articles: list[str], size: int) -> str:
    """``size`` characters of the articles on one line."""
    parts, total, i = [], 0, 0
    while total < size:
        part = " ".join(articles[i % len(articles)].split())
        parts.append(part)
        total += len(part) + 1
        i += 1
    return " ".join(parts)[:size]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--metrics", default="rouge,numeric")
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("HARNESS_SHARED", REPO.parent / "shared")))
    args = parser.parse_args()

    articles, rewrite = texts(args.shared)
    harness = Path(sys.executable).parent / "harness"
    with tempfile.TemporaryDirectory() as folder:
        candidate = Path(folder) / "candidate.txt"
        candidate.write_text(rewrite, encoding="utf-8")
        sources = {}
        for megabytes in (1, 4):
            sources[megabytes] = Path(folder) / f"source-{megabytes}mb.txt"
            sources[megabytes].write_text(one_line(articles, megabytes * 1_000_000), encoding="utf-8")
        print(
            f"harness score --metrics {args.metrics}: one-line sources of 1 MB and 4 MB, "
            f"a {len(rewrite)}-character rewrite"
        )
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        times: dict[int, list[float]] = {1: [], 4: []}
        for round_ in range(args.rounds):
            for megabytes in (1, 4) if round_ % 2 == 0 else (4, 1):
                command = [str(harness), "score", str(sources[megabytes]), str(candidate), "--metrics", args.metrics]
                started = time.perf_counter()
                done = subprocess.run(
                    [*command, "--json"], capture_output=True, text=True, env=os.environ | {"HF_HUB_OFFLINE": "1"}
                )
                seconds = time.perf_counter() - started
                if done.returncode != 0:
                    print(done.stderr, file=sys.stderr)
                    return 1
                warned = [line for line in done.stderr.splitlines() if "InputSizeWarning" in line]
                times[megabytes].append(seconds)
                print(
                    f"round {round_ + 1}: {megabytes} MB {seconds:7.2f} s"
                    + (f"  ({warned[0].strip()})" if warned else "")
                )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for megabytes, values in times.items():
        print(f"{megabytes} MB: median {statistics.median(values):7.2f} s  min {min(values):7.2f} s")
    ratio = statistics.median(times[4]) / statistics.median(times[1])
    best = min(times[4]) / min(times[1])
    print(
        f"ratio 4 MB / 1 MB: {ratio:.2f} (median), {best:.2f} (min); target <= 6, and 4 MB under 120 s: "
        f"{'yes' if max(times[4]) < 120 else 'no'} (slowest {max(times[4]):.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
