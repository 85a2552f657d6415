"""Names that hold a figure: ``A40``, ``M25``, ``G7``, ``Formula 1``, ``Twenty20``, ``under-21s``, ``Channel 4``.

Such a figure is not a quantity (the A40 is not forty of anything), but it is a claim all the same: a rewrite
that says "the A41" or "Channel 5" where the source says "the A40" or "Channel 4" is wrong. So a name is
checked as a token of that name: is it in the source, under any of the spellings news uses for it?

A name's *forms* are its letters and digits run together, lower-cased (``under-21s`` -> ``under21s``), the
same without a plural ``s`` (``under21``), and its initials with its digits (``Formula 1`` -> ``f1``,
``Twenty20`` -> ``t20``, ``under-21s`` -> ``u21``), so "Formula 1" is backed by a source that writes "F1". A
spelled last number counts as its digits (``League Two`` -> ``league2``). Two names are the same when their
forms meet.
"""

from __future__ import annotations

import re
from functools import lru_cache

from metrics.numeric import words as nw

_PART = re.compile(r"[a-z]+|\d+")
# A token that may hold a name: letters, digits and inner hyphens ("under-21s", "F-35", "twenty20").
TOKEN = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+){0,3}(?![A-Za-z0-9])")
# Where a name's figure may be: a digit run, or a spelled number standing alone ("League Two").
_FIGURE = re.compile(
    r"\d+|(?<![A-Za-z])(?:" + "|".join(sorted(nw.SMALL, key=len, reverse=True)) + r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Words that start a pair without making it a name ("the 5", "in 2012", "by 10").
_NOT_NAME_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "by",
        "for",
        "from",
        "with",
        "and",
        "or",
        "than",
        "as",
        "is",
        "was",
        "are",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "it",
        "its",
        "their",
        "his",
        "her",
        "our",
        "about",
        "around",
        "nearly",
        "almost",
        "over",
        "under",
        "some",
        "up",
        "down",
        "just",
        "only",
        "top",
        "aged",
        "age",
    ]
)
MAX_LENGTH = 30


def forms(name: str) -> frozenset[str]:
    """The spellings under which ``name`` may appear: run together, without a plural s, as initials."""
    parts = _PART.findall(name.lower())
    if parts and parts[-1] in nw.SMALL:
        parts[-1] = str(nw.SMALL[parts[-1]])
    if not any(part.isdigit() for part in parts) or not any(part.isalpha() for part in parts):
        return frozenset()
    joined = "".join(parts)
    found = {joined}
    if joined.endswith("s") and len(parts) > 1 and parts[-1] == "s":
        found.add("".join(parts[:-1]))
    first_digit = next(i for i, part in enumerate(parts) if part.isdigit())
    if first_digit > 0:
        initials = "".join(part[0] for part in parts[:first_digit]) + "".join(parts[first_digit:])
        found.add(initials)
        if initials.endswith("s") and parts[-1] == "s":
            found.add(initials[:-1])
    return frozenset(found)


def is_name(token: str) -> bool:
    """A token with both letters and digits, short enough to be a name rather than an id or a hash."""
    return len(token) <= MAX_LENGTH and any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


@lru_cache(maxsize=4096)
def source_forms(text: str) -> frozenset[str]:
    """Every form of every name-like token and word-number pair of ``text``: what a candidate's name may match.

    Cached: a source is compared with every system's candidate."""
    found: set[str] = set()
    for figure in _FIGURE.finditer(text):
        start = figure.start()
        token = token_at(text, start)
        if token is not None and is_name(token[0]):
            found |= forms(token[0])  # "A40", "under-21s", "Twenty20"
        found |= pair_forms(text, start)  # "Channel 4", "League Two"
    return frozenset(found)


def token_at(text: str, start: int) -> tuple[str, int] | None:
    """The letters-digits-hyphens token that holds ``text[start]``, and where it begins."""
    begin = start
    while (
        begin > 0
        and start - begin < MAX_LENGTH
        and (text[begin - 1].isalnum() or (text[begin - 1] == "-" and begin >= 2 and text[begin - 2].isalnum()))
    ):
        begin -= 1
    match = TOKEN.match(text, begin)
    return (match.group(), begin) if match and match.end() > start else None


def pair_forms(text: str, start: int) -> frozenset[str]:
    """Forms of "<word> <number>" when the number at ``start`` follows a word that may make it a name."""
    begin = start - 1
    if begin < 1 or text[begin] not in " -":
        return frozenset()
    word_start = begin
    while word_start > 0 and begin - word_start < 20 and text[word_start - 1].isalpha():
        word_start -= 1
    word = text[word_start:begin]
    if len(word) < 2 or word.lower() in _NOT_NAME_WORDS or (word_start and text[word_start - 1].isalnum()):
        return frozenset()
    end = start
    while end < len(text) and end - start < 9 and text[end].isalnum():
        end += 1
    return forms(text[word_start:end])
