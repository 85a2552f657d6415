"""Speed of the harness's ROUGE against rouge-score on article-length pairs, with an exactness check.

Scores the same pairs through ``rouge_score.rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL",
"rougeLsum"], use_stemmer=True)`` and through the harness's ``rouge`` metric (``sentences: lines``, i.e.
rouge-score's own rougeLsum convention), in one process, pair by pair in turn so that both see the same
load on a shared machine, and checks that all 12 values of every pair are equal (``==``). Exits 1 if any
differs.

The pairs (300, or ``--pairs N``: the first N, cycling through the three kinds) are made from the 100
REALSumm source articles (``external/realsumm/selected_docs_for_human_eval/abs/ptr_generator/src.txt``,
lower-cased and PTB-tokenised, ``<t>`` tags removed) and the 100 SummEval CNN/DM articles (field ``text``
of ``external/summeval/model_output_annotations/M8_outputs_annotations.jsonl``), and every text occurs
once, so no cache of the harness helps across pairs (except Porter stems, which are per token):

- REALSumm article i vs a rewrite of it (rewrite ``a``: seeded sentence moves, word drops and swaps);
- SummEval article i vs its rewrite ``a``;
- rewrite ``b`` of SummEval article i vs rewrite ``b`` of REALSumm article i + 1 (unrelated articles).

Every text is split into sentences (one per line) by :func:`harness.sentences.split_sentences` before the
clocks start, as the harness does for rougeLsum; both implementations get the same lines.

Usage: ``.venv/bin/python benchmarks/rouge_speed.py [--pairs N] [--no-stemmer] [--shared PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from functools import cache
from importlib.metadata import version
from pathlib import Path

from harness.sentences import split_sentences
from metrics.rouge import DEFAULT_TYPES, Rouge
from metrics.rouge.tokens import tokenize

REPO = Path(__file__).resolve().parent.parent
REALSUMM = "external/realsumm/selected_docs_for_human_eval/abs/ptr_generator/src.txt"
SUMMEVAL = "external/summeval/model_output_annotations/M8_outputs_annotations.jsonl"
PARTS = {"p": "precision", "r": "recall", "f": "fmeasure"}


@cache
def sentences_of(text: str) -> tuple[str, ...]:
    """pysbd is slow (~20 ms an article) and each article is split for the text and for its two rewrites."""
    return tuple(split_sentences(text))


def rewrite(text: str, seed: str) -> str:
    """A deterministic "rewrite": some sentences moved, ~10% of words dropped, some neighbours swapped."""
    rng = random.Random(seed)  # str seeds are hashed with SHA-512: the same on every run and machine
    sentences = list(sentences_of(text))
    for _ in range(len(sentences) // 4):
        sentences.insert(rng.randrange(len(sentences)), sentences.pop(rng.randrange(len(sentences))))
    out = []
    for sentence in sentences:
        words = [w for w in sentence.split() if rng.random() > 0.1]
        for k in range(len(words) - 1):
            if rng.random() < 0.05:
                words[k], words[k + 1] = words[k + 1], words[k]
        out.append(" ".join(words))
    return " ".join(out)


def load_pairs(shared: Path, count: int) -> list[tuple[str, str]]:
    """``count`` (source, candidate) pairs of distinct texts, cycling through the three kinds."""
    realsumm = [
        line.replace("<t>", "").replace("</t>", "").strip()
        for line in (shared / REALSUMM).read_text(encoding="utf-8").splitlines()
    ]
    summeval = [json.loads(line)["text"] for line in (shared / SUMMEVAL).read_text(encoding="utf-8").splitlines()]
    assert len(realsumm) == len(summeval) == 100, (len(realsumm), len(summeval))
    pairs: list[tuple[str, str]] = []
    for i in range(100):
        if len(pairs) >= count:
            break
        pairs.append((realsumm[i], rewrite(realsumm[i], f"realsumm-{i}-a")))
        pairs.append((summeval[i], rewrite(summeval[i], f"summeval-{i}-a")))
        pairs.append((rewrite(summeval[i], f"summeval-{i}-b"), rewrite(realsumm[(i + 1) % 100], f"realsumm-{i + 1}-b")))
    pairs = pairs[:count]
    texts = [text for pair in pairs for text in pair]
    assert len(set(texts)) == len(texts), "every text must occur once, or caches would flatter the harness"
    return [("\n".join(sentences_of(s)), "\n".join(sentences_of(c))) for s, c in pairs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=300, help="number of pairs, at most 300 (default 300)")
    parser.add_argument("--no-stemmer", action="store_true", help="score without Porter stemming")
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("HARNESS_SHARED", REPO.parent / "shared")))
    args = parser.parse_args()
    if not 1 <= args.pairs <= 300:
        parser.error("--pairs must be between 1 and 300")
    stem = not args.no_stemmer

    from rouge_score import rouge_scorer  # imports nltk: before the clocks start, like the stemmer below

    started = time.perf_counter()
    pairs = load_pairs(args.shared, args.pairs)
    prepared = time.perf_counter() - started
    reference = rouge_scorer.RougeScorer(list(DEFAULT_TYPES), use_stemmer=stem)
    ours = Rouge(sentences="lines", use_stemmer=stem)
    warm_up = "The dogs were running home.\nThey ran."  # not one of the pairs: loads nltk's stemmer for both
    reference.score(warm_up, warm_up)
    ours.score(sources=[warm_up], candidates=[warm_up])

    reference_time = ours_time = 0.0
    mismatches: list[str] = []
    for index, (source, candidate) in enumerate(pairs):
        start = time.perf_counter()
        found = reference.score(target=source, prediction=candidate)
        middle = time.perf_counter()
        row = ours.score(sources=[source], candidates=[candidate])[0]
        reference_time += middle - start
        ours_time += time.perf_counter() - middle
        expected = {f"{t}_{p}": float(getattr(found[t], field)) for t in DEFAULT_TYPES for p, field in PARTS.items()}
        differing = {key: (row[key], value) for key, value in expected.items() if row[key] != value}
        if differing:
            mismatches.append(f"pair {index}: harness != rouge-score on {differing}")

    lengths = [(len(tokenize(s, "rouge_score", False)), len(tokenize(c, "rouge_score", False))) for s, c in pairs]
    print(
        f"{len(pairs)} pairs, mean {sum(s for s, _ in lengths) / len(pairs):.0f} x "
        f"{sum(c for _, c in lengths) / len(pairs):.0f} tokens (max {max(max(pair) for pair in lengths)}); "
        f"{', '.join(DEFAULT_TYPES)}; stemming {'on' if stem else 'off'}; sentence split {prepared:.1f} s, untimed"
    )
    for name, seconds in (
        (f"rouge-score {version('rouge-score')}", reference_time),
        (f"harness {version('harness')}", ours_time),
    ):
        print(f"{name + ':':19} {seconds:8.3f} s  ({seconds / len(pairs) * 1000:7.2f} ms/pair)")
    print(f"ratio: {reference_time / ours_time:.1f}x faster")
    for line in mismatches[:10]:
        print(line, file=sys.stderr)
    print(f"exact: {len(pairs) - len(mismatches)}/{len(pairs)} pairs equal on all 12 values")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
