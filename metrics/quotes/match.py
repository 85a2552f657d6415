"""Classify the candidate's quotes against the source, and the source's quotes against the candidate.

A candidate quote is compared, normalised (:func:`metrics.quotes.extract.normalise`), with the source:

``verbatim``    its pieces (the text between ellipses or bracketed insertions; one piece if it has none)
                occur in the source in order, each bounded by non-word characters. A match inside one
                source quote is preferred to one anywhere in the text, and the details say which it was.
                The same words in the same order with other punctuation between them are verbatim too,
                marked ``punctuation_differs``;
``altered``     not verbatim, but some window of source tokens has token F1 >= ``altered_f1`` (0.5) with
                the quote's tokens: the closest such window and a token diff against it are reported;
``fabricated``  neither.

A source quote of at least ``min_words`` tokens (2) is:

``kept_quoted``            a verbatim or altered candidate quote was matched inside it (the marks were kept;
                           whether the words were is the candidate quote's class);
``kept_unquoted``          its words are copied into the candidate without marks: its pieces occur there in
                           order, or a candidate window has token F1 >= ``copied_f1`` (0.9) with it;
``paraphrased_or_dropped`` neither. A paraphrase of a quote shares many function words with it (the seed's
                           ministerial quote and its paraphrase reach token F1 0.71), hence the high bar.

The best window is searched exactly: a window with the highest F1 starts and ends on tokens of the quote
(trimming any other token at an edge raises F1), so only windows between two such positions, no longer
than F1 >= threshold allows (2n/t - n tokens for a quote of n), are scored, each extension in O(1).
"""

from __future__ import annotations

import bisect
import difflib
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from metrics.quotes import extract as ex

VERSION = "1"
_DIFF_MAX_TOKENS = 2000  # difflib is quadratic at worst: a longer pair gets no token diff, only its spans


@dataclass(frozen=True)
class Options:
    """What changes the classes; each is recorded in the metric's signature."""

    altered_f1: float = 0.5
    copied_f1: float = 0.9
    min_words: int = 2
    straight_single: bool = False


@dataclass
class Analysed:
    """A text with its normalised form, quotes, and word tokens indexed by value."""

    raw: str
    norm: str
    where: list[int]  # normalised offset -> raw offset (one extra entry for the end)
    scan: ex.Scan
    spans: list[tuple[int, int]]  # each quote's text in normalised offsets, edges stripped
    tokens: list[str]
    token_at: list[tuple[int, int]]  # normalised offsets of each token
    positions: dict[str, list[int]] = field(default_factory=dict)

    def to_norm(self, raw_offset: int) -> int:
        return bisect.bisect_left(self.where, raw_offset)

    def raw_span(self, start: int, end: int) -> dict[str, Any]:
        """A normalised span as a span of the original text, with that text."""
        begin = self.where[start]
        # Each normalised character comes from one original character (a whitespace run from its first).
        finish = self.where[end - 1] + 1 if end > start else begin
        return {"text": self.raw[begin:finish], "start": begin, "end": finish}


def analyse(text: str, straight_single: bool) -> Analysed:
    norm, where = ex.normalise(text)
    scan = ex.find_quotes(text, straight_single=straight_single)
    spans: list[tuple[int, int]] = []
    for quote in scan.quotes:
        start, end = bisect.bisect_left(where, quote.start), bisect.bisect_left(where, quote.end)
        spans.append(ex.strip_edges(norm, start, end))
    found = ex.tokens(norm)
    analysed = Analysed(text, norm, where, scan, spans, [t for t, _, _ in found], [(s, e) for _, s, e in found])
    for index, token in enumerate(analysed.tokens):
        analysed.positions.setdefault(token, []).append(index)
    return analysed


def _bounded(hay: str, start: int, end: int) -> bool:
    """No word continues across either edge of ``hay[start:end]``."""
    if start > 0 and hay[start - 1].isalnum() and hay[start].isalnum():
        return False
    if end < len(hay):
        after = hay[end]
        if unicodedata.combining(after) or (after.isalnum() and hay[end - 1].isalnum()):
            return False
    return True


