"""Speed of the fidelity-beyond-overlap metrics on a leaderboard-shaped job, and what their per-source cache buys.

K systems (default 5) x N articles (default 100): the sources are SummEval's CNN/DM articles (field ``text`` of
``external/summeval/model_output_annotations/M*.jsonl``, see its SOURCE.md) and system k's candidates are the k-th
SummEval system's summaries (field ``decoded``). Each metric is scored the way ``harness eval`` scores it: one
instance for the run, the systems one after another, so each source's preparation (tokens, NER, quotes) can be
reused by every later system. The same job is then run without that reuse (a fresh instance per system, with
its cache off where the metric has an option for it) to show what the cache buys. One process, one thread.
Times are CPU seconds of this process (``time.process_time``), so the figures are per core and hold on a
machine shared with other jobs, where wall-clock time would measure the neighbours too.

For each metric it prints pairs/s cached and uncached, the speed-up, and its share of the time of a full
``harness eval`` of these pairs with the reference metrics (rouge, numeric, bertscore: the seeds tasks' others),
which are timed the same way unless ``--no-reference``. Targets (issue 10, "Cost"): extractiveness >= 1,000
pairs/s, quotes and certainty >= 200, entities >= 30, on one core.

Adding a metric: one line in ``BUILDERS`` (name -> function of ``cache: bool`` returning the metric).

Usage: ``.venv/bin/python benchmarks/fidelity_speed.py [--systems K] [--docs N] [--repeat R] [--shared PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: no intra-op threads in torch (bertscore)
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from harness.scoring.registry import Metric, build_metric  # noqa: E402

# name -> builder(cache) -> metric. cache=False must give the same numbers without reusing source work.
BUILDERS: dict[str, Callable[[bool], Metric]] = {
    "extractiveness": lambda cache: build_metric("extractiveness", {"cache_size": 4096 if cache else 0}),
    "quotes": lambda cache: build_metric("quotes", {"cache_size": 4096 if cache else 0}),
    "certainty": lambda cache: build_metric("certainty", {"cache_size": 4096 if cache else 0}),
    # Its sources' NER is cached in the instance; uncached = the fresh instance per system that run() makes.
    "entities": lambda cache: build_metric("entities"),
}
# The rest of a seeds-task `harness eval`, for the share of the total each metric above takes.
REFERENCE: dict[str, Callable[[bool], Metric]] = {
    "rouge": lambda cache: build_metric("rouge"),
    "numeric": lambda cache: build_metric("numeric"),
    "bertscore": lambda cache: build_metric("bertscore"),
}


def load(shared: Path, k: int, n: int) -> tuple[list[str], list[list[str]], list[str]]:
    folder = shared / "external" / "summeval" / "model_output_annotations"
    files = sorted(folder.glob("M*_outputs_annotations.jsonl"))[:k]
    sources: list[str] = []
    systems: list[list[str]] = []
    for path in files:
        rows = sorted(
            (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()), key=lambda r: r["id"]
        )
        sources = [row["text"] for row in rows[:n]]
        systems.append([row["decoded"] for row in rows[:n]])
    return sources, systems, [path.name.split("_")[0] for path in files]


def run(
    builder: Callable[[bool], Metric], sources: list[str], systems: list[list[str]], *, cache: bool
) -> tuple[float, list[dict[str, float]]]:
    """CPU seconds to score every system as a run does (one instance, or a fresh one per system without cache)."""
    metric = builder(cache)
    metric.score(sources=["Warm-up: load models and tokenizers."], candidates=["Warm-up."])
    # The warm-up pair is not a source of the job, so the timed part starts with an empty source cache.
    rows: list[dict[str, float]] = []
    started = time.process_time()
    for candidates in systems:
        if not cache:
            metric = builder(False)
        rows += metric.score(sources=sources, candidates=candidates)
    return time.process_time() - started, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=5)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="runs per setting of BUILDERS; the fastest is reported")
    parser.add_argument("--no-reference", action="store_true", help="skip timing rouge, numeric and bertscore")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()

    sources, systems, names = load(args.shared, args.systems, args.docs)
    pairs = len(sources) * len(systems)
    print(
        f"{len(systems)} systems ({', '.join(names)}) x {len(sources)} SummEval articles = {pairs} pairs; one process"
    )
    timed: dict[str, tuple[float, float | None]] = {}
    for name, builder in {**BUILDERS, **({} if args.no_reference else REFERENCE)}.items():
        repeat = args.repeat if name in BUILDERS else 1  # the reference metrics only give the denominator
        cached = min(run(builder, sources, systems, cache=True)[0] for _ in range(repeat))
        uncached = None
        if name in BUILDERS:
            uncached = min(run(builder, sources, systems, cache=False)[0] for _ in range(args.repeat))
            same = run(builder, sources, systems, cache=True)[1] == run(builder, sources, systems, cache=False)[1]
            if not same:
                raise SystemExit(f"{name}: scores differ with and without the cache")
        timed[name] = (cached, uncached)

    total = sum(cached for cached, _ in timed.values())
    print(f"{'metric':16} {'pairs/s':>9} {'uncached':>9} {'cache x':>8} {'share of eval':>14}")
    for name, (cached, uncached) in timed.items():
        line = f"{name:16} {pairs / cached:9,.0f} "
        line += f"{pairs / uncached:9,.0f} {uncached / cached:7.2f}x " if uncached else f"{'':9} {'':8} "
        line += f"{cached / total:13.1%}" if len(timed) > len(BUILDERS) else ""
        print(line.rstrip())
    if len(timed) > len(BUILDERS):
        print(f"all these metrics: {total:.2f} CPU s for {pairs} pairs")


if __name__ == "__main__":
    main()
