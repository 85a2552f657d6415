"""Text for the report's drill-down: which candidate words the source supports, and how the two align.

- *new word*: the candidate's ROUGE token (rouge-score's tokenizer: lower-cased runs of ``a-z0-9``,
  Porter-stemmed when longer than 3 characters) does not occur in the source;
- *new pairing*: the token occurs in the source, but neither bigram it forms with its neighbours does.

Alignment is paragraph to paragraph when both texts have as many paragraphs, else each candidate sentence
goes beside the source unit it overlaps most (unigram F1).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from harness.sentences import split_sentences

_WORD = re.compile(r"[a-z0-9]+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
Span = tuple[int, int]


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from nltk.stem import porter  # the stemmer rouge-score uses

    return porter.PorterStemmer()


def words(text: str, *, stem: bool = True) -> list[tuple[str, int, int]]:
    """rouge-score's tokens of ``text`` with their character offsets in it (its tokenizer drops them)."""
    lowered, origin = [], []
    for index, char in enumerate(text):  # lower() can lengthen a character: keep a map back
        for low in char.lower():
            lowered.append(low)
            origin.append(index)
    found = []
    for match in _WORD.finditer("".join(lowered)):
        token = match.group()
        if stem and len(token) > 3:
            token = _stemmer().stem(token)
        found.append((token, origin[match.start()], origin[match.end() - 1] + 1))
    return found


def unsupported(candidate: str, source: str, *, stem: bool = True) -> list[tuple[int, int, str]]:
    """Spans of candidate words the source does not support: ``new`` (unigram absent) or ``pairing`` (unigram
    present, but neither bigram with the previous or next word is)."""
    src = [t for t, _, _ in words(source, stem=stem)]
    unigrams, bigrams = set(src), set(zip(src, src[1:]))
    cand = words(candidate, stem=stem)
    spans = []
    for i, (token, start, end) in enumerate(cand):
        if token not in unigrams:
            spans.append((start, end, "new"))
            continue
        pairs = [(cand[j][0], cand[j + 1][0]) for j in (i - 1, i) if 0 <= j < len(cand) - 1]
        if pairs and not any(pair in bigrams for pair in pairs):
            spans.append((start, end, "pairing"))
    return spans


def paragraphs(text: str) -> list[Span]:
    """Blocks separated by blank lines; a text without blank lines has one paragraph per non-empty line."""
    parts = _BLANK_LINE if _BLANK_LINE.search(text) else re.compile(r"\n")
    spans, start = [], 0
    for match in [*parts.finditer(text), None]:
        end = match.start() if match else len(text)
        if text[start:end].strip():
            left = start + len(text[start:end]) - len(text[start:end].lstrip())
            spans.append((left, start + len(text[start:end].rstrip())))
        start = match.end() if match else end
    return spans


def sentences(text: str) -> list[Span]:
    """Sentence spans (:func:`harness.sentences.split_sentences`), found back in the text in order."""
    spans, cursor = [], 0
    for sentence in split_sentences(text):
        start = text.find(sentence, cursor)
        if start < 0:  # the splitter changed a character: fall back to paragraphs
            return paragraphs(text)
        spans.append((start, start + len(sentence)))
        cursor = start + len(sentence)
    return spans


def align(source: str, source_units: list[Span], candidate: str) -> tuple[list[Span], list[list[int]]]:
    """Candidate units and, per source unit, the candidate units shown beside it.

    Paragraph to paragraph when the candidate has as many paragraphs as the source has units; otherwise each
    candidate sentence goes beside the source unit with the highest unigram F1 (none overlapping: beside the
    previous sentence's unit)."""
    cand_paragraphs = paragraphs(candidate)
    if len(cand_paragraphs) == len(source_units) > 1:
        return cand_paragraphs, [[i] for i in range(len(source_units))]
    units = sentences(candidate)
    bags = [{t for t, _, _ in words(source[a:b])} for a, b in source_units]
    beside: list[list[int]] = [[] for _ in source_units]
    previous = 0
    for index, (a, b) in enumerate(units):
        tokens = {t for t, _, _ in words(candidate[a:b])}
        f1 = [2 * len(tokens & bag) / (len(tokens) + len(bag)) if tokens and bag else 0.0 for bag in bags]
        best = max(range(len(f1)), key=lambda i: (f1[i], -i)) if f1 and max(f1) > 0 else previous
        if beside:
            beside[best].append(index)
        previous = best
    return units, beside


def segments(text: str, span: Span, marks: list[tuple[int, int, str, str]]) -> list[list[str]]:
    """``text[span]`` cut into ``[text, css classes, tooltip]`` pieces wherever a mark starts or ends."""
    start, end = span
    cuts = sorted({start, end} | {p for a, b, _, _ in marks for p in (a, b) if start < p < end})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        on = [m for m in marks if m[0] <= a and b <= m[1]]
        out.append([text[a:b], " ".join(dict.fromkeys(m[2] for m in on)), "; ".join(m[3] for m in on if m[3])])
    return out
