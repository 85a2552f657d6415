"""Spelled-out English numbers: ``three``, ``twenty-five``, ``one hundred and thirty``, ``a dozen``,
``half a million``, ``two thirds``, ``twenty-first``, ``two and a half``.

The grammar is the one of the Chicago Manual's "spelled-out numbers" (units, tens, ``hundred`` and the
short-scale ``thousand``/``million``/``billion``/``trillion``, an optional ``and`` after a hundred), read
left to right with the usual total/current accumulator. Input is a list of lower-cased words (hyphens
already split off); the parser says how many words it used, so the caller maps it back to offsets.
"""

from __future__ import annotations

from typing import NamedTuple

SMALL = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
BIG = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
    "hundredth": 100,
    "thousandth": 1000,
}
# Denominators of spelled fractions ("a third", "two thirds", "three quarters"). "second" is not one.
DENOMINATORS = {
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fifth": 5,
    "fifths": 5,
    "sixth": 6,
    "sixths": 6,
    "eighth": 8,
    "eighths": 8,
    "tenth": 10,
    "tenths": 10,
}
# Anniversaries named by a word, which news also writes for the ordinal ("the team's golden anniversary" for
# its 50th, "the centenary of the war" for its 100th). The traditional UK/US names whose anniversary and
# jubilee agree ("sapphire" is 45 for a wedding but 65 for a jubilee, so it is left out). The material words
# name an anniversary only before "anniversary" or "jubilee" ("golden era" is not one); the -enary words
# always do.
NAMED_ANNIVERSARY = {"silver": 25, "pearl": 30, "ruby": 40, "golden": 50, "diamond": 60, "platinum": 70}
CENTENARIES = {
    "centenary": 100,
    "centennial": 100,
    "sesquicentenary": 150,
    "sesquicentennial": 150,
    "bicentenary": 200,
    "bicentennial": 200,
    "tercentenary": 300,
    "tercentennial": 300,
    "tricentennial": 300,
    "quatercentenary": 400,
    "quincentenary": 500,
    "quincentennial": 500,
}
NUMBER_WORDS = frozenset(SMALL) | frozenset(TENS) | frozenset(BIG) | {"hundred", "dozen"} | frozenset(ORDINALS)


class Parsed(NamedTuple):
    """A spelled number: its value, how many words it used, whether it is an ordinal, and the place value of
    its last significant word (1 for "twenty-five", 1e6 for "six million": the rounding it shows)."""

    value: float
    used: int
    ordinal: bool
    precision: float


def parse(words: list[str]) -> Parsed | None:
    """Read the longest spelled number at the start of ``words`` (lower-case, no hyphens), or None.

    >>> parse(["one", "hundred", "and", "thirty", "people"])
    Parsed(value=130.0, used=4, ordinal=False, precision=1.0)
    >>> parse(["a", "dozen"]).value, parse(["half", "a", "million"]).value
    (12.0, 500000.0)
    """
    if len(words) >= 3 and words[0] == "half" and words[1] in ("a", "an") and words[2] in BIG:
        return Parsed(0.5 * BIG[words[2]], 3, False, 0.5 * BIG[words[2]])
    index = 0
    if words and words[0] in ("a", "an"):  # "a hundred", "a dozen", "a million": never "a" alone
        if len(words) < 2 or words[1] not in ("hundred", "dozen", *BIG):
            return None
        index = 1
    total = 0.0
    current = 0.0
    used = 0
    last = ""  # "small", "tens", "hundred", "big": what may follow depends on it
    precision = 1.0
    implicit_one = index == 1
    while index < len(words):
        word = words[index]
        if word in SMALL and last in ("", "hundred", "big", "and") and not (last == "" and implicit_one):
            current += SMALL[word]
            last, precision = "small", 1.0
        elif word in TENS and last in ("", "hundred", "big", "and") and not (last == "" and implicit_one):
            current += TENS[word]
            last, precision = "tens", 10.0 if TENS[word] else 1.0
        elif word in SMALL and last == "tens" and SMALL[word] < 10 and SMALL[word] > 0:
            current += SMALL[word]
            last, precision = "small", 1.0
        elif word in ORDINALS and last in ("", "tens", "hundred", "big", "and") and not implicit_one:
            value = ORDINALS[word]
            if last == "tens" and value >= 10:
                break
            if last in ("hundred", "big") and value >= 100:
                break
            return Parsed(total + current + value, index + 1, True, 1.0)
        elif word == "hundred" and last in ("", "small", "tens") and current < 100:
            current = (current or 1.0) * 100
            last, precision = "hundred", 100.0
        elif word == "dozen" and last in ("", "small") and current < 100:
            current = (current or 1.0) * 12
            last, precision = "big", 12.0
        elif word in BIG and last in ("", "small", "tens", "hundred"):
            total += (current or 1.0) * BIG[word]
            current = 0.0
            last, precision = "big", BIG[word]
        elif word == "and" and last in ("hundred", "big") and index + 1 < len(words):
            nxt = words[index + 1]
            if nxt not in SMALL and nxt not in TENS:
                break
            last = "and"
            index += 1
            continue
        else:
            break
        index += 1
        used = index
    if used == 0 or last == "and":
        return None
    if words[used : used + 3] == ["and", "a", "half"] and last in ("small", "tens"):
        # "two and a half", "two-and-a-half"; "two and a half million" scales the whole.
        if not total and used + 3 < len(words) and words[used + 3] in BIG:
            scale = BIG[words[used + 3]]
            return Parsed((current + 0.5) * scale, used + 4, False, 0.5 * scale)
        return Parsed(total + current + 0.5, used + 3, False, 0.5)
    return Parsed(total + current, used, False, precision)


def fraction(words: list[str]) -> Parsed | None:
    """A spelled fraction at the start of ``words``: "a third", "two thirds", "three quarters", "half"."""
    if not words:
        return None
    if words[0] in ("a", "an", "one") and len(words) > 1 and words[1] in DENOMINATORS:
        return Parsed(1 / DENOMINATORS[words[1]], 2, False, 0.0)
    if words[0] in SMALL and len(words) > 1 and words[1] in DENOMINATORS and words[1].endswith("s"):
        numerator = SMALL[words[0]]
        if 0 < numerator < DENOMINATORS[words[1]]:
            return Parsed(numerator / DENOMINATORS[words[1]], 2, False, 0.0)
    return None
