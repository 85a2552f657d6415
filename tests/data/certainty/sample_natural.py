"""Draw the naturally occurring sentence pairs of the certainty labelled set (run once; output labelled by hand).

Pairs a system-summary sentence with the source sentence it overlaps most, by a procedure independent of
the metric under test: sentences from pysbd (``harness.scoring.sentences``) for SummEval articles and FRANK's own
``article_lines``/``<model>_lines``, similarity = Jaccard of lower-cased word sets (no stop list), kept at
>= 0.3. Documents the metric was developed on are excluded (the first 12 SummEval ids and the first 10
FRANK CNN/DM and 20 FRANK BBC hashes, sorted). To find pairs where a shift *could* occur, the source
sentence must contain one word of a broad list of reporting, modal, conditional and approximating words that
is wider than the metric's lexicon (it has "would", "should", "if", "hopes", "plans", which the lexicon
lacks), or the summary sentence a word of certainty. A seeded shuffle then takes 30 SummEval and 30 FRANK
pairs (at most one per document and system). Usage: ``python tests/data/certainty/sample_natural.py SHARED``.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

from harness.scoring.sentences import split_sentences


def wordset(text: str) -> set[str]:
    return set(text.split())


BROAD = wordset(
    """said says say told according reportedly allegedly alleged may might could would should expected expects
    expect likely unlikely probably possibly perhaps about around nearly almost estimated estimate believed
    thought understood claimed claims suspected appears appear seems seem suggest suggests suggested plans
    hopes set if reports reported sources apparently feared believe"""
)
CERTAIN = wordset("clearly confirmed certainly definitely fact indeed undoubtedly obviously proved proven")
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> set[str]:
    return set(WORD.findall(text.lower().replace("’", "'")))


def best(summary_sentence: str, sources: list[str]) -> tuple[float, str]:
    mine = words(summary_sentence)
    scored = [(len(mine & words(s)) / len(mine | words(s)) if mine | words(s) else 0.0, s) for s in sources]
    return max(scored, key=lambda x: x[0]) if scored else (0.0, "")


def candidates(shared: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    summeval: list[dict[str, str]] = []
    folder = shared / "external/summeval/model_output_annotations"
    rows = [json.loads(line) for f in sorted(folder.glob("*.jsonl")) for line in f.open(encoding="utf-8")]
    dev = set(sorted({r["id"] for r in rows})[:12])
    split_cache: dict[str, list[str]] = {}
    for row in rows:
        if row["id"] in dev:
            continue
        sources = split_cache.setdefault(row["id"], split_sentences(row["text"]))
        for sentence in re.split(r"(?<= [.!?]) ", row["decoded"]):
            summeval.append(pair(sentence, sources, "summeval", row["id"], row["model_id"]))
    frank: list[dict[str, str]] = []
    notes = json.loads((shared / "external/frank/data/human_annotations.json").read_text(encoding="utf-8"))
    for dataset, skip in (("cnndm", 10), ("bbc", 20)):
        hashes = sorted({n["hash"] for n in notes if n["dataset"] == dataset})
        dev_hashes = set(hashes[:skip])
        for note in notes:
            if note["dataset"] != dataset or note["hash"] in dev_hashes:
                continue
            doc = json.loads((shared / f"external/frank/data/articles-wfactcc-json/{note['hash']}.json").read_text())
            for sentence in doc.get(f"{note['model_name']}_lines") or []:
                frank.append(pair(sentence, doc["article_lines"], f"frank-{dataset}", note["hash"], note["model_name"]))
    return [p for p in summeval if keep(p)], [p for p in frank if keep(p)]


def keep(pair: dict[str, str]) -> bool:
    """Overlap enough to be the same sentence, a word that could carry a shift, and not a plain copy."""
    could_shift = words(pair["source"]) & BROAD or words(pair["candidate"]) & CERTAIN
    return float(pair["score"]) >= 0.3 and bool(could_shift) and pair["candidate"] != pair["source"]


def pair(sentence: str, sources: list[str], dataset: str, doc: str, system: str) -> dict[str, str]:
    score, source = best(sentence, sources)
    return {
        "dataset": dataset,
        "doc": doc,
        "system": system,
        "source": source,
        "candidate": sentence.strip(),
        "score": f"{score:.3f}",
    }


def main() -> None:
    shared = Path(sys.argv[1])
    summeval, frank = candidates(shared)
    rng = random.Random(20240611)
    chosen: list[dict[str, str]] = []
    for pool, count in ((summeval, 30), (frank, 30)):
        rng.shuffle(pool)
        seen: set[tuple[str, str]] = set()
        for item in pool:
            key = (item["doc"], item["system"])
            if key in seen or item["source"].lower() == item["candidate"].lower():
                continue
            seen.add(key)
            chosen.append(item)
            if sum(c["dataset"].startswith(pool[0]["dataset"][:5]) for c in chosen) >= count:
                break
    for item in chosen:
        print(json.dumps(item, ensure_ascii=False))


if __name__ == "__main__":
    main()
