"""Find every quantity in a text, the way UK and US news write them, and normalise it.

A quantity is a figure a reader could check against the source: a count (``300,000``, ``6.1 million``,
``twenty-five``, ``a dozen``), money (``£500m``, ``$40 billion``, ``50p``), a percentage (``10 per cent``)
or percentage points, a measure in a unit (``10 metres``, ``1.5km``), a year (``2012``, ``mid-2036``), a
decade (``the 1990s``), an ordinal (``21st``, ``the first``, ``its golden anniversary``), a fraction (``a third``,
``3/4``), a time of day (``10.30pm``) or a day of a month (``5 March``), each possibly a range (``10-15``,
``between 10 and 15``) and possibly qualified (``nearly``, ``more than``, ``up to``).

Also read: results (``3-1``, ``145-6``: two whole numbers with a hyphen that run downwards, or stand next to a
word of results such as "win", "defeat", "lost"), rank claims (``one of the world's most successful``, ``one
of the biggest``), Unicode fractions (``½``, ``1½``), scientific and power notation (``1e6``, ``10^6``), and
the way tokenised corpora (XSum, CNN/DM) write figures: ``£20, 000`` (a spaced thousands group after a
currency, or ``, 000``), ``# 2m`` (``#`` and a space for ``£``). A change followed by a level is not a range
("rose by 2.5% to 3,480", "from 12 to 15", "3% to $1.2bn": a unit on the low end the high end lacks).

Names that hold a figure are kind ``name``, checked as names (:mod:`metrics.numeric.names`), never as
quantities: digits glued to letters (``G7``, ``M25``, ``A40``, ``3D``, ``Twenty20``), a word-hyphen-number
(``Covid-19``, ``under-21s``; but ``mid-2036`` is a year and ``innings-and-39-run`` a count), a capitalised
word then a number below 1000 (``Windows 10``, ``Formula 1``, ``Channel Four``). A bare count after a word
carries that pair's name forms too, so "formula 1" in lower-cased text is backed by "F1".

What is deliberately *not* a quantity, so that recall is not noise:

- ``a``/``an`` alone ("a tourist") and a bare ``one`` ("one of the", "no one", "one day"): only "one"
  followed by a unit, a currency or a scale word ("one million", "one metre"), in a compound ("one hundred")
  or as "one in five" counts. Plural-free casual counting is too common in prose to be a checkable figure.
- spelled ordinals without a determiner: "the first meeting", "its third" count; "First, ...", "at first" do not.
- phone numbers, slash dates; digit runs over 30 digits (ids); numbers beyond a float (``1e309``).
- ``m`` glued to a number is *million* (``£500m``, ``6.1m people``), the UK press's use; it is metres only
  before a length word (``100m sprint``, ``10m high``) or with a space (``10 m``).

Each quantity keeps a reference to its text, from which what it is bound to (its clause and slot,
:mod:`metrics.numeric.binding`) is read when the matcher first asks.

Extraction is a left-to-right scan from anchors (a digit or a number word), each parsed with anchored
regular expressions of bounded width, so the time is linear in the text and no pattern can backtrack
catastrophically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache

from metrics.numeric import binding, names
from metrics.numeric import lexicon as lx
from metrics.numeric import words as nw

VERSION = "7"
MAX_DIGITS = 30


@dataclass(frozen=True)
class Quantity:
    """One quantity: where it is, what it says, and its value in the base unit of its dimension."""

    text: str
    start: int
    end: int
    value: float  # in base units (a range: its low end)
    high: float | None  # a range's high end, else None
    kind: str  # count year decade ordinal fraction percent points money measure time date
    unit: str | None  # canonical unit or currency code
    dimension: str  # what it can be compared with: number, ratio, length, currency:GBP, ...
    shown: float  # the number as written times its scale, before any unit factor (10 metres -> 10)
    digits: str  # significant digits as written ("61" for 6.1 million), for scale and digit-swap checks
    precision: float  # base-unit size of the last significant place written (6.1 million -> 1e5)
    qualifier: str | None  # canonical approximation qualifier, e.g. "nearly"
    direction: str  # exact, above, below or approx
    strict: bool  # a bound that excludes the figure itself ("more than")
    context: tuple[str, ...]  # content words just before and after it (the thing counted)
    # A name that holds a figure ("A40", "Formula 1", "under-21s"), or a bare count that may be one ("formula
    # 1" in lower-cased text): the spellings under which the source may write that name (see name_forms).
    forms: frozenset[str] = frozenset()
    # A result ("3-1", "145-6"): the second number, kept apart from the first (``value``).
    other: float | None = None
    # A year-like figure whose kind its context settles: a year after "in", "since", "the" ("in 2015"), or
    # a count before the plural it counts ("2015 people"). Two such figures of the other kind never back
    # each other; an unsettled "2015" backs and is backed by either.
    typed: bool = False
    # The text it was found in (not compared or shown): what it is bound to is read from it when first asked.
    source_text: str = field(default="", repr=False, compare=False)

    @cached_property
    def bound(self) -> binding.Frame:
        """What it is bound to: content words of its clause and its slot (binding.Frame), for
        the check that it counts the same thing as in the source. Computed on first use: most figures of a
        faithful rewrite need it, a figure the source lacks never does."""
        return binding.frame(self.source_text, self.start, self.end) if self.source_text else binding.EMPTY

    @property
    def clause(self) -> tuple[str, ...]:
        return self.bound.clause

    @cached_property
    def sentence(self) -> frozenset[str]:
        """Stems of the content words of its sentence (binding.sentence): what it is about, loosely."""
        return binding.sentence(self.source_text, self.start, self.end) if self.source_text else frozenset()

    @cached_property
    def counts_things(self) -> bool:
        """A bare count right before the plural noun it counts ("1,000 people"): a count of things, which an
        amount with a unit ("£1000", "10 minutes") does not back, nor is backed by."""
        after = _PLURAL_AFTER.match(self.source_text, self.end)
        # Not a heading in capitals after it ("AGE: 27 CLUBS", a scraped fact box): that counts nothing.
        return self.kind == "count" and after is not None and not after.group().strip().isupper()


_NAMED_ORDINALS = frozenset(nw.NAMED_ANNIVERSARY) | frozenset(nw.CENTENARIES)
_WORD_ANCHORS = nw.NUMBER_WORDS | frozenset(nw.DENOMINATORS) | _NAMED_ORDINALS  # lower-case
# Unicode's vulgar fractions: "½", "¾", and glued to a whole number, "1½".
VULGAR = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅖": (2, 5), "⅗": (3, 5)}
VULGAR |= {"⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅛": (1, 8), "⅜": (3, 8), "⅝": (5, 8), "⅞": (7, 8)}
_ANCHOR_TOKEN = re.compile(r"[A-Za-z]+|[\d" + "".join(VULGAR) + "]")
# Scientific and power notation, one number each: "1e6", "2.5e-3", "10^6".
_POWER = re.compile(r"(\d+(?:\.\d+)?)(?:[eE]([-+]?\d{1,3})|\^([-+]?\d{1,3}))(?![A-Za-z0-9^])")
_LARGEST = Decimal("1e308")  # beyond a float: not a checkable figure
_NUM = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?")
# Tokenised corpora (XSum, CNN/DM as SummEval and FRANK ship them) write "£20, 000": a group after ", " is a
# thousands group when the number is money or the groups are all zeros ("1, 000"); "in 45, 300 people" is not.
_SPACED_THOUSANDS = re.compile(r"\d{1,3}(?:, \d{3})+(?![\d,.]\d|\d)")
_ZERO_GROUPS = re.compile(r"\d{1,3}(?:, 000)+(?![\d,.]\d|\d)")
_GLUED_RUN = re.compile(r"[0-9A-Za-z.,/:]*")
_TIME = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s?([ap])\.?m\.?(?![A-Za-z])|(\d{1,2}):(\d{2})(?![\d:])", re.IGNORECASE)
_PHONE = re.compile(r"0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}(?!\d)|\d{3}\)?[ -]\d{3}-\d{4}(?!\d)|\d{3}-\d{3}-\d{4}(?!\d)")
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})(/\d{2,4})?(?![\d/])")
_GLUED = re.compile(
    r"(st|nd|rd|th|’s|'s|s|%|k|mn|mln|bn|b|tn|trn|m|p|°c|°f|km|kms|cm|mm|mi|ft|kg|kgs|g|lbs|lb|mph|kph|kmh|ha"
    r"|kwh|mwh|gwh|twh|kw|mw|gw|bps|km2|km²|m2|m²)(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_SCALE_WORD = re.compile(r"[ -](hundred|thousand|million|billion|trillion|mn|bn|tn)(?![A-Za-z])", re.IGNORECASE)
_AMBIGUOUS_SPACED = {"c", "f", "g", "p", "b", "bp", "pt", "pc", "in", "min", "sec", "m2", "ha", "t", "mi", "yd"}
_UNIT_SPELLINGS = sorted(
    [s for s in lx.UNITS if s not in _AMBIGUOUS_SPACED] + [s for s in lx.CURRENCY_WORDS if s != "p"],
    key=len,
    reverse=True,
)
_UNIT_WORD = re.compile(r"(?:\s|-)(" + "|".join(re.escape(s) for s in _UNIT_SPELLINGS) + r")(?![A-Za-z])", re.I)
_CURRENCY_BEFORE = re.compile(
    r"(?:(?<![A-Za-z])(?:us|au|a|c|ca|hk|nz)?\$|£|€|¥|₹|(?<![A-Za-z])(?:gbp|usd|eur|jpy|chf|aud|cad|inr|cny|rs\.?))"
    r"\s?$"
    # "# 2m": tokenised XSum writes the pound sign as "#" followed by a space ("#1" without one is a rank).
    r"|(?<![^\s(])# $",
    re.IGNORECASE,
)
_QUALIFIER = re.compile(
    # Not after a hyphen: "two-under 70" is a golf score, not "under 70".
    r"(?<![A-Za-z-])(" + "|".join(re.escape(q) for q in sorted(lx.QUALIFIERS, key=len, reverse=True)) + r")\s+$",
    re.IGNORECASE,
)
_BETWEEN = re.compile(r"(?<![A-Za-z])between\s+$", re.IGNORECASE)
_RANGE_SEP = re.compile(r"\s?[-–—]\s?|\s(?:to|and)\s", re.IGNORECASE)
_YEAR_PREFIX = re.compile(r"(?<![A-Za-z])(mid|early|late|pre|post)-$", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]+")
_WORD_AFTER = re.compile(r"[\s,;:()\"“”‘’'-]*([A-Za-z]+)")
_LENGTH_THEN_PARENTHESIS = re.compile(r"\d\s?([A-Za-z]+)\s?\($")
_LENGTH_CONTEXT = frozenset(
    ["long", "high", "tall", "deep", "wide", "away", "from", "above", "below", "sprint", "race", "hurdles", "freestyle"]
)
_SENTENCE_END = ".!?\n"
_ARTICLE = re.compile(r"(?<![A-Za-z])(an?|half an?) $", re.IGNORECASE)
_HALF_AN = re.compile(r" an?(?= )", re.IGNORECASE)
_PLUS_RUN = re.compile(r"[\d ()-]{0,24}")
_ONE_IN = re.compile(r" in (?:every )?([A-Za-z]+)", re.IGNORECASE)
# "one of the world's most successful", "one of the biggest": a claim of rank, checked by its superlative.
_RANK = re.compile(
    r"one of (?:the|its|their|his|her|our|britain's|britain’s)\s+(?:[A-Za-z]+(?:'s|’s)\s+)?"
    r"(?:(?:most|least)\s+([A-Za-z]+)|([A-Za-z]+))",
    re.IGNORECASE,
)
# "a second time", "a third term": an ordinal after "a" only before a word that it ranks.
_A_RANK = re.compile(r"[ -](?!later|ago|or|and|half|hand)[a-z]{2,}", re.IGNORECASE)
_YEAR_BEFORE = re.compile(
    r"(?<![A-Za-z])(?:in|since|until|till|by|during|from|before|after|the|its|their|his|her|this|last|next)\s+$",
    re.IGNORECASE,
)
# A plural noun right after a figure ("2015 people"); not the plurals that follow a year ("2012 Olympics").
_NOT_COUNTED = r"(?:olympics|games|elections|accounts|results|figures|awards|finals|series|riots|protests)"
_PLURAL_NOUN = r"(?:[a-z]{2,}[^s'’\s]s|people|children|men|women|staff|police|personnel)"
_PLURAL_AFTER = re.compile(r" (?!" + _NOT_COUNTED + r"\b)" + _PLURAL_NOUN + r"\b", re.IGNORECASE)
_ANNIVERSARY_AFTER = re.compile(r" (?:wedding )?(?:anniversary|jubilee)\b", re.IGNORECASE)
_CAPITALISED_AFTER = re.compile(r" [A-Z][a-z]")
_AGE_BEFORE = re.compile(r"(?<![A-Za-z])(?:aged|age of|ages of)\s+$", re.IGNORECASE)
_CHANGE = re.compile(r"(?<![A-Za-z])(?:from|by)\s+$", re.IGNORECASE)
# "innings-and-39-run": a number inside a hyphenated compound modifier after a function word is a quantity.
_COMPOUND = re.compile(r"\d+(?:\.\d+)?-[a-z]", re.IGNORECASE)
_COMPOUND_BEFORE = re.compile(r"(?<![A-Za-z])(?:and|or|a|an|to|of|by)-$", re.IGNORECASE)
_GLUED_LETTER = re.compile(r"\d+[A-Za-z]")
# A result: two whole numbers joined by a hyphen, nothing glued after ("3-1", "145-6", "27-13").
_SCORE = re.compile(r"(\d{1,3})[-–](\d{1,3})(?![\d%]|[.,]\d|[-–/]\d|[A-Za-z])")


def extract(text: str) -> list[Quantity]:
    """Every quantity in ``text``, in order of position. Never raises on any string; linear time."""
    return list(_extract_cached(text))


@lru_cache(maxsize=4096)
def _extract_cached(text: str) -> tuple[Quantity, ...]:
    # Cached: a source is scored against every system's candidate.
    found: list[Quantity] = []
    pos = 0
    for start, anchor_end in _anchors(text):
        if start < pos:
            continue  # inside a quantity already read
        if text[start].isdigit():
            quantity, pos = _digits_at(text, start)
        elif text[start] in VULGAR:
            quantity, pos = _vulgar_at(text, start)
        elif text[start:anchor_end].lower() in _NAMED_ORDINALS:
            quantity, pos = _anniversary_at(text, start, anchor_end)
        else:
            quantity, pos = _words_at(text, start, anchor_end)
        pos = max(pos, start + 1)
        if quantity is not None:
            found.append(quantity)
    return tuple(found)


def _anchors(text: str) -> list[tuple[int, int]]:
    """Where a quantity may start: every digit and vulgar fraction, and every whole word that is a number word.
    One pass over the words with a set lookup: 3x faster than searching an alternation of 80 words from each
    position (the anchor search was most of the extraction time)."""
    found = []
    for token in _ANCHOR_TOKEN.finditer(text):
        first = token.group()[0]
        if not first.isalpha() or token.group().lower() in _WORD_ANCHORS:
            found.append(token.span())
    return found


# --- numbers written in digits -------------------------------------------------------------------------


@dataclass
class _Core:
    """A number with what follows it, before classification."""

    start: int
    end: int
    shown: Decimal
    digits: str
    place: Decimal  # place value of the last significant digit, times the scale
    unit: lx.Unit | None
    currency: str | None
    currency_factor: float
    kind: str  # count, ordinal, decade, percent
    scaled: bool
    separators: bool


def _significant(number: str) -> tuple[str, Decimal]:
    """Significant digits and the place value of the last one: "750,000" -> ("75", 1e4); "6.1" -> ("61", 0.1)."""
    plain = number.replace(",", "")
    whole, _, decimals = plain.partition(".")
    digits = (whole + decimals).lstrip("0")
    if decimals:
        place = Decimal(1).scaleb(-len(decimals))
        stripped = digits.rstrip("0")
        place *= Decimal(10) ** (len(digits) - len(stripped)) if stripped else 1
        return stripped or "0", place
    stripped = digits.rstrip("0")
    return stripped or "0", Decimal(10) ** (len(digits) - len(stripped)) if stripped else Decimal(1)


def _vulgar_at(text: str, start: int) -> tuple[Quantity | None, int]:
    """A fraction written as one character ("½ of voters"); "1½" is read with its whole number by _core."""
    if start and (text[start - 1].isalnum() or text[start - 1] in VULGAR):
        return None, start + 1
    numerator, denominator = VULGAR[text[start]]
    value = numerator / denominator
    return _make(text, start, start + 1, value, None, "fraction", None, "ratio", value, "", 0.0), start + 1


def _power(text: str, start: int) -> _Core | None:
    """ "1e6", "2.5e-3", "10^6" as one number (None if it overflows a float)."""
    match = _POWER.match(text, start)
    if match is None:
        return None
    mantissa, exponent = match.group(1), int(match.group(2) or match.group(3))
    try:
        if match.group(2) is not None:
            shown = Decimal(mantissa).scaleb(exponent)
            digits, place = _significant(mantissa)
            place = place.scaleb(exponent)
        else:
            shown = Decimal(mantissa) ** exponent
            digits, place = _significant(str(shown)) if shown == shown.to_integral_value() else (mantissa, Decimal(0))
    except (InvalidOperation, ArithmeticError):
        return None
    if not shown.is_finite() or abs(shown) > _LARGEST:
        return None
    return _Core(start, match.end(), shown, digits, place, None, None, 1.0, "count", True, False)


def _core(text: str, start: int) -> _Core | None:
    """The number at ``start`` with its glued suffix, scale word and unit; None if it is not a quantity."""
    power = _power(text, start)
    if power is not None:
        return power
    match = _NUM.match(text, start)
    if match is None:
        return None
    currency = _CURRENCY_BEFORE.search(text, max(0, start - 4), start)
    spaced = (_SPACED_THOUSANDS if currency else _ZERO_GROUPS).match(text, start)
    if spaced and spaced.end() > match.end():
        match = spaced
    number = match.group().replace(" ", "")
    if text[match.end() : match.end() + 1] == "." and text[match.end() + 1 : match.end() + 2].isdigit():
        return None  # "1.2.3": a version or section number
    if sum(ch.isdigit() for ch in number) > MAX_DIGITS:
        return None
    try:
        shown = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    digits, place = _significant(number)
    end = match.end()
    if end < len(text) and text[end] in VULGAR and "." not in number:
        numerator, denominator = VULGAR[text[end]]  # "1½": a mixed number
        shown += Decimal(numerator) / Decimal(denominator)
        digits, place, end = digits + str(numerator), Decimal(1) / Decimal(denominator), end + 1
    core = _Core(start, end, shown, digits, place, None, None, 1.0, "count", False, "," in number)
    if currency:
        symbol = currency.group().strip().lower().rstrip(".")
        core.currency = lx.CURRENCY_SYMBOLS.get(symbol)
        core.start = currency.start()
    glued = _GLUED.match(text, end)
    if glued and glued.group() in ("G", "C", "F", "P", "S"):
        glued = None  # "5G", "4C": capital single letters are codes ("°C" keeps its degree sign)
    if glued:
        if not _apply_glued(text, core, glued.group().lower()):
            return None
        end = core.end = glued.end()
    elif end < len(text) and (text[end].isalpha() or text[end].isdigit()):
        return None  # "3D", "5G", "10x": a name or code, not a figure
    if not core.scaled and core.kind == "count":
        scale = _SCALE_WORD.match(text, end)
        if scale:
            word = scale.group(1).lower()
            factor = lx.SCALE_WORDS.get(word) or lx.SCALE_SUFFIXES[word]
            _scale(core, factor)
            end = core.end = scale.end()
    if core.unit is None and core.kind in ("count", "percent") and core.currency is None:
        unit = _UNIT_WORD.match(text, end)
        if unit:
            _apply_unit(core, unit.group(1).lower())
            core.end = unit.end()
    return core


def _scale(core: _Core, factor: float) -> None:
    core.shown *= Decimal(repr(factor))
    core.place *= Decimal(repr(factor))
    core.scaled = True


def _apply_glued(text: str, core: _Core, suffix: str) -> bool:
    """Interpret a suffix glued to the number; False if it makes the token a non-quantity."""
    if suffix in ("st", "nd", "rd", "th"):
        core.kind = "ordinal"
    elif suffix in ("s", "’s", "'s"):
        if core.shown % 10 != 0 or "." in str(core.shown):
            return False
        core.kind = "decade"
    elif suffix == "%":
        _apply_unit(core, "%")
    elif suffix == "p" and core.currency is None:
        core.currency, core.currency_factor = "GBP", 0.01
    elif suffix == "m" and core.currency is None:
        after = _WORD_AFTER.match(text, core.end + 1)
        if (after and after.group(1).lower() in _LENGTH_CONTEXT) or _after_length(text, core.start):
            _apply_unit(core, "m")
        else:
            _scale(core, 1e6)
    elif suffix in lx.SCALE_SUFFIXES:
        _scale(core, lx.SCALE_SUFFIXES[suffix])
    elif suffix in lx.UNITS and core.currency is None:
        _apply_unit(core, suffix)
    else:
        return False
    return True


def _after_length(text: str, start: int) -> bool:
    """ "650ft (198m)", "30 feet (9m)": a parenthesis right after a length gives the same length in another unit,
    so an "m" in it is metres, not million."""
    before = _LENGTH_THEN_PARENTHESIS.search(text, max(0, start - 24), start)
    if before is None:
        return False
    unit = lx.UNITS.get(before.group(1).lower())
    return unit is not None and unit.dimension == "length"


def _apply_unit(core: _Core, spelling: str) -> None:
    if spelling in lx.CURRENCY_WORDS:
        core.currency, core.currency_factor = lx.CURRENCY_WORDS[spelling]
        return
    unit = lx.UNITS[spelling]
    core.unit = unit
    if unit.dimension == "ratio":
        core.kind = "percent"


def _digits_at(text: str, start: int) -> tuple[Quantity | None, int]:
    """The quantity whose first digit is at ``start`` (or None), and where scanning resumes."""
    before = text[start - 1] if start else ""
    year_prefix = None
    if before == "+":
        return None, max(_PLUS_RUN.match(text, start).end(), start + 1)  # type: ignore[union-attr]
    if before and before.isalpha() and not _lost_space(text, start):
        return _name_at(text, start)  # "G7", "M25", "A40", "Twenty20": a name holding a figure
    if before and (before.isdigit() or before in "._"):
        return None, _past_run(text, start)  # "1.2.3", "+44 ...": glued to something else
    if before == "-" and start >= 2 and text[start - 2].isalpha():
        year_prefix = _YEAR_PREFIX.search(text, max(0, start - 6), start)
        compound = _COMPOUND.match(text, start) and _COMPOUND_BEFORE.search(text, max(0, start - 4), start)
        if year_prefix is None and not compound:
            return _name_at(text, start)  # "Covid-19", "F-35", "under-21s"
    if (start >= 1 and before == "(") or _PHONE.match(text, start):
        phone = _PHONE.match(text, start)
        if phone:
            return None, phone.end()
    time = _TIME.match(text, start)
    if time:
        return _time(text, start, time), time.end()
    slash = _SLASH.match(text, start)
    if slash:
        numerator, denominator = int(slash.group(1)), int(slash.group(2))
        if slash.group(3) or not 0 < numerator < denominator:
            return None, slash.end()
        value = numerator / denominator
        return _make(text, start, slash.end(), value, None, "fraction", None, "ratio", value, "", 0.0), slash.end()
    score = _SCORE.match(text, start)
    if score and _is_score(text, start, score):
        return _score(text, start, score), score.end()
    core = _core(text, start)
    if core is None:
        if _GLUED_LETTER.match(text, start):
            return _name_at(text, start)  # "3D", "5G", "10x"
        return None, _past_run(text, start)
    high: _Core | None = None
    low_end = core.end
    between = _BETWEEN.search(text, max(0, core.start - 12), core.start)
    sep = _RANGE_SEP.match(text, core.end)
    if (
        sep
        and (sep.group().strip() != "and" or between)
        and (sep.group().strip() != "to" or not _change_before(text, core))
    ):
        second = sep.end()
        if second < len(text) and (text[second].isdigit() or text[second] in "£$€¥"):
            digit_at = second + (0 if text[second].isdigit() else 1)
            high = _core(text, digit_at) if digit_at < len(text) and text[digit_at].isdigit() else None
    if high is not None:
        high, core = _join_range(core, high)
    if high is None:
        core.end = max(core.end, low_end)
    return _classify(text, core, high, year_prefix), (high.end if high else core.end)


def _lost_space(text: str, start: int) -> bool:
    """ "refinery198 metre-high", "sykline1,100 miles", "Water2,000 megawatt": a word glued to a number whose
    thousands separator or following unit shows it is a figure, not part of a name (no name holding a figure,
    "A40", "G7", "Twenty20", has a thousands group or a unit after it). Scraped pages lose the space between
    a caption and the next line's first word so."""
    number = _NUM.match(text, start)
    if number is None:
        return False
    if "," in number.group():
        return True
    unit = _UNIT_WORD.match(text, number.end())
    return unit is not None and unit.group(1).lower() in lx.UNITS


