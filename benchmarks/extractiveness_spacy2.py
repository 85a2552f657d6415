"""How close ``tokenizer: summeval`` comes to spaCy 2, and the metric to SummEval's own code run under spaCy 2.

Needs what the harness does not install: a Python with spaCy 2.x (``python3 -m venv /tmp/sp2 &&
/tmp/sp2/bin/pip install spacy==2.3.9 'numpy<2'``; spaCy 2.3.9 has Python 3.11 wheels) and a checkout of
Yale-LILY/SummEval (its ``evaluation/summ_eval/data_stats_utils.py`` holds the Newsroom ``Fragments`` class).
That Python tokenises with ``spacy.blank("en")`` (the tokenizer of ``en_core_web_sm`` 2.x, which SummEval's
``DataStatsMetric`` runs with every other pipe disabled) and scores with SummEval's ``Fragments`` and the
novel n-gram formula of ``data_stats_metric.py`` (lower-cased, as its code is since commit e26bef9).

Texts: every distinct article, summary and reference of SummEval's 1,200 annotated summaries and FRANK's 501
documents (``../shared/external``). Prints (1) how many texts ``summeval`` and ``default`` tokenise exactly as
spaCy 2 does, with the commonest differences, and (2) on SummEval's 1,200 (article, summary) pairs, how many
get all six values equal to SummEval's code under spaCy 2, and the largest difference; (3) on the same pairs,
with both tokenizers, whether the indexed matcher finds exactly the fragments of SummEval's ``Fragments`` given
the same tokens (imported here from the checkout: it is plain Python).

Usage: ``.venv/bin/python benchmarks/extractiveness_spacy2.py --spacy2-python /tmp/sp2/bin/python
--summeval PATH/TO/SummEval [--shared PATH]``
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# Runs in the spaCy 2 Python: tokens of every text, and SummEval's statistics of every pair.
REFERENCE = """
import json, sys
sys.path.insert(0, sys.argv[2])
import spacy
from data_stats_utils import Fragments
data = json.load(open(sys.argv[1]))
nlp = spacy.blank("en")
grams = lambda tokens, n: set(zip(*[tokens[i:] for i in range(n)]))
out = {"version": spacy.__version__, "tokens": [[(t.idx, t.text) for t in nlp(x)] for x in data["texts"]], "pairs": []}
for article, summary in data["pairs"]:
    f = Fragments([t.text for t in nlp(summary)], [t.text for t in nlp(article)])
    row = [f.coverage(), f.density(), f.compression()]
    for n in (1, 2, 3):
        s, a = grams(f._norm_summary, n), grams(f._norm_text, n)
        row.append((len(s) - len(s & a)) / len(s) if s else 0.0)
    out["pairs"].append(row)
json.dump(out, open(sys.argv[1], "w"))
"""


def texts_and_pairs(shared: Path) -> tuple[list[str], list[tuple[str, str]]]:
    texts: dict[str, None] = {}
    pairs = []
    for path in sorted((shared / "external" / "summeval" / "model_output_annotations").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            pairs.append((row["text"], row["decoded"]))
            texts.update(dict.fromkeys([row["text"], row["decoded"], *row["references"]]))
    skip = ("url", "hash", "id", "filepath", "article")
    for path in sorted((shared / "external" / "frank" / "data" / "articles-wfactcc-json").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        texts.update({v: None for k, v in doc.items() if isinstance(v, str) and k not in skip and "factcc" not in k})
        texts[doc["article"]] = None
    return list(texts), pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spacy2-python", type=Path, required=True)
    parser.add_argument("--summeval", type=Path, required=True, help="a Yale-LILY/SummEval checkout")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()

    from harness.scoring.registry import build_metric
    from metrics.extractiveness.tokens import tokenizer

    texts, pairs = texts_and_pairs(args.shared)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data.json"
        data.write_text(json.dumps({"texts": texts, "pairs": pairs}), encoding="utf-8")
        code = str(args.summeval / "evaluation" / "summ_eval")
        subprocess.run([str(args.spacy2_python), "-c", REFERENCE, str(data), code], check=True)
        reference = json.loads(data.read_text(encoding="utf-8"))

    print(f"spaCy 2 reference: {reference['version']}; {len(texts)} texts, {len(pairs)} SummEval pairs")
    for mode in ("summeval", "default"):
        tok = tokenizer(mode)
        differ: collections.Counter[str] = collections.Counter()
        same = 0
        for text, theirs in zip(texts, reference["tokens"]):
            ours = [(t.idx, t.text) for t in tok(text)]
            theirs = [tuple(x) for x in theirs]
            same += ours == theirs
            differ.update(t for _, t in sorted(set(theirs) - set(ours))[:3])
        common = ", ".join(f"{t!r} {n}" for t, n in differ.most_common(6))
        print(
            f"tokenizer {mode}: {same} of {len(texts)} texts tokenised as spaCy 2 does; spaCy 2 tokens missed: {common}"
        )
    metric = build_metric("extractiveness", {"tokenizer": "summeval"})
    rows = metric.score(sources=[a for a, _ in pairs], candidates=[s for _, s in pairs])
    equal = sum(list(row.values()) == theirs for row, theirs in zip(rows, reference["pairs"]))
    worst = max(abs(x - y) for row, theirs in zip(rows, reference["pairs"]) for x, y in zip(row.values(), theirs))
    print(
        f"SummEval's code on spaCy 2 vs extractiveness(tokenizer=summeval): {equal} of {len(pairs)} pairs equal on all"
    )
    print(f"six values; largest difference {worst:.4g}")

    sys.path.insert(0, code)
    from data_stats_utils import Fragments

    from metrics.extractiveness.fragments import Article, greedy_fragments
    from metrics.extractiveness.tokens import tokenize

    same_fragments = 0
    for mode in ("summeval", "default"):
        for article, summary in pairs:
            a, s = tokenize(article, mode, case=False), tokenize(summary, mode, case=False)
            theirs = [tuple(m) for m in Fragments(list(s.norm), list(a.norm), case=True).overlaps()]
            ours = [(f.summary, f.text, f.length) for f in greedy_fragments(s.norm, Article(a))]
            same_fragments += ours == theirs
    print(f"fragments equal to SummEval's Fragments on the same tokens: {same_fragments} of {2 * len(pairs)}")


if __name__ == "__main__":
    main()
