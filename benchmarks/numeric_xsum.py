"""Numeric consistency on real news: the XSum hallucination annotations (Maynez et al., ACL 2020).

Data: ``shared/external/xsum-hallucinations/`` (the development half: 370 summaries of the 74 documents of
FRANK's validation split, CC BY 4.0; its SOURCE.md gives the format) with the BBC articles that FRANK ships
(``shared/external/frank/data/articles-wfactcc-json/<bbcid>.json``, field ``article``).

Protocol (SOURCE.md's): a numeric token of a summary is a run of digits, with the thousands separators and
decimal points inside it (``2,000`` and ``2.5`` are one token each: this gives the 102 digit tokens and the naive
baseline's digit recall, 0.885, that issue 16 quotes; splitting at every comma and point gives 111), or a
spelled-out number word (``metrics.numeric.words.NUMBER_WORDS``: units, tens, hundred, dozen,
thousand..trillion, ordinals). It counts
as hallucinated when the spans of at least 2 of its 3 annotators overlap it. A checker flags the tokens that
overlap the candidate span of any of its discrepancies of every kind but ``missing``; token-level precision and
recall are reported for digits and words apart. The annotators' offsets are on the summary with ``\\'``
written ``'``, so that is the text scored. Summary level: a summary is positive when one of its numeric tokens
is hallucinated, and flagged when the checker flags one of its numeric tokens.

The naive baseline is what a user could write in a line: a digit token whose digits are not among the
article's digit runs (commas dropped, so ``2,000`` gives ``2000``); a number word the
article (lower-cased) does not contain.

Run: ``.venv/bin/python benchmarks/numeric_xsum.py [--shared PATH] [--errors]``; ``--errors`` lists every
token a checker gets wrong (for reading, not for tuning to single sentences).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from metrics.numeric import Numeric  # noqa: E402  (after the path insert, so the script runs from anywhere)
from metrics.numeric.words import NUMBER_WORDS  # noqa: E402

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[a-z]+")
_ARTICLE_DIGITS = re.compile(r"\d[\d,]*")


@dataclass
class Summary:
    """One annotated summary with its article and each annotator's hallucinated spans."""

    bbcid: str
    system: str
    text: str
    article: str
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    kind: str  # digits or words
    hallucinated: bool


def load(shared: Path) -> list[Summary]:
    """The annotated summaries of the development half, in file order."""
    folder = shared / "external" / "xsum-hallucinations"
    found: dict[tuple[str, str], Summary] = {}
    with (folder / "hallucination_annotations_xsum_summaries.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["bbcid"], row["system"])
            if key not in found:
                path = shared / "external" / "frank" / "data" / "articles-wfactcc-json" / f"{row['bbcid']}.json"
                article = json.loads(path.read_text(encoding="utf-8"))["article"]
                found[key] = Summary(row["bbcid"], row["system"], row["summary"].replace("\\'", "'"), article)
            spans = found[key].spans.setdefault(row["worker_id"], [])
            if row["hallucination_type"] != "NULL" and row["hallucinated_span_start"]:
                # 1-based start; the end is exclusive at end - 1 (SOURCE.md).
                spans.append((int(row["hallucinated_span_start"]) - 1, int(row["hallucinated_span_end"]) - 1))
    return list(found.values())


def tokens(summary: Summary) -> list[Token]:
    """The summary's numeric tokens, each labelled hallucinated when 2 of its 3 annotators cover it."""
    found: list[Token] = []
    candidates = [(m, "digits") for m in _DIGITS.finditer(summary.text)]
    candidates += [(m, "words") for m in _WORD.finditer(summary.text) if m.group() in NUMBER_WORDS]
    for match, kind in sorted(candidates, key=lambda c: c[0].start()):
        start, end = match.span()
        votes = sum(any(a < end and start < b for a, b in spans) for spans in summary.spans.values())
        found.append(Token(start, end, match.group(), kind, votes >= 2))
    return found


Checker = Callable[[list[Summary]], list[list[tuple[int, int]]]]


def naive(summaries: list[Summary]) -> list[list[tuple[int, int]]]:
    """Flag digit runs absent from the article's digit runs and number words absent from its words."""
    flagged: list[list[tuple[int, int]]] = []
    for summary in summaries:
        digits = {m.group().replace(",", "") for m in _ARTICLE_DIGITS.finditer(summary.article)}
        words = set(_WORD.findall(summary.article.lower()))
        spans = []
        for token in tokens(summary):
            if (token.kind == "digits" and token.text not in digits) or (
                token.kind == "words" and token.text not in words
            ):
                spans.append((token.start, token.end))
        flagged.append(spans)
    return flagged


def numeric(summaries: list[Summary], **options: object) -> list[list[tuple[int, int]]]:
    """The candidate spans of the ``numeric`` metric's discrepancies (default options), all kinds but missing."""
    _, details = Numeric(**options).score_with_details(  # type: ignore[arg-type]
        sources=[s.article for s in summaries], candidates=[s.text for s in summaries]
    )
    assert details is not None
    return [
        [(d["candidate"]["start"], d["candidate"]["end"]) for d in detail["discrepancies"] if d["kind"] != "missing"]
        for detail in details
    ]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: bool, flag: bool) -> None:
        self.tp += gold and flag
        self.fp += flag and not gold
        self.fn += gold and not flag


@dataclass
class Result:
    digits: Counts
    words: Counts
    summaries: Counts
    errors: list[tuple[str, Summary, Token]]  # ("missed" or "false alarm", summary, token)


def evaluate(summaries: list[Summary], checker: Checker) -> Result:
    """Token- and summary-level precision and recall of ``checker`` against the annotators."""
    result = Result(Counts(), Counts(), Counts(), [])
    for summary, spans in zip(summaries, checker(summaries)):
        any_gold = any_flag = False
        for token in tokens(summary):
            flag = any(a < token.end and token.start < b for a, b in spans)
            getattr(result, token.kind).add(token.hallucinated, flag)
            any_gold |= token.hallucinated
            any_flag |= flag
            if flag != token.hallucinated:
                result.errors.append(("missed" if token.hallucinated else "false alarm", summary, token))
        result.summaries.add(any_gold, any_flag)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--errors", action="store_true", help="list each token the numeric metric gets wrong")
    args = parser.parse_args()
    summaries = load(args.shared)
    counted = [t for s in summaries for t in tokens(s)]
    for kind in ("digits", "words"):
        tokens_of = [t for t in counted if t.kind == kind]
        print(f"{kind}: {len(tokens_of)} tokens, {sum(t.hallucinated for t in tokens_of)} hallucinated")
    print(f"{len(summaries)} summaries, {sum(any(t.hallucinated for t in tokens(s)) for s in summaries)} positive")
    print()
    print("| checker | digits P | digits R | digits F | words P | words R | words F | summaries P | summaries R |")
    print("|---|---|---|---|---|---|---|---|---|")
    results = {}
    checkers: dict[str, Checker] = {
        "naive": naive,
        "numeric, attribution off": lambda s: numeric(s, attribution=False),
        "numeric": numeric,
    }
    for name, checker in checkers.items():
        result = results[name] = evaluate(summaries, checker)
        cells = [f"{c.precision:.3f} | {c.recall:.3f} | {c.f:.3f}" for c in (result.digits, result.words)] + [
            f"{result.summaries.precision:.3f} | {result.summaries.recall:.3f}"
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    if args.errors:
        print()
        for what, summary, token in results["numeric"].errors:
            print(f"{what}: {token.text!r} ({token.kind}) in {summary.bbcid} {summary.system}: {summary.text}")


if __name__ == "__main__":
    main()