def _past_run(text: str, start: int) -> int:
    """Where to resume after a rejected number: past its whole glued run ("G7", "1.2.3"), read once."""
    run = _GLUED_RUN.match(text, start)
    return max(run.end() if run else start, start + 1)


def _change_before(text: str, core: _Core) -> bool:
    """ "from 12 to 15", "rose by 2.5% to 3,480", "cut by 10 to 45": a change then a level, not a range."""
    return _CHANGE.search(text, max(0, core.start - 12), core.start) is not None


def _name_at(text: str, start: int) -> tuple[Quantity | None, int]:
    """The name holding the figure at ``start`` ("A40", "under-21s", "3D"), and where scanning resumes."""
    token = names.token_at(text, start)
    if token is None or not names.is_name(token[0]):
        return None, _past_run(text, start)
    name, begin = token
    return _name(text, begin, begin + len(name), names.forms(name)), begin + len(name)


def _name(text: str, start: int, end: int, forms: frozenset[str]) -> Quantity | None:
    if not forms:
        return None
    return Quantity(
        text[start:end], start, end, 0.0, None, "name", None, "name", 0.0, "", 0.0, None, "exact", False, (), forms
    )


def _superlative(match: re.Match[str]) -> str | None:
    """The superlative a rank claim turns on ("successful" for "most successful", "big" for "biggest")."""
    if match.group(1):
        return match.group(1).lower()
    word = match.group(2).lower()
    if word in lx.SUPERLATIVES or (word.endswith("est") and len(word) > 5 and word not in lx.NOT_SUPERLATIVES):
        return word
    return None


