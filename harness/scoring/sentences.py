"""Sentence splitting that needs no downloaded data, for rougeLsum, ``lead:K`` and the report's alignment.

Newlines are always boundaries (rouge-score's convention is one sentence per line), so text that is already one
sentence per line keeps its lines; each line is split further by one of two splitters:

- ``rules`` (the default, version :data:`RULES_VERSION`): the harness's own rules, one compiled regular
  expression and a table of abbreviations, linear in the length of the text. A line is cut after ``.``, ``!``,
  ``?`` or ``…`` (and any closing quotes or brackets) followed by whitespace, unless the next word starts with a
  lower-case letter in a line that has capitals (``"Why?" he asked``; in lower-cased text, as many systems write,
  a lower-case start does not prevent a cut), the full stop ends a title or other abbreviation that does not end
  sentences (``Mr.``, ``Dr.``, ``St.``, ``e.g.``), an initial (``J. K. Rowling``) or an abbreviation that is
  followed by a number (``No. 10``, ``Jan. 5``). Abbreviations that often do end a sentence (``U.S.``, ``Inc.``,
  ``etc.``) cut only before a word that usually starts one (``The``, ``He``, ``But``...), as pysbd does. A full
  stop between a lower-case word and a capitalised one with no space (``community.Dr``, how some BBC articles
  came out of their HTML) is a boundary too.
- ``pysbd`` (Sadvilkar & Neumann 2020, "PySBD: Pragmatic Sentence Boundary Disambiguation"), the default before
  rules-1; kept to reproduce runs that used it. It costs ~12 ms per news article (it compiles regular
  expressions on every call) and grows faster than linearly on very long lines.

Why rules is the default, measured by ``benchmarks/sentence_split.py`` on the shipped data: against the sentence
lines that FRANK ships with its 501 CNN/DM and BBC articles (F1 0.869, pysbd 0.609) and REALSumm's summary
sentences (0.872, pysbd 0.802), at 174x pysbd's speed (docs/metrics/rouge.md gives the figures). A sentence
split never drops or changes a character: the pieces, joined, spell out each line again (whitespace aside).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.metadata import version

RULES = "rules"
PYSBD = "pysbd"
SPLITTERS = (RULES, PYSBD)
# Bump when a rule changes what is split: it is part of every rougeLsum signature.
RULES_VERSION = "1"

# A candidate cut: terminal punctuation, closing quotes or brackets, then whitespace; or, with no space, a full stop
# (or ! ?) after a lower-case letter, bracket or closing quote and before a capital, possibly behind a quote.
# Every alternative starts at the punctuation mark, written once in front (group 1, the rest of a run in group 2)
# so that the regex engine scans for that character class instead of trying three branches at every position:
# the same matches, 8x faster on the shipped articles.
_CUT = re.compile(
    r"([.!?…])(?:"
    r"([.!?…]*)[\"'”’»)\]]*\s+(?=\S)"
    r"|(?<=[a-z)\"”][.!?])(?=[\"“]?[A-Z])"
    r"|(?<=[a-z][.!?])[\"”’](?=[A-Z])"
    r")"
)
_WORD_BEFORE = re.compile(r"(\S*)$")
_OPENING = "\"'“‘«([`"
_WORD_AFTER = re.compile(r"[\"'“‘«(\[]*([^\W_]+)")
_HAS_UPPER = re.compile(r"[A-Z]")
_DOTTED = re.compile(r"(?:[a-z]\.)+[a-z]")  # "u.s", "e.g", "a.m": letters with full stops between


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Lower-cased, without the final full stop. Titles and abbreviations that (almost) never end a sentence.
_NEVER_END = _words(
    "mr mrs ms messrs dr prof st sen sens rep reps gov gen col lt sgt capt cpl maj adm cmdr rev hon pres supt insp"
    " det atty mt ft fig figs vs v e.g i.e cf approx dept univ assn bros gov't pp"
)
# Abbreviations that are not a sentence's end when a number follows: "No. 10", "Jan. 5", "Vol. 2".
_BEFORE_NUMBER = _words("no nos vol art ch p sec jan feb mar apr jun jul aug sep sept oct nov dec tel ext op")
# Abbreviations that often end a sentence: cut only before a word that usually starts one.
_MAY_END = _words("u.s u.k u.n u.s.a e.u inc ltd co corp plc llc jr sr etc a.m p.m d.c l.a n.y bros al")
_STARTERS = _words(
    "a an the he she it i we they you his her its their our my this that these those there here but and so yet"
    " however meanwhile then in on at for after before when while if as last today yesterday now police officials"
    " what who why how where"
)


def _cut_here(line: str, match: re.Match[str], cased: bool) -> bool:
    """Whether the candidate ``match`` ends a sentence (see the module docstring for the rules)."""
    punctuation = match.group(1) + (match.group(2) or "")
    after = _WORD_AFTER.match(line, match.end(), match.end() + 40)
    next_word = after.group(1) if after else ""
    if cased and next_word[:1].islower() and line[match.start() - 1 : match.start()] != " ":
        return False  # "Why?" he asked; "e.g. this". A space-separated full stop is tokenised text: cut.
    if punctuation != ".":
        return True
    # The word the full stop ends, up to 16 characters back (abbreviations are short): linear in the line.
    before = _WORD_BEFORE.search(line, max(0, match.start() - 16), match.start())
    word = before.group(1).lstrip(_OPENING).lower() if before else ""
    if not word:
        return True  # "burnley . townsend": a full stop on its own ends a sentence in tokenised text
    if word in _NEVER_END:
        return False
    if len(word) == 1 and word.isalpha():
        return False  # an initial: "J. K. Rowling", "Franklin D. Roosevelt"
    if word in _BEFORE_NUMBER:
        return not next_word[:1].isdigit()
    if word in _MAY_END or (len(word) <= 7 and _DOTTED.fullmatch(word)):
        return next_word.lower() in _STARTERS
    return True


def _split_line_rules(line: str) -> list[str]:
    """One stripped, non-empty line cut into sentences by the rules."""
    cased = _HAS_UPPER.search(line) is not None
    pieces: list[str] = []
    start = 0
    for match in _CUT.finditer(line):
        if _cut_here(line, match, cased):
            piece = line[start : match.end()].strip()
            if piece:
                pieces.append(piece)
            start = match.end()
    last = line[start:].strip()
    if last:
        pieces.append(last)
    return pieces


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    # clean=False: return the text's own characters, so nothing the splitter does changes a token.
    return pysbd.Segmenter(language="en", clean=False)


def _split_line_pysbd(line: str) -> list[str]:
    parts = [s.strip() for s in _segmenter().segment(line) if s.strip()]
    # pysbd can lose text (it returns nothing for "the\t. . . the"): a sentence split must never drop or
    # change a character, so a line whose pieces do not spell it out again is kept whole.
    if "".join("".join(parts).split()) != "".join(line.split()):
        parts = [line]
    return parts


def splitter_name(splitter: str = RULES) -> str:
    """The splitter's name and version, as recorded in metric signatures."""
    if splitter == RULES:
        return f"lines+rules-{RULES_VERSION}"
    if splitter == PYSBD:
        return f"lines+pysbd-{version('pysbd')}"
    raise ValueError(f"unknown sentence splitter {splitter!r}; use one of {', '.join(SPLITTERS)}")


def split_sentences(text: str, splitter: str = RULES) -> list[str]:
    """Split text into sentences: each non-blank line, split further by ``splitter``; whitespace trimmed."""
    if splitter == RULES:
        split_line = _split_line_rules
    elif splitter == PYSBD:
        split_line = _split_line_pysbd
    else:
        raise ValueError(f"unknown sentence splitter {splitter!r}; use one of {', '.join(SPLITTERS)}")
    sentences: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            sentences.extend(split_line(line))
    return sentences
