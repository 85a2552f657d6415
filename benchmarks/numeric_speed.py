"""How fast the numeric metric scores article-length pairs, side by side with an earlier version of itself.

Sources are real news articles: the 100 CNN/DM articles of SummEval
(``shared/external/summeval/model_output_annotations/*.jsonl``, field ``text``; see its SOURCE.md) and the
100 of REALSumm (``shared/external/realsumm/selected_docs_for_human_eval/abs/ptr_generator/src.txt``, one
article per line). Each pair has a distinct candidate: its source with the sentences rotated and every third
digit changed, so candidate extraction is never a cache hit (sources repeat, as they do when many systems are
scored on one task; ``--cold`` clears the cache before every pair as well).

Contenders, each in its own process (``--child``), rounds interleaved, ``harness.score``-style scoring through
the metric class with default options:

- ``baseline``: the metric as it was at ``--baseline-ref`` (default ``603c139``, before the real-news work of
  issues 16 and 22), taken from git into a temporary folder;
- ``no-attribution``: today's metric with ``attribution: false`` (the extractor and matcher of issue 16);
- ``default``: today's metric as users run it (with the binding check of issue 22).

Printed: each round's seconds, median and min per contender, the ratios of medians and of mins, and the load
average before and after. Run: ``.venv/bin/python benchmarks/numeric_speed.py [--pairs 2000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def articles(shared: Path) -> list[str]:
    """Distinct article texts from SummEval and REALSumm."""
    found: dict[str, None] = {}
    for path in sorted((shared / "external" / "summeval" / "model_output_annotations").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            found[json.loads(line)["text"]] = None
    realsumm = shared / "external" / "realsumm" / "selected_docs_for_human_eval" / "abs" / "ptr_generator" / "src.txt"
    for line in realsumm.read_text(encoding="utf-8").splitlines():
        text = re.sub(r"</?t>", " ", line).strip()
        if text:
            found[text] = None
    return list(found)


def candidate(source: str, index: int) -> str:
    """A distinct rewrite-like variant of ``source``: sentences rotated, every third digit changed."""
    sentences = re.split(r"(?<=[.!?])\s+", source)
    shift = index % max(1, len(sentences))
    rotated = " ".join(sentences[shift:] + sentences[:shift])
    count = 0

    def change(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return str((int(match.group()) + index) % 10) if count % 3 == 0 else match.group()

    return re.sub(r"\d", change, rotated) + f" ({index})"


def child(repo: Path, pairs: int, cold: bool, options: dict[str, object], shared: Path) -> float:
    """Score the pairs with the metric found in ``repo``; return the seconds it took."""
    sys.path.insert(0, str(repo))
    from metrics.numeric import Numeric
    from metrics.numeric.extract import _extract_cached

    texts = articles(shared)
    sources = [texts[i % len(texts)] for i in range(pairs)]
    candidates = [candidate(source, i) for i, source in enumerate(sources)]
    metric = Numeric(**options)
    _extract_cached.cache_clear()
    started = time.perf_counter()
    if cold:
        for source, cand in zip(sources, candidates):
            _extract_cached.cache_clear()
            metric.score(sources=[source], candidates=[cand])
    else:
        metric.score(sources=sources, candidates=candidates)
    return time.perf_counter() - started


def checkout(ref: str, folder: Path) -> None:
    """The project's ``metrics`` and ``harness`` as they were at git ``ref``, written into ``folder``."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "metrics", "harness"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="clear the extraction cache before every pair")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--baseline-ref", default="603c139")
    parser.add_argument("--child", nargs=2, metavar=("REPO", "OPTIONS_JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        repo, options = args.child
        print(child(Path(repo), args.pairs, args.cold, json.loads(options), args.shared))
        return
    with tempfile.TemporaryDirectory() as folder:
        baseline = Path(folder)
        checkout(args.baseline_ref, baseline)
        contenders = {
            "baseline": (baseline, {}),
            "no-attribution": (REPO, {"attribution": False}),
            "default": (REPO, {}),
        }
        print(
            f"{args.pairs} pairs, {args.rounds} rounds{' (cold cache)' if args.cold else ''};"
            f" baseline {args.baseline_ref}"
        )
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for round_ in range(args.rounds):
            for name, (repo, options) in contenders.items():
                command = [sys.executable, __file__, "--pairs", str(args.pairs), "--shared", str(args.shared)]
                command += ["--child", str(repo), json.dumps(options)] + (["--cold"] if args.cold else [])
                seconds = float(subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()[-1])
                times[name].append(seconds)
                print(f"round {round_ + 1} {name:15} {seconds:7.2f} s  {args.pairs / seconds:7.0f} pairs/s")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for name, values in times.items():
            print(f"{name:15} median {statistics.median(values):7.2f} s  min {min(values):7.2f} s")
        for slower, faster in (("no-attribution", "baseline"), ("default", "no-attribution"), ("default", "baseline")):
            median = statistics.median(times[slower]) / statistics.median(times[faster])
            best = min(times[slower]) / min(times[faster])
            print(f"time {slower} / {faster}: {median:.2f}x (median), {best:.2f}x (min)")


if __name__ == "__main__":
    main()