def _rank(text: str, start: int, match: re.Match[str]) -> Quantity:
    word = _superlative(match) or ""
    return Quantity(
        match.group(),
        start,
        match.end(),
        1.0,
        None,
        "rank",
        None,
        "rank",
        1.0,
        "1",
        1.0,
        None,
        "exact",
        False,
        (),
        frozenset({binding.stem(word.removesuffix("est") if word.endswith("est") else word)}),
        source_text=text,
    )


def _is_score(text: str, start: int, match: re.Match[str]) -> bool:
    """ "3-1", "145-6", "27-13" is a result, not a range, when it runs downwards (no range does) or a word of
    results stands next to it ("a 1-2 defeat", "lost 0-1")."""
    if start and (text[start - 1] in "-–—/.,:" or text[start - 1].isalnum()):
        return False
    first, second = int(match.group(1)), int(match.group(2))
    if 1000 <= first <= 2100:
        return False  # "2020-21": a season
    if second <= first and not (first >= 100 and second >= 10 and first % 10 == 0):
        return True  # "10-5" is no range; "100-50" might be a careless one
    before = text[max(0, start - 25) : start].lower().split()[-2:]
    after = _WORD_AFTER.match(text, match.end())
    return bool(set(before) & lx.RESULT_WORDS) or bool(after and after.group(1).lower() in lx.RESULT_WORDS)