def find_in_order(hay: str, needles: Sequence[str], low: int, high: int) -> list[tuple[int, int]] | None:
    """Word-bounded occurrences of every needle in ``hay[low:high]``, in order, leftmost first; else None."""
    spans: list[tuple[int, int]] = []
    at = low
    for needle in needles:
        found = hay.find(needle, at, high)
        while found != -1 and not _bounded(hay, found, found + len(needle)):
            found = hay.find(needle, found + 1, high)
        if found == -1:
            return None
        spans.append((found, found + len(needle)))
        at = found + len(needle)
    return spans


@dataclass(frozen=True)
class Window:
    f1: float
    first: int  # token indices, inclusive
    last: int


def best_window(words: Sequence[str], text: Analysed, threshold: float) -> Window | None:
    """The window of ``text``'s tokens with the highest token F1 against ``words`` (ties: the earliest),
    among windows no longer than F1 >= ``threshold`` allows; None when no token is shared."""
    need = Counter(words)
    n = len(words)
    if n == 0:
        return None
    # No window can share more tokens than the text has of each: give up when even that is below threshold
    # (a long text of "the the the ..." would otherwise be scanned window by window).
    possible = sum(min(count, len(text.positions.get(word, ()))) for word, count in need.items())
    if possible == 0 or 2 * possible / (n + possible) < threshold:
        return None
    hits = sorted(p for word in need for p in text.positions.get(word, ()))
    longest = int(2 * n / threshold) - n
    best: Window | None = None
    tokens = text.tokens
    for a, first in enumerate(hits):
        have: Counter[str] = Counter()
        overlap = 0
        for b in range(a, len(hits)):  # indices, not a slice: a slice per start would copy the list n times
            last = hits[b]
            length = last - first + 1
            if length > longest:
                break
            word = tokens[last]
            if have[word] < need[word]:
                overlap += 1
            have[word] += 1
            f1 = 2 * overlap / (n + length)
            if best is None or f1 > best.f1:
                best = Window(f1, first, last)
    return best


