"""Which sentence splitter the harness uses by default: agreement with the shipped data's own sentences, and speed.

Contenders: the harness's ``rules`` splitter (:mod:`harness.scoring.sentences`), pysbd (the previous default) and
spaCy's rule-based ``sentencizer`` (a blank English pipeline: spaCy's tokenizer, then a cut after ``.``, ``!``, ``?``
tokens). nltk's punkt is not a contender: its model is downloaded data, which offline machines lack.

Boundaries are compared as positions in the text's characters other than whitespace and quotes, so whitespace
differences between a data set's lines and its text, and which side of a boundary a quote went to, do not count.
Printed per data set: precision, recall and F1 of each splitter's boundaries against the data's:

- FRANK (``external/frank/data/articles-wfactcc-json/*.json``): 501 CNN/DM and BBC articles, raw and cased, with
  the sentence lines FRANK ships (``article_lines``); articles whose lines do not spell out the text are skipped;
- REALSumm summaries (``external/realsumm/selected_docs_for_human_eval/abs/*/*.txt``, the
  abstractive systems' files, whose sentences are tagged): tokenised system and reference summaries, one sentence per
  ``<t>`` tag;
- SummEval (``external/summeval/model_output_annotations/M*.jsonl``): the 100 CNN/DM articles and 1,600 system
  summaries, against pysbd's split (agreement with the old default: how many rougeLsum inputs change).

Speed: each splitter over the SummEval articles and summaries (every text once), the best of ``--rounds`` rounds,
contenders interleaved, with the load average printed (the machine may be shared).

Usage: ``.venv/bin/python benchmarks/sentence_split.py [--shared PATH] [--rounds N]``
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from harness.scoring.sentences import split_sentences, splitter_name

REPO = Path(__file__).resolve().parent.parent


# Quotes are not counted: whether an ambiguous ``'`` closes one sentence or opens the next is a tokeniser's choice
# ("finale . ' All of a sudden"), not a boundary found or missed.
_NOT_COUNTED = str.maketrans("", "", "\"'`‘’“”«»")


def boundaries(pieces: list[str]) -> set[int]:
    """Where each piece but the last ends, counted in characters other than whitespace and quotes."""
    ends, total = set(), 0
    for piece in pieces[:-1]:
        total += len("".join(piece.translate(_NOT_COUNTED).split()))
        ends.add(total)
    return ends


def same_text(pieces: list[str], text: str) -> bool:
    return "".join("".join(pieces).split()) == "".join(text.split())


def frank(shared: Path) -> tuple[list[tuple[str, list[str]]], int]:
    """(article, its lines) for every FRANK article whose lines spell it out, and how many were skipped."""
    found, skipped = [], 0
    for path in sorted((shared / "external/frank/data/articles-wfactcc-json").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        text, lines = record["article"], record["article_lines"]
        if same_text(lines, text):
            found.append((text, lines))
        else:
            skipped += 1
    return found, skipped


def realsumm(shared: Path) -> list[tuple[str, list[str]]]:
    """(summary with its tags removed, its ``<t>`` sentences) for every REALSumm summary line."""
    found = []
    for path in sorted((shared / "external/realsumm/selected_docs_for_human_eval").glob("abs/*/*.txt")):
        if path.name == "src.txt":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            inner = line.strip().removeprefix("<t>").removesuffix("</t>")
            sentences = [s.replace("<t>", "").replace("</t>", "").strip() for s in inner.split("</t>")]
            sentences = [s for s in sentences if s]
            if len(sentences) >= 1:
                found.append((" ".join(sentences), sentences))
    return found


def summeval(shared: Path) -> list[str]:
    """The 100 SummEval articles and every system's summary, each distinct text once."""
    texts: dict[str, None] = {}
    for path in sorted((shared / "external/summeval/model_output_annotations").glob("M*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts[record["text"]] = None
            texts[record["decoded"]] = None
    return list(texts)


def spacy_splitter() -> Callable[[str], list[str]]:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 10**8

    def split(text: str) -> list[str]:
        out = []
        for line in text.split("\n"):
            if line.strip():
                out += [s.text.strip() for s in nlp(line.strip()).sents if s.text.strip()]
        return out

    return split


def prf(found: set[int], wanted: set[int]) -> tuple[int, int, int]:
    return len(found & wanted), len(found), len(wanted)


def report(name: str, data: list[tuple[str, list[str]]], splitters: dict[str, Callable[[str], list[str]]]) -> None:
    print(f"\n{name}: {len(data)} texts, {sum(len(lines) - 1 for _, lines in data)} boundaries in the data")
    for label, split in splitters.items():
        hits = found = wanted = 0
        for text, lines in data:
            pieces = split(text)
            h, f, w = prf(boundaries(pieces), boundaries(lines))
            hits, found, wanted = hits + h, found + f, wanted + w
        p, r = hits / max(found, 1), hits / max(wanted, 1)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"  {label:28} precision {p:.4f}  recall {r:.4f}  F1 {f1:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("HARNESS_SHARED", REPO.parent / "shared")))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    splitters: dict[str, Callable[[str], list[str]]] = {
        splitter_name("rules"): lambda text: split_sentences(text, "rules"),
        splitter_name("pysbd"): lambda text: split_sentences(text, "pysbd"),
        "spacy-sentencizer": spacy_splitter(),
    }
    articles, skipped = frank(args.shared)
    report(f"FRANK articles' own lines ({skipped} skipped: lines do not spell the text)", articles, splitters)
    report("REALSumm summaries' <t> sentences", realsumm(args.shared), splitters)
    texts = summeval(args.shared)
    pysbd_lines = [(text, split_sentences(text, "pysbd")) for text in texts]
    del splitters[splitter_name("pysbd")]
    report("SummEval articles and summaries, against pysbd", pysbd_lines, splitters)
    splitters[splitter_name("pysbd")] = lambda text: split_sentences(text, "pysbd")

    chars = sum(map(len, texts))
    print(f"\nspeed: {len(texts)} SummEval texts, {chars / 1e6:.2f} M characters; load average {os.getloadavg()}")
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for label, split in splitters.items():
            started = time.perf_counter()
            for text in texts:
                split(text)
            best[label] = min(best.get(label, float("inf")), time.perf_counter() - started)
    fastest = min(best.values())
    for label, seconds in best.items():
        print(f"  {label:28} {seconds:7.3f} s  {chars / seconds / 1e6:7.2f} M chars/s  {seconds / fastest:6.1f}x")


if __name__ == "__main__":
    main()
