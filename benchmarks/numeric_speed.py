"""How fast the numeric metric scores article-length pairs (target: at least 200 pairs/s on one core).

Sources are real news articles: the 100 CNN/DM articles of SummEval
(``shared/external/summeval/model_output_annotations/*.jsonl``, field ``text``; see its SOURCE.md) and the
100 of REALSumm (``shared/external/realsumm/selected_docs_for_human_eval/abs/ptr_generator/src.txt``, one
article per line). Each of the 5,000 pairs has a distinct candidate: its source with the sentences rotated
and every third digit changed, so candidate extraction is never a cache hit (sources repeat, as they do
when many systems are scored on one task; ``--cold`` clears the cache before every pair as well).

Run: ``.venv/bin/python benchmarks/numeric_speed.py [--pairs 5000] [--cold] [--shared PATH]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5000)
    parser.add_argument("--cold", action="store_true", help="clear the extraction cache before every pair")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()

    from metrics.numeric import Numeric
    from metrics.numeric.extract import _extract_cached

    texts = articles(args.shared)
    sources = [texts[i % len(texts)] for i in range(args.pairs)]
    candidates = [candidate(source, i) for i, source in enumerate(sources)]
    metric = Numeric()
    _extract_cached.cache_clear()
    started = time.perf_counter()
    quantities = 0
    if args.cold:
        for source, cand in zip(sources, candidates):
            _extract_cached.cache_clear()
            (row,) = metric.score(sources=[source], candidates=[cand])
            quantities += int(row["numeric_n_source"] + row["numeric_n_candidate"])
    else:
        rows = metric.score(sources=sources, candidates=candidates)
        quantities = int(sum(row["numeric_n_source"] + row["numeric_n_candidate"] for row in rows))
    elapsed = time.perf_counter() - started
    chars = sum(map(len, sources)) + sum(map(len, candidates))
    print(
        f"{args.pairs} pairs from {len(texts)} articles ({chars / args.pairs / 2:,.0f} chars per text, "
        f"{quantities / args.pairs:.1f} quantities per pair){' cold cache' if args.cold else ''}: "
        f"{elapsed:.2f} s, {args.pairs / elapsed:,.0f} pairs/s"
    )


if __name__ == "__main__":
    main()
