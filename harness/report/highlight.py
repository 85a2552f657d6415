"""Text for the report's drill-down: which candidate words the source supports, and how the two align.

- *new word*: the candidate's ROUGE token (rouge-score's tokenizer: lower-cased runs of ``a-z0-9``,
  Porter-stemmed when longer than 3 characters) does not occur in the source;
- *new pairing*: the token occurs in the source, but neither bigram it forms with its neighbours does.

Alignment is paragraph to paragraph when both texts have as many paragraphs, else each candidate sentence
goes beside the source unit it overlaps most (unigram F1).

A report marks every system's candidate against the same source, so each distinct word is stemmed once per process
and each distinct text tokenised once (bounded caches): Porter stemming every word occurrence again was most of a
12-system report's time.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from harness.scoring.sentences import split_sentences
from harness.scoring.stemming import porter_stemmer

_WORD = re.compile(r"[a-z0-9]+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
Span = tuple[int, int]


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    return porter_stemmer()(token)  # the stemmer rouge-score uses


def words(text: str, *, stem: bool = True) -> list[tuple[str, int, int]]:
    """rouge-score's tokens of ``text`` with their character offsets in it (its tokenizer drops them)."""
    return list(_words(text, stem))


@lru_cache(maxsize=8192)
def _words(text: str, stem: bool) -> tuple[tuple[str, int, int], ...]:
    lowered = text.lower()
    origin: list[int] | None = None
    if len(lowered) != len(text):  # lower() lengthened a character ("İ"): keep a map back to the text
        origin = [index for index, char in enumerate(text) for _ in char.lower()]
    found = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(lowered)]
    if stem:  # each distinct word stemmed once (and once per process, through _stem's cache)
        stems = {token: _stem(token) if len(token) > 3 else token for token, _, _ in found}
        found = [(stems[token], start, end) for token, start, end in found]
    if origin is not None:
        found = [(token, origin[start], origin[end - 1] + 1) for token, start, end in found]
    return tuple(found)


def unsupported(candidate: str, source: str, *, stem: bool = True) -> list[tuple[int, int, str]]:
    """Spans of candidate words the source does not support: ``new`` (unigram absent) or ``pairing`` (unigram
    present, but neither bigram with the previous or next word is)."""
    unigrams, bigrams = _support(source, stem)
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


@lru_cache(maxsize=1024)
def _support(source: str, stem: bool) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """The source's unigrams and bigrams, once per source (every system is marked against them)."""
    src = [t for t, _, _ in _words(source, stem)]
    return frozenset(src), frozenset(zip(src, src[1:]))


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
    """Sentence spans (:func:`harness.scoring.sentences.split_sentences`), found back in the text in order."""
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
    bags = _unit_bags(source, tuple(source_units))
    beside: list[list[int]] = [[] for _ in source_units]
    previous = 0
    for index, unit in enumerate(units):
        tokens = _bag(candidate, unit)
        f1 = [2 * len(tokens & bag) / (len(tokens) + len(bag)) if tokens and bag else 0.0 for bag in bags]
        best = max(range(len(f1)), key=lambda i: (f1[i], -i)) if f1 and max(f1) > 0 else previous
        if beside:
            beside[best].append(index)
        previous = best
    return units, beside


@lru_cache(maxsize=8192)
def _starts(text: str) -> list[int]:
    return [start for _, start, _ in _words(text, True)]


def _bag(text: str, span: Span) -> frozenset[str]:
    """The stemmed tokens of ``text`` inside ``span``, read from the whole text's tokens (tokenised once)."""
    found, starts = _words(text, True), _starts(text)
    first, last = bisect_left(starts, span[0]), bisect_left(starts, span[1])
    return frozenset(token for token, _, end in found[first:last] if end <= span[1])


@lru_cache(maxsize=1024)
def _unit_bags(source: str, units: tuple[Span, ...]) -> list[frozenset[str]]:
    """Each source unit's tokens, once per source: every system's candidate is aligned against them."""
    return [_bag(source, unit) for unit in units]


def segments(text: str, span: Span, marks: list[tuple[int, int, str, str]]) -> list[list[str]]:
    """``text[span]`` cut into ``[text, css classes, tooltip]`` pieces wherever a mark starts or ends."""
    start, end = span
    cuts = sorted({start, end} | {p for a, b, _, _ in marks for p in (a, b) if start < p < end})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        on = [m for m in marks if m[0] <= a and b <= m[1]]
        out.append([text[a:b], " ".join(dict.fromkeys(m[2] for m in on)), "; ".join(m[3] for m in on if m[3])])
    return out
