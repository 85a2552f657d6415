"""Speed of the harness's BERTScore against bert_score on a leaderboard-shaped job, with an exactness check.

K systems (default 5) x N article-length documents (default 100): the sources are the SummEval CNN/DM articles
(field ``text`` of ``external/summeval/model_output_annotations/M*.jsonl``) and system k's candidates are the
k-th SummEval system's summaries, so every text is distinct. Same model (the embedded all-MiniLM-L6-v2) and
layer throughout, no idf, one process. Prints times and ratios for:

1. ours with windowing off (one metric instance, systems scored one after another: each source encoded once)
   vs ``bert_score.score`` called once per system (how a harness scores one system at a time), with the largest
   difference in P/R/F (it should be float32 noise, ~1e-7; exits 1 above 1e-5);
2. ours (windowing off) vs one ``bert_score.score`` call over all K*N pairs (it de-duplicates texts itself);
3. ours with windowing on vs off: the price of seeing whole articles.

bert_score gets ``batch_size=64`` (its default) and the model loaded once for it (a ``BERTScorer``), so
neither side pays a model load inside the timings.

Usage: ``.venv/bin/python benchmarks/bertscore_speed.py [--systems K] [--docs N] [--shared PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=5)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = parser.parse_args()

    from bert_score import BERTScorer

    from metrics.bertscore import DEFAULT_LAYER, BertScore, _default_path

    folder = args.shared / "external" / "summeval" / "model_output_annotations"
    files = sorted(folder.glob("M*_outputs_annotations.jsonl"))[: args.systems]
    systems: list[list[str]] = []
    sources: list[str] = []
    for path in files:
        rows = sorted(
            (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()), key=lambda r: r["id"]
        )
        rows = rows[: args.docs]
        sources = [row["text"] for row in rows]
        systems.append([row["decoded"] for row in rows])
    k, n = len(systems), len(sources)

    scorer = BERTScorer(model_type=_default_path(), num_layers=DEFAULT_LAYER)
    ours_off, ours_on = BertScore(window=False), BertScore(window=True)
    # Warm-up: the first forward passes of a process are slower; give every contender one pair first.
    warm = ["A warm-up sentence about the harbour plan."], ["The committee reviewed the harbour plan."]
    scorer.score(*warm)
    for metric in (ours_off, ours_on):
        metric.score(sources=warm[1], candidates=warm[0])

    def timed(function):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        result = function()
        return result, time.perf_counter() - started

    theirs, t_per_system = timed(lambda: [scorer.score(candidates, sources) for candidates in systems])
    mine, t_off = timed(lambda: [ours_off.score(sources=sources, candidates=candidates) for candidates in systems])
    _, t_one_call = timed(lambda: scorer.score([c for cs in systems for c in cs], sources * k))
    _, t_on = timed(lambda: [ours_on.score(sources=sources, candidates=candidates) for candidates in systems])

    worst = 0.0
    for (p, r, f), rows in zip(theirs, mine):
        for row, values in zip(rows, zip(p.tolist(), r.tolist(), f.tolist())):
            ours = (row["bertscore_p"], row["bertscore_r"], row["bertscore_f"])
            worst = max(worst, *(abs(a - b) for a, b in zip(ours, values)))
    cap = 2 * k / (k + 1)
    encoded = ours_off.encoder().texts_encoded - k * n - 2  # minus candidates and the warm-up pair
    print(f"{k} systems x {n} documents, all-MiniLM-L6-v2 layer {DEFAULT_LAYER}, no idf")
    print(f"bert_score.score once per system : {t_per_system:7.2f} s")
    print(f"bert_score.score, one call       : {t_one_call:7.2f} s")
    print(f"ours, windowing off              : {t_off:7.2f} s   ({encoded} source encodings)")
    print(f"ours, windowing on               : {t_on:7.2f} s")
    print(f"per-system bert_score / ours (off): {t_per_system / t_off:.2f}x (target >= 1.5; cap {cap:.2f})")
    print(f"one-call bert_score / ours (off)  : {t_one_call / t_off:.2f}x")
    print(f"windowing on / off                : {t_on / t_off:.2f}x")
    print(f"largest |ours - bert_score| P/R/F : {worst:.2e}")
    if worst > 1e-5:
        sys.exit(1)


if __name__ == "__main__":
    main()
