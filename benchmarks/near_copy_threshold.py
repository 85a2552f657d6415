"""Where real systems land on coverage and novel bigrams: the evidence for the leaderboard's near-copy rule.

Scores with the ``extractiveness`` metric (default tokenizer) the 24 distinct REALSumm systems (Bhandari et al.
2020; ``external/realsumm/scores_dicts/{abs,ext}.json``, 100 CNN/DM test articles from
``selected_docs_for_human_eval/abs/ptr_generator/src.txt``; the duplicate ``abs:bart_out.txt`` is dropped, see
its SOURCE.md) and the default systems of the ``seeds`` and ``seeds-paragraphs`` tasks, and prints per system
the mean coverage, density and novel2, and whether :func:`harness.rank.novelty.is_near_copy` flags it. REALSumm
texts are lower-cased and PTB-tokenised on both sides, so the comparison is like with like.

Usage: ``.venv/bin/python benchmarks/near_copy_threshold.py [--shared PATH]``
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from harness.generate.systems import candidates_for, parse_spec  # noqa: E402
from harness.rank.novelty import NEAR_COPY_COVERAGE, NEAR_COPY_NOVEL2, is_near_copy  # noqa: E402
from harness.read.cleaning import clean_text  # noqa: E402
from harness.read.tasks import find_task, load_examples, load_task  # noqa: E402
from harness.scoring.registry import Metric, build_metric  # noqa: E402

KEYS = ("extractiveness_coverage", "extractiveness_density", "extractiveness_novel2")


def _untag(text: str) -> str:
    return " ".join(re.sub(r"</?t>", " ", text).split())


def realsumm(shared: Path) -> dict[str, tuple[list[str], list[str]]]:
    root = shared / "external" / "realsumm"
    src = (root / "selected_docs_for_human_eval" / "abs" / "ptr_generator" / "src.txt").read_text(encoding="utf-8")
    sources = [_untag(line) for line in src.splitlines()]
    found = {}
    for kind in ("abs", "ext"):
        docs = json.loads((root / "scores_dicts" / f"{kind}.json").read_text(encoding="utf-8"))
        for system in docs["0"]["system_summaries"]:
            if kind == "abs" and system == "bart_out.txt":
                continue  # byte-identical to ext:bart_out.txt (REALSumm issue #3)
            summaries = [_untag(docs[str(i)]["system_summaries"][system]["system_summary"]) for i in range(100)]
            found[f"realsumm {kind}:{system.removesuffix('.txt')}"] = (sources, summaries)
    return found


def seeds() -> dict[str, tuple[list[str], list[str]]]:
    found = {}
    for name in ("seeds", "seeds-paragraphs"):
        task = load_task(find_task(name))
        examples = load_examples(task).examples
        sources = [clean_text(e.source, task.clean)[0] for e in examples]
        for system, spec in task.systems.items():
            texts = candidates_for(parse_spec(spec, base_dir=task.base_dir), examples, [e.id for e in examples]).texts
            found[f"{name} {system}"] = (sources, [clean_text(texts[e.id], task.clean)[0] for e in examples])
    return found


def row(metric: Metric, sources: list[str], candidates: list[str]) -> tuple[float, ...]:
    scores = metric.score(sources=sources, candidates=candidates)
    return tuple(statistics.fmean(r[key] for r in scores) for key in KEYS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    metric = build_metric("extractiveness")
    print(f"near-copy: mean coverage >= {NEAR_COPY_COVERAGE} and mean novel2 <= {NEAR_COPY_NOVEL2}")
    print(f"{'system':52} {'coverage':>8} {'density':>8} {'novel2':>7}  near-copy")
    results = {name: row(metric, *texts) for name, texts in {**realsumm(args.shared), **seeds()}.items()}
    for name, (coverage, density, novel2) in sorted(results.items(), key=lambda item: (item[0].split()[0], item[1][2])):
        flag = "yes" if is_near_copy(coverage, novel2) else ""
        print(f"{name:52} {coverage:8.4f} {density:8.2f} {novel2:7.4f}  {flag}")


if __name__ == "__main__":
    main()
