"""Sentences, content words, certainty cues and negations of a text, and the alignment of two texts.

Sentence splitting is a regular-expression splitter of our own rather than pysbd (``harness.scoring.sentences``):
pysbd takes about 3 ms for a 300-character summary, more than this metric's whole budget per pair (200
pairs/s on one core). It splits at a line break, and after ``.``, ``!``, ``?`` or ``…`` (and any closing
quote or bracket) followed by whitespace, unless the next character is a lower-case letter (except after a
space-separated full stop, as tokenised text writes it: "sunday . andros"), the full stop ends a known
abbreviation ("Mr.", "U.S.") or an initial ("J. K. Rowling"). Its limits: a sentence ending in an
abbreviation ("... in the U.S. The ...") is joined to the next one.

Content words are lower-cased words that are not function words or certainty cues, with a final plural "s"
removed; numbers are content words. A source cue or negation is *in scope* of the candidate when one of the
nearest ``SCOPE`` content words on either side of it in its sentence is also in the aligned candidate
sentences (and a candidate cue likewise against the source sentence): a hedge dropped together with the
clause it hedged ("... who is thought to be 30") is a content drop, not a certainty shift.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from metrics.certainty import lexicon

VERSION = "1"
# How many content words before and after a cue it bears on: an attribution governs the clause on either
# side ("X, police said"; "According to police, X"), an estimate the figure after it, a modal or booster and
# a negation what follows them within their clause.
_REACH = {"attribution": (4, 4), "modality": (0, 4), "booster": (0, 4), "estimation": (0, 2), "negation": (0, 3)}
SCOPE = "attribution:4+4,modality:0+4,booster:0+4,estimation:0+2,negation:0+3,clause-bounded"

_SPLIT = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ABBREVIATIONS = _words(
    "mr mrs ms dr prof st sen rep gov gen col lt sgt capt cpl rev jr sr no nos vs etc inc ltd co corp plc jan feb"
    " mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e a.m p.m approx est dept univ mt ft op fig al"
)
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W_]+(?:['’][^\W_]+)*")  # "2,000" is one word, not "2" and "000"
_STOP = _words(
    """a an the and or but if of to in on at by for with from into onto over under about above below after before
    than then so as is are was were be been being am has have had having do does did doing will would shall should
    can could may might must it its it's this that these those there here he she they we you i me him her them us
    my his their our your who whom whose which what when where why how not no nor also just only very too more cannot
    most less least much many some any all each every both either neither one s t said says say told according
    up down out off again further once while during because through until against between among within without
    per via yet still even ever already such own same other another new mr mrs ms"""
)
# Where a clause ends, for the reach of a modal, booster, estimate or negation: "it did not get much better as
# the Yorkshiremen came up with ..." does not negate the Yorkshiremen's coming up.
_CLAUSE = re.compile(
    r"[,;:()\u2013\u2014]|\s-\s|\s(?:and|but|as|when|while|because|although|though|whereas|which|who|after|before)\s",
    re.IGNORECASE,
)
_CUES = lexicon.compile_cues()
_NEGATED = re.compile(r"(?:\s+[\w']+){0,2}\s+")  # at most two words between a negation and a booster
_NEGATIONS = lexicon.compile_negations()
_CATEGORIES = tuple(lexicon.CATEGORIES)


@dataclass(frozen=True)
class Cue:
    """A certainty cue or a negation: its category (``negation`` for one) and span in the whole text."""

    category: str
    text: str
    start: int
    end: int

    def as_json(self) -> dict[str, object]:
        return {"category": self.category, "text": self.text, "start": self.start, "end": self.end}


@dataclass
class Sentence:
    start: int
    end: int
    words: list[str] = field(default_factory=list)  # content words in order
    starts: list[int] = field(default_factory=list)  # the offset of each content word
    cues: list[Cue] = field(default_factory=list)
    negations: list[Cue] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)  # clause boundaries (sorted): punctuation and conjunctions
    vocabulary: frozenset[str] = frozenset()

    def near(self, cue: Cue) -> list[str]:
        """The content words ``cue`` bears on, as far as word order tells (see ``_REACH``). Binary searches
        only, so a sentence with many cues (a megabyte without a full stop) stays linear."""
        before_n, after_n = _REACH[cue.category]
        if cue.category == "attribution":
            # "X, police said" and "According to police, X": an attribution reaches across commas.
            low, high = self.start, self.end
        else:
            at = bisect.bisect_right(self.breaks, cue.start)
            low = self.breaks[at - 1] if at else self.start
            at = bisect.bisect_left(self.breaks, cue.end)
            high = self.breaks[at] if at < len(self.breaks) else self.end
        first_after = bisect.bisect_left(self.starts, cue.end)
        after = self.words[first_after : min(first_after + after_n, bisect.bisect_left(self.starts, high))]
        if before_n == 0 and not after:
            before_n = after_n  # nothing follows in its clause ("300 or so", "... is not."): look back instead
        last_before = bisect.bisect_left(self.starts, cue.start)
        first_before = max(bisect.bisect_left(self.starts, low), last_before - before_n)
        return self.words[first_before:last_before] + after


@dataclass
class Analysed:
    text: str
    sentences: list[Sentence]
    index: dict[str, list[int]]  # content word -> sentences holding it


def split(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``, whitespace trimmed (see the module docstring for the rules)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SPLIT.finditer(text):
        end = match.end()
        if match.group() != "\n":
            rest = text[end : end + 3].lstrip()
            spaced = match.start() > 0 and text[match.start() - 1] == " "
            if rest and rest[0].islower() and not spaced:
                continue
            if match.group()[0] == "." and not spaced:
                word = text[max(start, match.start() - 6) : match.start()].rsplit(None, 1)[-1:]
                last = word[0].lstrip("(\"'“‘").lower() if word else ""
                if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                    continue
        _trimmed(text, start, end, spans)
        start = end
    _trimmed(text, start, len(text), spans)
    return spans


def _trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def _stem(word: str) -> str:
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def _is_month(text: str, cue: re.Match[str], sentence_start: int) -> bool:
    """A capitalised "May" after the first word of a sentence is the month or a name, not the modal."""
    return cue.group().startswith("May") and text[sentence_start : cue.start()].strip() != ""


def _negated(plain: str, at: int, negations: list[Cue], ends: list[int]) -> bool:
    """Is there a negation at most two words before ``at``? Only the nearest one need be tried: an earlier
    one is further away by at least that negation's own word."""
    nearest = bisect.bisect_right(ends, at) - 1
    return nearest >= 0 and _NEGATED.fullmatch(plain, negations[nearest].end, at) is not None


