"""Rescaling baselines for BERTScore: the mean score of unrelated sentence pairs, per layer.

Zhang et al. 2020 (BERTScore, ICLR; "Improving score readability") rescale a score ``x`` to
``(x - b) / (1 - b)``, where ``b`` is the mean P, R or F of random pairs of unrelated sentences, so an
unrelated pair scores about 0 and a copy 1. bert_score ships the ``b`` of its own hub models
(``rescale_baseline/en/<model>.tsv``, made by its ``get_rescale_baseline.py`` from 1M news-crawl lines of
fewer than 32 words, paired at random without replacement, every layer scored at once). It has none for the
embedded all-MiniLM-L6-v2, so this module makes one the same way from text the project may use:

- sentences: the ``article_lines`` of the 501 FRANK documents (``../shared/external/frank``, MIT; CNN/DM and
  BBC news, as bert_score's news crawl), deduplicated, kept when they have 1 to 31 space-separated words
  (bert_score's filter);
- pairs: a seeded permutation of the sentences, the first half against the second (each sentence in one pair);
- scores: every layer of the model at once (:class:`metrics.bertscore.encoder.AllLayersEncoder`), no idf,
  matched exactly as :func:`metrics.bertscore.greedy_match` matches (the candidate is the first sentence).

The result is stored in bert_score's file format (``LAYER,P,R,F``, one row per layer, layer 0 the word
pieces) in ``metrics/bertscore/baselines/``, with the standard error of each mean printed by the maker;
:mod:`metrics.bertscore.rescale` reads it.

Rebuild: ``.venv/bin/python -m metrics.bertscore.baseline --shared ../shared`` (about a minute on 2 CPU cores).
"""

from __future__ import annotations

import argparse
import json
import math
import os
from pathlib import Path

from harness.errors import HarnessError
from metrics.bertscore import _default_path, greedy_match
from metrics.bertscore.encoder import AllLayersEncoder, Encoded, load
from metrics.bertscore.rescale import BASELINES

MAX_WORDS = 32  # bert_score keeps lines of fewer than 32 words
DEFAULT_SEED = 20200212  # any fixed seed; this one is the date of the BERTScore rescaling post


def sentences(shared: Path) -> list[str]:
    """FRANK's article sentences, deduplicated in file order, with 1..31 space-separated words."""
    folder = shared / "external" / "frank" / "data" / "articles-wfactcc-json"
    files = sorted(folder.glob("*.json"))
    if not files:
        raise HarnessError(f"{folder}: no FRANK article files; give --shared the folder that holds external/frank")
    kept: dict[str, None] = {}
    for path in files:
        for line in json.loads(path.read_text(encoding="utf-8"))["article_lines"]:
            text = " ".join(str(line).split())
            if text and len(text.split(" ")) < MAX_WORDS:
                kept.setdefault(text, None)
    return list(kept)


def random_pairs(texts: list[str], *, seed: int, limit: int | None = None) -> list[tuple[str, str]]:
    """Disjoint random pairs (candidate, reference): a seeded permutation, first half against second half."""
    import numpy as np

    order = np.random.default_rng(seed).permutation(len(texts))
    half = len(texts) // 2 if limit is None else min(limit, len(texts) // 2)
    return [(texts[order[i]], texts[order[half + i]]) for i in range(half)]


def layer_scores(pairs: list[tuple[str, str]], *, model_path: str) -> list[list[tuple[float, float, float]]]:
    """(P, R, F) of each pair at every layer: result[layer][pair]."""
    import transformers

    layers = int(transformers.AutoConfig.from_pretrained(model_path).num_hidden_layers)
    tokenizer, model = load(model_path, layers, "cpu")
    encoder = AllLayersEncoder(tokenizer, model, window=False, device="cpu")
    encoded = encoder.encode([text for pair in pairs for text in pair], cache=False)
    no_idf = {tokenizer.cls_token_id: 0.0, tokenizer.sep_token_id: 0.0}
    result: list[list[tuple[float, float, float]]] = [[] for _ in range(layers + 1)]
    for candidate, reference in pairs:
        c, r = encoded[candidate], encoded[reference]
        for layer in range(layers + 1):
            result[layer].append(
                greedy_match(
                    Encoded(r.ids, r.embeddings[:, layer], r.windowed),
                    Encoded(c.ids, c.embeddings[:, layer], c.windowed),
                    no_idf,
                )
            )
    return result


def _mean_and_error(values: list[float]) -> tuple[float, float]:
    mean = math.fsum(values) / len(values)
    variance = math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(variance / len(values))


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description="Compute the rescaling baseline of the embedded BERTScore model.")
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[3] / "shared")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--pairs", type=int, default=None, help="at most this many pairs (default: all)")
    parser.add_argument("--out", type=Path, default=BASELINES / "all-MiniLM-L6-v2.tsv")
    args = parser.parse_args()
    texts = sentences(args.shared)
    pairs = random_pairs(texts, seed=args.seed, limit=args.pairs)
    print(f"{len(texts)} sentences, {len(pairs)} pairs, seed {args.seed}")
    scores = layer_scores(pairs, model_path=_default_path())
    lines = ["LAYER,P,R,F"]
    print("layer  P (s.e.)            R (s.e.)            F (s.e.)")
    for layer, rows in enumerate(scores):
        stats = [_mean_and_error([row[part] for row in rows]) for part in range(3)]
        lines.append(f"{layer}," + ",".join(f"{mean:.6f}" for mean, _ in stats))
        print(f"{layer:5d}  " + "  ".join(f"{mean:.4f} ({error:.4f})" for mean, error in stats))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_name(args.out.name + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