def _score(text: str, start: int, match: re.Match[str]) -> Quantity:
    first, second = float(match.group(1)), float(match.group(2))
    return Quantity(
        match.group(),
        start,
        match.end(),
        first,
        None,
        "score",
        None,
        "score",
        first,
        f"{match.group(1)}-{match.group(2)}",
        1.0,
        None,
        "exact",
        False,
        _context(text, start, match.end()),
        other=second,
        source_text=text,
    )


def _join_range(low: _Core, high: _Core) -> tuple[_Core | None, _Core]:
    """Make "10-15 metres", "£3bn-£4bn", "2020-21" one range, carrying the unit and scale of either end."""
    if high.kind != "count" and high.kind != low.kind and high.kind != "percent":
        return None, low
    # "rose 2.5% to 3,480", "3% to $1.2bn": a unit on the low end that the high end lacks or contradicts is a
    # change followed by a level, not a range ("10 to 15%" carries the high end's unit down).
    if low.unit is not None and (high.unit is None or high.unit != low.unit):
        return None, low
    if low.currency is not None and high.currency is not None and low.currency != high.currency:
        return None, low
    if low.unit is None and high.unit is not None:
        low.unit, low.kind = high.unit, high.kind
    if low.currency is None and high.currency is not None:
        low.currency, low.currency_factor = high.currency, high.currency_factor
    if high.currency is None:
        high.currency, high.currency_factor = low.currency, low.currency_factor
    if high.unit is None:
        high.unit, high.kind = low.unit, low.kind
    if not low.scaled and high.scaled:
        scale = _scale_of(high)
        if scale > 1 and low.shown * scale <= high.shown:
            _scale(low, float(scale))
    if (
        not low.scaled
        and not high.scaled
        and 1000 <= low.shown <= 2100
        and high.shown < 100
        and len(str(high.shown)) == 2
        and low.shown == int(low.shown)
    ):
        high.shown = Decimal(int(low.shown) // 100 * 100) + high.shown  # "2020-21" -> 2021
    if not high.shown > low.shown:
        return None, low
    low.end = high.end
    return high, low


def _scale_of(core: _Core) -> Decimal:
    for factor in (Decimal(10) ** 12, Decimal(10) ** 9, Decimal(10) ** 6, Decimal(10) ** 3):
        if core.scaled and core.shown >= factor and (core.place >= factor or core.place * 1000 >= factor):
            return factor
    return Decimal(1)


def _time(text: str, start: int, match: re.Match[str]) -> Quantity:
    if match.group(3):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        hour = hour % 12 + (12 if match.group(3).lower() == "p" else 0)
    else:
        hour, minute = int(match.group(4)), int(match.group(5))
    value = float(hour * 60 + minute)
    return _make(text, start, match.end(), value, None, "time", None, "clock", value, str(hour * 100 + minute), 1.0)


def _classify(text: str, core: _Core, high: _Core | None, year_prefix: re.Match[str] | None) -> Quantity | None:
    """Decide the kind and dimension of a parsed number and build the Quantity."""
    shown, place = core.shown, core.place
    kind, unit_name, dimension, factor = core.kind, None, "number", Decimal(1)
    plain = not core.scaled and core.unit is None and core.currency is None and kind == "count"
    typed = False  # a year known to be a year ("in 2015", "mid-2036") or a year-like count before its plural
    if core.currency is not None:
        kind, unit_name, dimension = "money", core.currency, f"currency:{core.currency}"
        factor = Decimal(repr(core.currency_factor))
    elif core.unit is not None:
        unit_name, dimension, factor = core.unit.name, core.unit.dimension, Decimal(repr(core.unit.factor))
        if kind != "percent":
            kind = "points" if core.unit.dimension == "points" else "measure"
    elif kind == "ordinal":
        dimension = "ordinal"
    elif kind == "decade":
        dimension = "decade"
    qualifier = None
    if year_prefix is not None:
        if not ((plain or kind == "decade") and 1000 <= shown <= 2100 and shown == int(shown)):
            return None
        kind, qualifier = ("decade" if kind == "decade" else "year"), year_prefix.group(1).lower()
        typed = True
    elif plain:
        before = _word_before(text, core.start)
        if before is not None:
            word, at_sentence_start = before
            lower = word.lower()
            if (
                lower.rstrip(".")[:3] in lx.MONTHS
                and lower not in ("may", "march")
                and 1 <= shown <= 31
                or lower in ("may", "march")
                and 1 <= shown <= 31
                and word[0].isupper()
            ):
                kind, dimension = "date", f"date:{lower[:3]}"
            elif _AGE_BEFORE.search(text, max(0, core.start - 16), core.start) and shown < 150:
                # "aged 10", "at the age of 10": years of age, a duration (checked against "10 minutes")
                unit = lx.UNITS["years"]
                kind, unit_name, dimension, factor = "measure", unit.name, unit.dimension, Decimal(repr(unit.factor))
            elif word[0].isupper() and not at_sentence_start and lower not in lx.NOT_NAMES and shown < 1000:
                # "Windows 10", "Article 50", "Formula 1": a name, checked as a name
                return _name(text, core.start - len(word) - 1, core.end, names.forms(f"{word} {core.digits}"))
        if kind == "count":
            after = _WORD_AFTER.match(text, core.end)
            if after and after.group(1).lower()[:3] in lx.MONTHS and 1 <= shown <= 31 and after.start(1) - core.end < 3:
                month = after.group(1).lower()
                if month[0:3] in lx.MONTHS and (month not in ("may", "march") or after.group(1)[0].isupper()):
                    kind, dimension = "date", f"date:{month[:3]}"
        if kind == "count" and not core.separators and 1000 <= shown <= 2100 and shown == int(shown):
            kind, typed = "year", _YEAR_BEFORE.search(text, max(0, core.start - 12), core.start) is not None
            if not typed and _PLURAL_AFTER.match(text, core.end):
                kind = "count"  # "killing 2015 people", "1204 ballots": a count before the plural it counts
    direction, strict = "exact", False
    found = None
    if qualifier is None and core.start and text[core.start - 1].isspace():
        found = _QUALIFIER.search(text, max(0, core.start - 25), core.start)
        if found:
            qualifier = found.group(1).lower()
            direction, strict = lx.QUALIFIERS[qualifier]
            if kind == "year" and direction != "exact":
                kind = "count"  # "more than 2000 people" is a count, not a year
    begin = found.start(1) if qualifier is not None and year_prefix is None and found else core.start
    value = float(shown * factor)
    high_value = float(high.shown * factor) if high is not None else None
    end = high.end if high is not None else core.end
    # A bare whole count after a word may be a name in lower-cased text ("formula 1", "league 2").
    forms = names.pair_forms(text, core.start) if plain and kind == "count" and shown < 1000 else frozenset()
    return Quantity(
        text=text[begin:end],
        start=begin,
        end=end,
        value=value,
        high=high_value,
        kind=kind,
        unit=unit_name,
        dimension=dimension,
        shown=float(shown),
        digits=core.digits,
        precision=float(place * factor),
        qualifier=qualifier,
        direction=direction,
        strict=strict,
        context=_context(text, core.start, end),
        forms=forms,
        typed=typed or (kind == "count" and 1000 <= shown <= 2100 and _PLURAL_AFTER.match(text, end) is not None),
        source_text=text,
    )


def _capitalised_before(text: str, begin: int) -> str | None:
    """The capitalised word, not starting a sentence, right before the capitalised number word at ``begin``
    ("Channel" of "Channel Four"): the pair may be a name."""
    if not text[begin].isupper():
        return None
    before = _word_before(text, begin)
    return before[0] if before and before[0][0].isupper() and not before[1] else None


def _word_before(text: str, start: int) -> tuple[str, bool] | None:
    """The word right before ``start`` (one space between) and whether it begins a sentence."""
    if start < 2 or text[start - 1] != " " or not text[start - 2].isalpha():
        return None
    begin = start - 1
    while begin > 0 and start - begin < 40 and (text[begin - 1].isalpha() or text[begin - 1] == "."):
        begin -= 1
    word = text[begin : start - 1]
    head = text[max(0, begin - 3) : begin].rstrip(" \"'“‘(")
    return word, (not head or head[-1] in _SENTENCE_END)


def _context(text: str, start: int, end: int) -> tuple[str, ...]:
    """The nearest content word on each side (lower-case): what the figure counts."""
    found: list[str] = []
    for word in _WORD.finditer(text, end, min(len(text), end + 40)):
        lower = word.group().lower()
        if lower not in lx.STOPWORDS:
            found.append(lower)
            break
    for word in reversed(list(_WORD.finditer(text, max(0, start - 40), start))):
        lower = word.group().lower()
        if lower not in lx.STOPWORDS and lower not in lx.QUALIFIERS:
            found.append(lower)
            break
    return tuple(found)


def _make(
    text: str,
    start: int,
    end: int,
    value: float,
    high: float | None,
    kind: str,
    unit: str | None,
    dimension: str,
    shown: float,
    digits: str,
    precision: float,
    forms: frozenset[str] = frozenset(),
) -> Quantity:
    qualifier = None
    direction, strict = "exact", False
    found = _QUALIFIER.search(text, max(0, start - 25), start) if start and text[start - 1].isspace() else None
    if found:
        qualifier = found.group(1).lower()
        direction, strict = lx.QUALIFIERS[qualifier]
        start = found.start(1)
    return Quantity(
        text[start:end],
        start,
        end,
        value,
        high,
        kind,
        unit,
        dimension,
        shown,
        digits,
        precision,
        qualifier,
        direction,
        strict,
        _context(text, start, end),
        forms=forms,
        source_text=text,
    )


# --- numbers written in words --------------------------------------------------------------------------


def _words_at(text: str, start: int, anchor_end: int) -> tuple[Quantity | None, int]:
    """The spelled quantity starting with the number word at ``start``, and where scanning resumes."""
    if anchor_end < len(text) and text[anchor_end].isdigit():
        return _name_at(text, anchor_end)  # "Twenty20": a name
    spans: list[tuple[str, int, int]] = []
    article = _ARTICLE.search(text, max(0, start - 7), start)
    if article:
        for prior in _WORD.finditer(text, article.start(), start):
            spans.append((prior.group().lower(), prior.start(), prior.end()))
    pos = start
    while len(spans) < 16:
        word = _WORD.match(text, pos)
        if word is None:
            break
        spans.append((word.group().lower(), word.start(), word.end()))
        pos = word.end()
        if pos + 1 < len(text) and text[pos] in " -" and text[pos + 1].isalpha():
            pos += 1
        else:
            break
    words = [w for w, _, _ in spans]
    anchor_index = len(spans) - len([s for s in spans if s[1] >= start])
    fraction = nw.fraction(words)
    # A bare "half" is a fraction only before "of", "the", "a(n)" ("half of them", "half an hour"), and
    # "half a million" is a count, read by the number parser.
    if (
        fraction is None
        and words[anchor_index] == "half"
        and len(words) > anchor_index + 1
        and words[anchor_index + 1] in ("of", "the", "a", "an")
        and not (len(words) > anchor_index + 2 and words[anchor_index + 2] in nw.BIG)
    ):
        if anchor_index and words[0] in ("a", "an"):
            fraction = nw.Parsed(0.5, anchor_index + 1, False, 0.0)
        else:
            spans, words = spans[anchor_index:], words[anchor_index:]
            fraction = nw.Parsed(0.5, 1, False, 0.0)
    if fraction is not None:
        end = spans[fraction.used - 1][2]
        begin = spans[0][1]
        article_after = _HALF_AN.match(text, end) if words[0] == "half" else None
        unit_after = _UNIT_WORD.match(text, article_after.end() if article_after else end)
        if unit_after and lx.UNITS.get(unit_after.group(1).lower()) and words[0] == "half":
            unit = lx.UNITS[unit_after.group(1).lower()]
            value = 0.5 * unit.factor
            quantity = _make(
                text, begin, unit_after.end(), value, None, "measure", unit.name, unit.dimension, 0.5, "5", 0
            )
            return quantity, unit_after.end()
        quantity = _make(text, begin, end, fraction.value, None, "fraction", None, "ratio", fraction.value, "", 0.0)
        return quantity, end
    if anchor_index and words[anchor_index] not in ("hundred", "dozen", *nw.BIG):
        spans, words = spans[anchor_index:], words[anchor_index:]
    parsed = nw.parse(words)
    if parsed is None:
        return None, anchor_end
    begin, end = spans[0][1], spans[parsed.used - 1][2]
    if parsed.ordinal:
        before = text[max(0, begin - 8) : begin].lower().split()
        if not before or (before[-1] not in lx.ORDINAL_DETERMINERS and not before[-1].endswith(("'s", "’s"))):
            return None, end
        if before[-1] in ("a", "an") and not _A_RANK.match(text, end):
            return None, end  # "a second later", "wait a second": a unit of time, not a rank
        value = parsed.value
        return _make(text, begin, end, value, None, "ordinal", None, "ordinal", value, str(int(value)), 1.0), end
    high = _spelled_high(text, begin, parsed, words)
    if high is not None:
        end = spans[parsed.used + high.used - 1][2]
    return _spelled_quantity(text, begin, end, parsed, words, high)


def _anniversary_at(text: str, start: int, end: int) -> tuple[Quantity | None, int]:
    """A named anniversary ("golden anniversary", "the centenary") as the ordinal it names, or None."""
    word = text[start:end].lower()
    after = _ANNIVERSARY_AFTER.match(text, end)
    if word in nw.CENTENARIES:
        value = float(nw.CENTENARIES[word])
    elif after:
        value = float(nw.NAMED_ANNIVERSARY[word])
    else:
        return None, end  # "golden era", "diamond ring"
    if text[start].isupper() and _CAPITALISED_AFTER.match(text, after.end() if after else end):
        return None, end  # "Centenary Square", "Golden Jubilee Bridge": a place's name, not the anniversary
    return _make(
        text, start, end, value, None, "ordinal", None, "ordinal", value, str(int(value)).rstrip("0"), 1.0
    ), end


def _spelled_high(text: str, begin: int, low: nw.Parsed, words: list[str]) -> nw.Parsed | None:
    """The high end of a spelled range ("three to four weeks", "between three and four"), or None; "from three
    to four" is a change, not a range."""
    k = low.used
    if k + 1 >= len(words) or words[k] not in ("to", "and"):
        return None
    if words[k] == "and" and not _BETWEEN.search(text, max(0, begin - 12), begin):
        return None
    if words[k] == "to" and _CHANGE.search(text, max(0, begin - 12), begin):
        return None
    if _capitalised_before(text, begin):
        return None  # "Channel Four to Five": a name, read as one
    high = nw.parse(words[k + 1 :])
    if high is None or high.ordinal or not high.value > low.value:
        return None
    return nw.Parsed(high.value, high.used + 1, False, high.precision)  # "to"/"and" counted in what it used


def _spelled_quantity(
    text: str, begin: int, end: int, parsed: nw.Parsed, words: list[str], high: nw.Parsed | None = None
) -> tuple[Quantity | None, int]:
    """A spelled cardinal or range with what follows it: a unit, a currency, "per cent"."""
    value = Decimal(repr(parsed.value))
    digits = str(int(parsed.value)).rstrip("0") if parsed.value >= 1 else "0"
    if parsed.value != int(parsed.value):
        digits = _significant(str(value))[0]  # "two and a half": 25
    kind, unit_name, dimension, factor = "count", None, "number", 1.0
    unit_match = _UNIT_WORD.match(text, end)
    if unit_match and parsed.value == 1 and unit_match.group(1).lower() == "day":
        return None, end  # "one day": an idiom far more often than a duration
    if unit_match:
        spelling = unit_match.group(1).lower()
        if spelling in lx.CURRENCY_WORDS:
            code, factor = lx.CURRENCY_WORDS[spelling]
            kind, unit_name, dimension = "money", code, f"currency:{code}"
        else:
            unit = lx.UNITS[spelling]
            unit_name, dimension, factor = unit.name, unit.dimension, unit.factor
            kind = "percent" if unit.dimension == "ratio" else "points" if unit.dimension == "points" else "measure"
        end = unit_match.end()
    elif high is None and parsed.value == 1 and parsed.used == 1 + (words[0] in ("a", "an")):
        rank = _RANK.match(text, begin)
        if rank and _superlative(rank):
            return _rank(text, begin, rank), rank.end()
        follow = _ONE_IN.match(text, end)
        if follow is None:
            return None, end  # a bare "one": a pronoun or article in prose, not a figure
        denominator = nw.parse([follow.group(1).lower()])
        if denominator is None or denominator.value < 2:
            return None, end
        ratio = 1 / denominator.value
        return _make(text, begin, follow.end(), ratio, None, "fraction", None, "ratio", ratio, "", 0.0), follow.end()
    elif high is None and words[0] not in ("a", "an") and begin > 0:
        word = _capitalised_before(text, begin)
        if (
            word
            and word.lower() not in lx.NOT_NAMES
            and parsed.value < 10
            and not _PLURAL_AFTER.match(text, end)  # "Fernvale Six others": a full stop lost, a count
        ):
            # "Apollo Eleven", "Channel Four": a name, checked as a name
            name_start = begin - len(word) - 1
            return _name(text, name_start, end, names.forms(text[name_start:end])), end
    plain = kind == "count" and high is None and words[0] not in ("a", "an")
    forms = names.pair_forms(text, begin) if plain else frozenset()
    base = float(value) * factor
    quantity = _make(
        text,
        begin,
        end,
        base,
        float(high.value) * factor if high is not None else None,
        kind,
        unit_name,
        dimension,
        float(value),
        digits,
        parsed.precision * factor,
        forms,
    )
    return quantity, end