def analyse(text: str) -> Analysed:
    """Split ``text`` and find each sentence's content words, cues and negations (offsets into ``text``)."""
    # Curly apostrophes straight, one character for one, so that offsets stay those of ``text``.
    plain = text.replace("’", "'")
    sentences: list[Sentence] = []
    index: dict[str, list[int]] = {}
    for start, end in split(text):
        cue_spans: list[tuple[int, int]] = []
        sentence = Sentence(start, end, breaks=[m.start() for m in _CLAUSE.finditer(text, start, end)])
        for match in _NEGATIONS.finditer(plain, start, end):
            if match.group("negation") is not None or match.group("glued") is not None:
                sentence.negations.append(Cue("negation", text[match.start() : match.end()], *match.span()))
        ends = [n.end for n in sentence.negations]
        for match in _CUES.finditer(plain, start, end):
            if _is_month(text, match, start):
                continue
            category = next(c for c in _CATEGORIES if match.group(c) is not None)
            cue_spans.append(match.span())
            if category == "booster" and _negated(plain, match.start(), sentence.negations, ends):
                continue  # "cannot confirm", "not clearly": a negated booster asserts nothing
            sentence.cues.append(Cue(category, text[match.start() : match.end()], match.start(), match.end()))
        spans = iter(cue_spans)  # in text order, as the words are: one pass skips the words inside cues
        span = next(spans, None)
        for word in _WORD.finditer(text, start, end):
            while span is not None and span[1] <= word.start():
                span = next(spans, None)
            lower = _stem(word.group())
            if lower in _STOP or (span is not None and span[0] <= word.start()):
                continue
            sentence.words.append(lower)
            sentence.starts.append(word.start())
        sentence.vocabulary = frozenset(sentence.words)
        for lower in sentence.vocabulary:
            index.setdefault(lower, []).append(len(sentences))
        sentences.append(sentence)
    return Analysed(text, sentences, index)


def align(source: Analysed, candidate: Analysed, floor: float) -> list[tuple[int, float] | None]:
    """For each candidate sentence, its most similar source sentence and the similarity, or None below
    ``floor`` or with under two shared words (one for a one-word sentence); ties go to the earlier sentence.

    Similarity is the F-measure with beta = 2 of the content-word sets, weighting the share of the candidate
    sentence's words found in the source sentence four times the share of the source sentence's words kept:
    summaries and rewrites compress, so a short candidate sentence drawn from a long source sentence must
    beat a shorter source sentence that happens to share a few of its words (plain Dice picks the latter).
    """
    aligned: list[tuple[int, float] | None] = []
    sizes = [len(s.vocabulary) for s in source.sentences]
    for sentence in candidate.sentences:
        vocabulary = sentence.vocabulary
        shared: dict[int, int] = {}
        for word in vocabulary:
            for at in source.index.get(word, ()):
                shared[at] = shared.get(at, 0) + 1
        best: tuple[int, float] | None = None
        for at, count in shared.items():
            if count < min(2, len(vocabulary)):
                continue
            # F2 = 5 P R / (4 P + R) with P = count/|candidate|, R = count/|source| simplifies to:
            score = 5 * count / (4 * sizes[at] + len(vocabulary))
            if score >= floor and (best is None or score > best[1] or (score == best[1] and at < best[0])):
                best = (at, score)
        aligned.append(best)
    return aligned
