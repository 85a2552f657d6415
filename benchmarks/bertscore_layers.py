"""Which layer of the embedded all-MiniLM-L6-v2 gives the BERTScore that best tracks human consistency ratings.

bert_score chose its ``model2layers`` table by scoring WMT16 to-English system outputs with every layer of each
model and keeping the layer whose scores correlated best with the human judgments. We do the same for our use
(candidate against its SOURCE article) on SummEval (Fabbri et al. 2021): 100 CNN/DM articles x 12 abstractive
systems (``external/summeval/model_output_annotations/``, see its SOURCE.md), human score = mean of the 3 expert
``consistency`` ratings (SummEval's faithfulness dimension).

For every layer 0..6 (0 = the word-piece embeddings) each summary is scored against its article with the
harness's own matching (whole articles, windowed encoding, no idf), all layers from one forward pass. Reported
per layer and for P, R and F:

- ``summary``: Kendall tau-b between metric and human over the 12 systems of one document, averaged over
  documents (SummEval's summary-level correlation);
- ``pooled``: tau-b over all scored summaries at once;
- ``system``: tau-b over the 12 systems' means.

The default layer is the best summary-level tau of ``bertscore_p`` (consistency asks whether the summary is
supported by the source, which is what P measures).

Usage: ``.venv/bin/python benchmarks/bertscore_layers.py [--docs N] [--shared PATH]`` (about 1 s per document
on 2 CPU cores).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100, help="first N SummEval documents (default 100)")
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = parser.parse_args()

    import transformers
    from scipy.stats import kendalltau

    from metrics.bertscore import _default_path, greedy_match
    from metrics.bertscore.encoder import AllLayersEncoder, Encoded

    folder = args.shared / "external" / "summeval" / "model_output_annotations"
    by_doc: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("M*_outputs_annotations.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            doc = by_doc.setdefault(row["id"], {"text": row["text"], "summaries": {}})
            human = statistics.fmean(a["consistency"] for a in row["expert_annotations"])
            doc["summaries"][row["model_id"]] = (row["decoded"], human)
    docs = sorted(by_doc)[: args.docs]

    started = time.perf_counter()
    tokenizer = transformers.AutoTokenizer.from_pretrained(_default_path(), use_fast=False)
    model = transformers.AutoModel.from_pretrained(_default_path()).eval()
    n_layers = model.config.num_hidden_layers

    encoder = AllLayersEncoder(tokenizer, model, window=True, device="cpu")
    no_idf = {tokenizer.cls_token_id: 0.0, tokenizer.sep_token_id: 0.0}
    scores: dict[tuple[int, int], list[float]] = {}  # (layer, part) -> values, in (doc, system) order
    humans: list[float] = []
    systems: list[str] = []
    windowed = 0
    for doc_id in docs:
        doc = by_doc[doc_id]
        source = encoder.encode([doc["text"]], cache=False)[doc["text"]]
        windowed += source.windowed
        for system, (summary, human) in sorted(doc["summaries"].items()):
            candidate = encoder.encode([summary], cache=False)[summary]
            humans.append(human)
            systems.append(system)
            for layer in range(n_layers + 1):
                s = Encoded(source.ids, source.embeddings[:, layer], source.windowed)
                c = Encoded(candidate.ids, candidate.embeddings[:, layer], candidate.windowed)
                for part, value in enumerate(greedy_match(s, c, no_idf)):
                    scores.setdefault((layer, part), []).append(value)
    seconds = time.perf_counter() - started

    per_doc = len(humans) // len(docs)
    print(f"{len(docs)} documents x {per_doc} systems, {windowed} articles windowed, {seconds:.0f} s")
    print("Kendall tau-b with SummEval expert consistency (summary-level mean / pooled / system-level)")
    print("layer  " + "  ".join(f"{name:>22}" for name in ("bertscore_p", "bertscore_r", "bertscore_f")))
    best = (-2.0, -1)
    for layer in range(n_layers + 1):
        cells = []
        for part in range(3):
            values = scores[(layer, part)]
            taus = []
            for start in range(0, len(values), per_doc):
                tau = kendalltau(values[start : start + per_doc], humans[start : start + per_doc]).statistic
                if tau == tau:  # NaN when all 12 humans agree
                    taus.append(tau)
            summary_tau = statistics.fmean(taus)
            pooled = kendalltau(values, humans).statistic
            names = sorted(set(systems))
            means = [statistics.fmean(v for v, s in zip(values, systems) if s == n) for n in names]
            human_means = [statistics.fmean(h for h, s in zip(humans, systems) if s == n) for n in names]
            system_tau = kendalltau(means, human_means).statistic
            cells.append(f"{summary_tau:6.3f} / {pooled:6.3f} / {system_tau:6.3f}")
            if part == 0 and summary_tau > best[0]:
                best = (summary_tau, layer)
        print(f"{layer:5d}  " + "  ".join(f"{cell:>22}" for cell in cells))
    print(f"best layer for bertscore_p (summary-level): {best[1]} (tau {best[0]:.3f})")


if __name__ == "__main__":
    main()
