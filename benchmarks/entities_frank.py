"""Entity consistency on FRANK (Pagnoni et al. 2021): per-system means on the test split, both matchers.

Data: ``shared/external/frank`` (see its SOURCE.md): ``data/human_annotations.json`` (one record per annotated
summary: ``hash``, ``model_name``, ``split``, the human ``Factuality`` score and the error-type columns, where
1 = no such error), joined with ``data/articles-wfactcc-json/<hash>.json`` (fields ``article`` and
``<model_name>``). Only ``split == "test"`` rows are used (the authors ask to tune on valid and report on test):
1,575 summaries, 175 per system, 5 CNN/DM and 4 XSum systems.

Printed per system: the mean ``entities_precision`` and ``entities_recall`` with ``mode: strict`` and
``mode: nan2021``; Nan et al.'s own aggregate of precision-source, the mean over summaries that have at least
one entity (their code gives NaN to the others and takes ``np.nanmean``); the share of summaries with an
entity; and the human side, mean Factuality and the share of summaries with an entity error (EntE < 1) or an
out-of-article error (OutE < 1). Last, the ROC AUC of each matcher's precision for telling summaries with an
EntE or OutE error from those without (pooled over the test split; 0.5 = chance), and the Kendall tau-b of
the 9 system means with the human Factuality means.

Run: ``.venv/bin/python benchmarks/entities_frank.py [--shared PATH] [--split test]`` (about 2 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from metrics.entities import Entities  # noqa: E402


def load(shared: Path, split: str) -> list[dict[str, object]]:
    """The annotated summaries of ``split`` with their article and summary texts."""
    root = shared / "external" / "frank" / "data"
    records = json.loads((root / "human_annotations.json").read_text(encoding="utf-8"))
    articles: dict[str, dict[str, str]] = {}
    rows = []
    for record in records:
        if record["split"] != split:
            continue
        doc = articles.setdefault(
            record["hash"], json.loads((root / "articles-wfactcc-json" / f"{record['hash']}.json").read_text())
        )
        rows.append({**record, "article": doc["article"], "summary": doc[record["model_name"]]})
    return rows


def auc(scores: list[float], positive: list[bool]) -> float:
    """ROC AUC of *low* scores flagging the positives (Mann-Whitney U with ties counted half)."""
    pos = [s for s, p in zip(scores, positive) if p]
    neg = [s for s, p in zip(scores, positive) if not p]
    if not pos or not neg:
        return math.nan
    wins = sum((p < n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def kendall(x: list[float], y: list[float]) -> float:
    """Kendall tau-b."""
    concordant = discordant = tx = ty = 0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            a, b = x[i] - x[j], y[i] - y[j]
            if a == 0 and b == 0:
                continue
            if a == 0:
                tx += 1
            elif b == 0:
                ty += 1
            elif (a > 0) == (b > 0):
                concordant += 1
            else:
                discordant += 1
    denominator = math.sqrt((concordant + discordant + tx) * (concordant + discordant + ty))
    return (concordant - discordant) / denominator if denominator else math.nan


def mean(values: list[float]) -> float:
    return math.fsum(values) / len(values) if values else math.nan


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--split", default="test", choices=["test", "valid"])
    args = parser.parse_args()
    rows = load(args.shared, args.split)
    sources = [str(r["article"]) for r in rows]
    candidates = [str(r["summary"]) for r in rows]
    scores = {}
    for mode in ("strict", "nan2021"):
        started = time.perf_counter()
        scores[mode] = Entities(mode=mode).score(sources=sources, candidates=candidates)
        print(f"{mode}: {len(rows)} summaries scored in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    systems = list(dict.fromkeys(str(r["model_name"]) for r in rows))
    header = (
        "| system | data | n | P strict | R strict | P nan2021 | R nan2021 | P nan2021 (Nan's nanmean) "
        "| with entity | human Factuality | EntE error | OutE error |"
    )
    print(header)
    print("|" + "|".join(["---"] * 2 + ["---:"] * 10) + "|")
    p_strict: list[float] = []
    human: list[float] = []
    for system in systems:
        index = [i for i, r in enumerate(rows) if r["model_name"] == system]
        strict = [scores["strict"][i] for i in index]
        lenient = [scores["nan2021"][i] for i in index]
        with_entity = [s for s in lenient if s["entities_n_candidate"] > 0]
        factuality = [float(str(rows[i]["Factuality"])) for i in index]
        ent_error = [float(str(rows[i]["EntE"])) < 1 for i in index]
        out_error = [float(str(rows[i]["OutE"])) < 1 for i in index]
        p_strict.append(mean([s["entities_precision"] for s in strict]))
        human.append(mean(factuality))
        cells = [
            system,
            str(rows[index[0]]["dataset"]),
            str(len(index)),
            f"{p_strict[-1]:.3f}",
            f"{mean([s['entities_recall'] for s in strict]):.3f}",
            f"{mean([s['entities_precision'] for s in lenient]):.3f}",
            f"{mean([s['entities_recall'] for s in lenient]):.3f}",
            f"{mean([s['entities_precision'] for s in with_entity]):.3f}",
            f"{len(with_entity) / len(index):.2f}",
            f"{human[-1]:.3f}",
            f"{mean([float(e) for e in ent_error]):.2f}",
            f"{mean([float(e) for e in out_error]):.2f}",
        ]
        print("| " + " | ".join(cells) + " |")
    print()
    for label, column in (("EntE", "EntE"), ("OutE", "OutE"), ("EntE or OutE", None)):
        positive = [
            float(str(r["EntE"])) < 1 or float(str(r["OutE"])) < 1 if column is None else float(str(r[column])) < 1
            for r in rows
        ]
        found = {mode: auc([s["entities_precision"] for s in scores[mode]], positive) for mode in scores}
        print(
            f"AUC of entities_precision for {label} errors ({sum(positive)} of {len(rows)}): "
            + ", ".join(f"{mode} {value:.3f}" for mode, value in found.items())
        )
    tau = kendall(p_strict, human)
    print(f"Kendall tau-b of the {len(systems)} system means (strict P) with human Factuality: {tau:.3f}")


if __name__ == "__main__":
    main()