def _diff(source_words: Sequence[str], candidate_words: Sequence[str]) -> list[dict[str, str]] | None:
    """Token edits that turn the source window into the candidate quote (None when too long to diff)."""
    if len(source_words) > _DIFF_MAX_TOKENS or len(candidate_words) > _DIFF_MAX_TOKENS:
        return None
    matcher = difflib.SequenceMatcher(a=source_words, b=candidate_words, autojunk=False)
    return [
        {"op": tag, "source": " ".join(source_words[i1:i2]), "candidate": " ".join(candidate_words[j1:j2])}
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


@dataclass
class Result:
    """Counts behind the keys, and the per-quote details."""

    verbatim: int = 0
    altered: int = 0
    fabricated: int = 0
    kept_quoted: int = 0
    kept_unquoted: int = 0
    paraphrased_or_dropped: int = 0
    candidate_quotes: list[dict[str, Any]] = field(default_factory=list)
    source_quotes: list[dict[str, Any]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        total = self.verbatim + self.altered + self.fabricated
        return self.verbatim / total if total else 1.0

    @property
    def kept(self) -> float:
        total = self.kept_quoted + self.kept_unquoted + self.paraphrased_or_dropped
        return self.kept_quoted / total if total else 1.0


def _overlaps(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def compare(source: Analysed, candidate: Analysed, options: Options) -> Result:
    """Classify every candidate quote and every source quote of at least ``min_words`` tokens."""
    result = Result()
    matched: list[tuple[int, int]] = []  # normalised source spans that candidate quotes were matched to
    seen: dict[tuple[str, ...], dict[str, Any]] = {}  # a quote repeated in the candidate is classified once
    for quote, (start, end) in zip(candidate.scan.quotes, candidate.spans):
        parts = ex.pieces(candidate.norm, start, end)
        if not parts:
            continue  # nothing but punctuation between the marks
        needles = [candidate.norm[a:b] for a, b in parts]
        entry: dict[str, Any] = {
            "text": candidate.raw[quote.start : quote.end],
            "start": quote.start,
            "end": quote.end,
            "closed": quote.closed,
        }
        known = seen.get(tuple(needles))
        if known is not None:
            entry |= known
            setattr(result, entry["class"], getattr(result, entry["class"]) + 1)
            result.candidate_quotes.append(entry)
            continue
        before = set(entry)
        hit = next(
            (
                (found, True)
                for low, high in source.spans
                if (found := find_in_order(source.norm, needles, low, high)) is not None
            ),
            None,
        )
        if hit is None:
            anywhere = find_in_order(source.norm, needles, 0, len(source.norm))
            hit = (anywhere, False) if anywhere is not None else None
        if hit is not None:
            spans, in_quote = hit
            result.verbatim += 1
            matched.extend(spans)
            entry |= {"class": "verbatim", "f1": 1.0, "in_source_quote": in_quote}
            entry["source"] = source.raw_span(spans[0][0], spans[-1][1])
            if len(spans) > 1:
                entry["source"]["pieces"] = [source.raw_span(a, b) for a, b in spans]
        else:
            words = [t for a, b in parts for t, _, _ in ex.tokens(candidate.norm, a, b)]
            window = best_window(words, source, options.altered_f1)
            if window is not None and window.f1 >= options.altered_f1:
                span = (source.token_at[window.first][0], source.token_at[window.last][1])
                matched.append(span)
                same_words = source.tokens[window.first : window.last + 1] == words
                # The same words in the same order with other punctuation inside ("Yes, we will" for "Yes we
                # will") is the source's quote as another house style writes it: verbatim, said so.
                if same_words:
                    result.verbatim += 1
                    entry |= {"class": "verbatim", "f1": 1.0, "punctuation_differs": True}
                else:
                    result.altered += 1
                    entry |= {"class": "altered", "f1": round(window.f1, 6)}
                entry["in_source_quote"] = _overlaps(source.spans, *span)
                entry["source"] = source.raw_span(*span)
                if not same_words:
                    entry["diff"] = _diff(source.tokens[window.first : window.last + 1], words)
            else:
                result.fabricated += 1
                entry |= {"class": "fabricated", "f1": round(window.f1, 6) if window else 0.0, "source": None}
        seen[tuple(needles)] = {key: value for key, value in entry.items() if key not in before}
        result.candidate_quotes.append(entry)
    for quote, (start, end) in zip(source.scan.quotes, source.spans):
        parts = ex.pieces(source.norm, start, end)
        words = [t for a, b in parts for t, _, _ in ex.tokens(source.norm, a, b)]
        if len(words) < options.min_words:
            continue
        entry = {"text": source.raw[quote.start : quote.end], "start": quote.start, "end": quote.end}
        if _overlaps(matched, start, end):
            result.kept_quoted += 1
            entry["class"] = "kept_quoted"
        else:
            copied = find_in_order(candidate.norm, [source.norm[a:b] for a, b in parts], 0, len(candidate.norm))
            if copied is not None:
                entry |= {"class": "kept_unquoted", "candidate": candidate.raw_span(copied[0][0], copied[-1][1])}
                result.kept_unquoted += 1
            else:
                window = best_window(words, candidate, options.copied_f1)
                if window is not None and window.f1 >= options.copied_f1:
                    span = (candidate.token_at[window.first][0], candidate.token_at[window.last][1])
                    entry |= {"class": "kept_unquoted", "candidate": candidate.raw_span(*span)}
                    result.kept_unquoted += 1
                else:
                    entry["class"] = "paraphrased_or_dropped"
                    result.paraphrased_or_dropped += 1
        result.source_quotes.append(entry)
    for label, text in (("candidate", candidate), ("source", source)):
        if text.scan.unclosed or text.scan.stray:
            result.flags.append(f"{label}_unbalanced_quotes")
    return result
