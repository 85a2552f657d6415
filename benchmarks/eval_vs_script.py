"""``harness eval summeval --metrics rouge,numeric,bertscore`` against the plain script a user would write instead.

The job: SummEval's 12 systems x 100 CNN/DM articles (``tasks/summeval.yaml``, data shipped in ``data/metaeval``),
each summary scored against its article with ROUGE (1/2/L/Lsum, stemming), BERTScore (the embedded
all-MiniLM-L6-v2, layer 3, no idf) and a check of the numbers, then a mean per system.

- harness: ``harness eval summeval --metrics rouge,numeric,bertscore --out <temporary folder>`` (one run file per
  system with per-example scores, bootstrap intervals, significance tests and the leaderboard);
- plain script (:func:`plain_script`, below, in its own process): per system, rouge-score's ``RougeScorer`` over
  every pair (what ``evaluate.load("rouge")`` runs; evaluate itself fetches its module from the Hugging Face hub,
  which an offline machine cannot), ``bert_score.score`` once per system, and a regular expression that counts
  the candidate's numbers missing from the article; the means printed.

Each contender runs as its own process, rounds interleaved, timed from the outside (start-up and imports included,
as the user waits for them). Printed: each round's seconds, median and min per contender, the ratio of the medians
(target >= 6) and of the mins, the load average before and after.

Usage: ``.venv/bin/python benchmarks/eval_vs_script.py [--rounds N]``
"""

from __future__ import annotations

import argparse
import gzip
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
DATA = REPO / "data" / "metaeval" / "summeval"
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def plain_script() -> None:
    """What a user writes without the harness: load, score with the usual libraries, print the means."""
    import bert_score
    from rouge_score import rouge_scorer

    from metrics.bertscore import DEFAULT_LAYER, _default_path

    def rows(path: Path) -> list[dict[str, str]]:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return [json.loads(line) for line in handle]

    articles = {row["id"]: row["source"] for row in rows(DATA / "documents.jsonl.gz")}
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
    for path in sorted((DATA / "systems").glob("*.jsonl.gz")):
        pairs = [(articles[row["id"]], row["candidate"]) for row in rows(path)]
        rouge = [scorer.score(target=a, prediction=c) for a, c in pairs]
        _, _, f = bert_score.score(
            [c for _, c in pairs], [a for a, _ in pairs], model_type=_default_path(), num_layers=DEFAULT_LAYER
        )
        missing = [sum(n not in set(NUMBER.findall(a)) for n in NUMBER.findall(c)) for a, c in pairs]
        means = {k: sum(r[k].fmeasure for r in rouge) / len(rouge) for k in ("rouge1", "rouge2", "rougeLsum")}
        print(path.name, means, float(f.mean()), sum(missing) / len(missing))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        plain_script()
        return 0
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    harness = Path(sys.executable).parent / "harness"
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    times: dict[str, list[float]] = {"harness eval": [], "plain script": []}
    for round_ in range(args.rounds):
        order = list(times) if round_ % 2 == 0 else list(times)[::-1]
        for name in order:
            with tempfile.TemporaryDirectory() as folder:
                if name == "harness eval":
                    metrics = "rouge,numeric,bertscore"
                    command = [str(harness), "eval", "summeval", "--metrics", metrics, "--out", folder]
                else:
                    command = [sys.executable, __file__, "--child"]
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
                seconds = time.perf_counter() - started
            if done.returncode != 0:
                print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
                return 1
            times[name].append(seconds)
            print(f"round {round_ + 1}: {name} {seconds:7.1f} s", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, values in times.items():
        print(f"{name:13} median {statistics.median(values):7.1f} s  min {min(values):7.1f} s")
    median = statistics.median(times["plain script"]) / statistics.median(times["harness eval"])
    best = min(times["plain script"]) / min(times["harness eval"])
    print(f"ratio: harness eval is {median:.2f}x the plain script (median), {best:.2f}x (min); target >= 6")
    return 0


if __name__ == "__main__":
    sys.exit(main())
