"""Speed of ``harness.score(metrics=["rouge"])`` (default options) against rouge-score, as users run it, with an
exactness check.

Two workloads of real, distinct texts from ``../shared/external``:

- ``summeval``: the 12 SummEval systems' summaries of the 100 CNN/DM articles
  (``summeval/model_output_annotations/M*.jsonl``, field ``decoded`` against ``text``): 1,200 pairs, scored one
  system at a time, as a leaderboard scores them (each article is the source of 12 pairs);
- ``articles``: 24 pairs of distinct FRANK articles of 500 to 800 rouge-score tokens each
  (``frank/data/articles-wfactcc-json/*.json``, field ``article``), every text in one pair only.

Contenders, each in its own process (``--child``), rounds interleaved (harness, rouge-score, harness, ...):

- harness: ``harness.score(sources=..., candidates=..., metrics=["rouge"])`` once per system, default options
  (stemming, rouge1/2/L/Lsum, the default sentence splitting, which it does inside the timing);
- rouge-score: ``RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True).score`` per pair,
  fed the texts already split by the harness's splitter (one sentence per line, split before its clock starts),
  so that its rougeLsum is computed on the same sentences.

Each process loads its data and imports its libraries before its clock starts and warms up on one pair that is
not in the workload. Printed: pairs/s per round, the median and the min over rounds of each contender's time,
the ratio of the medians (and of the mins, and of the median CPU times: ``time.process_time`` of each process, the
steadier measure on a shared machine), the load average before and after. Exactness: in the first round,
every one of the 12 values of every pair must be equal (``==``); rouge1/2/L against rouge-score on the raw texts,
rougeLsum against rouge-score on the split texts. Exits 1 otherwise.

Usage: ``.venv/bin/python benchmarks/rouge_speed.py [--workload summeval|articles|both] [--rounds N]``
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
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
FIELDS = {"p": "precision", "r": "recall", "f": "fmeasure"}


def summeval(shared: Path) -> list[tuple[list[str], list[str]]]:
    """One (sources, candidates) batch per SummEval system, rows in id order."""
    batches = []
    for path in sorted((shared / "external/summeval/model_output_annotations").glob("M*_outputs_annotations.jsonl")):
        rows = sorted(
            (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()), key=lambda r: r["id"]
        )
        batches.append(([r["text"] for r in rows], [r["decoded"] for r in rows]))
    return batches


def articles(shared: Path, pairs: int = 24) -> list[tuple[list[str], list[str]]]:
    """``pairs`` pairs of distinct FRANK articles of 500 to 800 rouge-score tokens, as one batch."""
    from metrics.rouge.tokens import tokenize

    texts = []
    for path in sorted((shared / "external/frank/data/articles-wfactcc-json").glob("*.json")):
        text = json.loads(path.read_text(encoding="utf-8"))["article"]
        if 500 <= len(tokenize(text, "rouge_score", False)) <= 800 and text not in texts:
            texts.append(text)
        if len(texts) == 2 * pairs:
            break
    return [(texts[0::2], texts[1::2])]


def load(workload: str, shared: Path) -> list[tuple[list[str], list[str]]]:
    batches = summeval(shared) if workload == "summeval" else articles(shared)
    if workload == "articles":
        texts = [t for sources, candidates in batches for t in (*sources, *candidates)]
        assert len(set(texts)) == len(texts), "every text once, or caches would flatter the harness"
    return batches


WARM_UP = ("The dogs were running home. They ran fast.", "A dog ran home.")


def child(contender: str, workload: str, shared: Path, out: Path) -> None:
    """Time one contender on one workload in this process; write seconds and scores to ``out``."""
    batches = load(workload, shared)
    pairs = sum(len(s) for s, _ in batches)
    if contender == "harness":
        import harness

        harness.score(sources=[WARM_UP[0]], candidates=[WARM_UP[1]], metrics=["rouge"])
        started, cpu = time.perf_counter(), time.process_time()
        rows = [row for s, c in batches for row in harness.score(sources=s, candidates=c, metrics=["rouge"])]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    else:
        from rouge_score import rouge_scorer

        from harness.scoring.sentences import split_sentences

        scorer = rouge_scorer.RougeScorer(list(TYPES), use_stemmer=True)
        scorer.score(WARM_UP[0], WARM_UP[1])
        split = [
            [("\n".join(split_sentences(a)), "\n".join(split_sentences(b))) for a, b in zip(s, c)] for s, c in batches
        ]
        started, cpu = time.perf_counter(), time.process_time()
        found = [scorer.score(target=a, prediction=b) for batch in split for a, b in batch]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        # rouge1/2/L of rouge-score on the raw texts (the split changes only rougeLsum), outside the timing.
        raw = [scorer.score(target=a, prediction=b) for s, c in batches for a, b in zip(s, c)]
        rows = [
            {
                f"{t}_{p}": float(getattr((f if t == "rougeLsum" else r)[t], name))
                for t in TYPES
                for p, name in FIELDS.items()
            }
            for f, r in zip(found, raw)
        ]
    out.write_text(json.dumps({"seconds": seconds, "cpu": cpu, "pairs": pairs, "rows": rows}))


def run_child(contender: str, workload: str, shared: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.json"
        command = [sys.executable, __file__, "--child", contender, "--workload", workload, "--shared", str(shared)]
        subprocess.run([*command, "--out", str(out)], check=True)
        return dict(json.loads(out.read_text()))


def compare(workload: str, shared: Path, rounds: int) -> bool:
    print(f"\n== {workload}; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    times: dict[str, list[float]] = {"harness": [], "rouge-score": []}
    cpus: dict[str, list[float]] = {"harness": [], "rouge-score": []}
    exact = True
    for round_ in range(rounds):
        results = {
            name: run_child(name, workload, shared)
            for name in (("harness", "rouge-score")[:: 1 if round_ % 2 == 0 else -1])
        }
        for name, result in results.items():
            times[name].append(result["seconds"])
            cpus[name].append(result["cpu"])
        pairs = results["harness"]["pairs"]
        print(
            f"round {round_ + 1}: "
            + ", ".join(f"{name} {pairs / result['seconds']:.1f} pairs/s" for name, result in results.items())
        )
        if round_ == 0:
            ours, theirs = results["harness"]["rows"], results["rouge-score"]["rows"]
            differing = [i for i, (a, b) in enumerate(zip(ours, theirs)) if {k: a[k] for k in b} != b]
            exact = not differing and len(ours) == len(theirs)
            print(f"exact: {len(ours) - len(differing)}/{len(ours)} pairs equal on all 12 values (==)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, values in times.items():
        print(f"{name:12} median {statistics.median(values):7.3f} s  min {min(values):7.3f} s  ({pairs} pairs)")
    median = statistics.median(times["rouge-score"]) / statistics.median(times["harness"])
    best = min(times["rouge-score"]) / min(times["harness"])
    cpu = statistics.median(cpus["rouge-score"]) / statistics.median(cpus["harness"])
    print(f"ratio {workload}: harness is {median:.1f}x rouge-score (median), {best:.1f}x (min), {cpu:.1f}x (CPU time)")
    return exact


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", choices=("summeval", "articles", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("HARNESS_SHARED", REPO.parent / "shared")))
    parser.add_argument("--child", choices=("harness", "rouge-score"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.workload, args.shared, args.out)
        return 0
    workloads = ("summeval", "articles") if args.workload == "both" else (args.workload,)
    exact = [compare(workload, args.shared, args.rounds) for workload in workloads]
    return 0 if all(exact) else 1


if __name__ == "__main__":
    sys.exit(main())
