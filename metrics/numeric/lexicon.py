"""Closed word lists for the numeric extractor: units, currencies, scale words and approximation qualifiers.

Every entry maps a spelling (lower-cased) to one canonical form, so spelling variants compare equal
(``metres``/``meters``/``m``; ``£``/``GBP``/``pounds``). Units of one dimension carry a factor to a base
unit (metre, kilogram, second, square metre, litre, watt, watt-hour) so the same amount in another unit of
that dimension is recognised (1.5 km = 1,500 metres). Lists, not a units library: news writes a few dozen
units, and a closed list cannot read ``£500m`` as pound-metres (quantulum3's failure).
"""

from __future__ import annotations

from typing import NamedTuple


class Unit(NamedTuple):
    """A canonical unit: its name, its dimension, and how many base units one of it is."""

    name: str
    dimension: str
    factor: float


def _units() -> dict[str, Unit]:
    table: dict[str, Unit] = {}

    def add(name: str, dimension: str, factor: float, *spellings: str) -> None:
        unit = Unit(name, dimension, factor)
        for spelling in (name, *spellings):
            table[spelling] = unit

    add("metre", "length", 1.0, "metres", "meter", "meters", "m")
    add("kilometre", "length", 1000.0, "kilometres", "kilometer", "kilometers", "km", "kms")
    add("centimetre", "length", 0.01, "centimetres", "centimeter", "centimeters", "cm")
    add("millimetre", "length", 0.001, "millimetres", "millimeter", "millimeters", "mm")
    add("mile", "length", 1609.344, "miles", "mi")
    add("foot", "length", 0.3048, "feet", "ft")
    add("yard", "length", 0.9144, "yards", "yd", "yds")
    add("inch", "length", 0.0254, "inches")
    add("kilogram", "mass", 1.0, "kilograms", "kilogramme", "kilogrammes", "kg", "kgs", "kilo", "kilos")
    add("gram", "mass", 0.001, "grams", "gramme", "grammes", "g")
    add("tonne", "mass", 1000.0, "tonnes", "ton", "tons", "metric tons")
    add("lb", "mass", 0.45359237, "lbs")
    add("second", "time", 1.0, "seconds", "sec", "secs")
    add("minute", "time", 60.0, "minutes", "min", "mins")
    add("hour", "time", 3600.0, "hours", "hr", "hrs")
    add("day", "time", 86400.0, "days")
    add("week", "time", 604800.0, "weeks")
    # A month is a twelfth of a Julian year, so "12 months" equals "a year" exactly.
    add("month", "time", 2629800.0, "months")
    add("year", "time", 31557600.0, "years", "yr", "yrs", "year-old", "years-old")
    add("decade", "time", 315576000.0, "decades")
    add("century", "time", 3155760000.0, "centuries")
    add("hectare", "area", 1e4, "hectares", "ha")
    add("acre", "area", 4046.8564224, "acres")
    add("square kilometre", "area", 1e6, "square kilometres", "square kilometers", "sq km", "km2", "km²")
    add("square mile", "area", 2589988.110336, "square miles", "sq miles", "sq mi")
    add("square metre", "area", 1.0, "square metres", "square meters", "sq m", "m2", "m²")
    add("mph", "speed", 0.44704, "miles per hour", "miles an hour")
    add("km/h", "speed", 1 / 3.6, "kph", "kmh", "kilometres per hour", "kilometers per hour", "kilometres an hour")
    add("litre", "volume", 1.0, "litres", "liter", "liters")
    add("millilitre", "volume", 0.001, "millilitres", "milliliters", "ml")
    add("gallon", "volume", 4.54609, "gallons")  # imperial: the UK press's gallon
    add("watt", "power", 1.0, "watts")
    add("kilowatt", "power", 1e3, "kilowatts", "kw")
    add("megawatt", "power", 1e6, "megawatts", "mw")
    add("gigawatt", "power", 1e9, "gigawatts", "gw")
    add("kilowatt-hour", "energy", 1e3, "kilowatt-hours", "kilowatt hours", "kwh")
    add("megawatt-hour", "energy", 1e6, "megawatt-hours", "megawatt hours", "mwh")
    add("gigawatt-hour", "energy", 1e9, "gigawatt-hours", "gigawatt hours", "gwh")
    add("terawatt-hour", "energy", 1e12, "terawatt-hours", "terawatt hours", "twh")
    # Temperatures are not converted (the scales are affine); each scale is its own dimension.
    add("°C", "temperature-c", 1.0, "°c", "c", "degrees celsius", "degrees centigrade", "celsius")
    add("°F", "temperature-f", 1.0, "°f", "f", "degrees fahrenheit", "fahrenheit")
    # Percent is a ratio (10% = 0.1, so "half" and "50%" agree); percentage points are kept apart.
    add("%", "ratio", 0.01, "per cent", "percent", "pc", "per-cent")
    add("point", "points", 1.0, "points", "percentage point", "percentage points", "pts", "pt")
    add("basis point", "points", 0.01, "basis points", "bps", "bp")
    return table


UNITS: dict[str, Unit] = _units()

# Units that may be glued to a number ("10km", "5kg", "50p" is a currency): the rest need a space.
GLUED_UNITS = frozenset(
    [
        "km",
        "kms",
        "cm",
        "mm",
        "m",
        "mi",
        "ft",
        "kg",
        "kgs",
        "g",
        "lb",
        "lbs",
        "mph",
        "kph",
        "kmh",
        "ha",
        "kw",
        "mw",
        "gw",
        "kwh",
        "mwh",
        "gwh",
        "twh",
        "bps",
        "%",
        "°c",
        "°f",
    ]
)

# Currency -> (canonical code, factor to one unit of it). Symbols come before the number, words after.
CURRENCY_SYMBOLS: dict[str, str] = {
    "£": "GBP",
    "#": "GBP",  # tokenised XSum's pound sign ("# 2m"), only with a space after it (see extract)
    "$": "USD",
    "us$": "USD",
    "€": "EUR",
    "¥": "JPY",
    "a$": "AUD",
    "au$": "AUD",
    "c$": "CAD",
    "ca$": "CAD",
    "hk$": "HKD",
    "nz$": "NZD",
    "₹": "INR",
    "gbp": "GBP",
    "usd": "USD",
    "eur": "EUR",
    "jpy": "JPY",
    "chf": "CHF",
    "aud": "AUD",
    "cad": "CAD",
    "inr": "INR",
    "cny": "CNY",
    "rs": "INR",
}
CURRENCY_WORDS: dict[str, tuple[str, float]] = {
    "pound": ("GBP", 1.0),
    "pounds": ("GBP", 1.0),
    "sterling": ("GBP", 1.0),
    "pounds sterling": ("GBP", 1.0),
    "pence": ("GBP", 0.01),
    "p": ("GBP", 0.01),
    "dollar": ("USD", 1.0),
    "dollars": ("USD", 1.0),
    "cent": ("USD", 0.01),
    "cents": ("USD", 0.01),
    "euro": ("EUR", 1.0),
    "euros": ("EUR", 1.0),
    "yen": ("JPY", 1.0),
    "yuan": ("CNY", 1.0),
    "rupee": ("INR", 1.0),
    "rupees": ("INR", 1.0),
    "francs": ("CHF", 1.0),
}

# Scale words and suffixes. "m" and "b" are scales only glued to a number ("£500m", "6.1m"), see extract.
SCALE_WORDS: dict[str, float] = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
}
SCALE_SUFFIXES: dict[str, float] = {
    "k": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "tn": 1e12,
    "trn": 1e12,
}

# Approximation qualifiers -> the direction they give the figure:
# "above" (> or >=, the figure is a lower bound), "below" (< or <=, an upper bound), "approx" (either side),
# "strict" marks bounds that exclude the figure itself (so an exact figure contradicts them).
QUALIFIERS: dict[str, tuple[str, bool]] = {
    "more than": ("above", True),
    "over": ("above", True),
    "above": ("above", True),
    "in excess of": ("above", True),
    "upwards of": ("above", True),
    "exceeding": ("above", True),
    "just over": ("above", True),
    "at least": ("above", False),
    "no fewer than": ("above", False),
    "no less than": ("above", False),
    "a minimum of": ("above", False),
    "fewer than": ("below", True),
    "less than": ("below", True),
    "under": ("below", True),
    "below": ("below", True),
    "just under": ("below", True),
    "up to": ("below", False),
    "at most": ("below", False),
    "no more than": ("below", False),
    "a maximum of": ("below", False),
    "as many as": ("below", False),
    "as much as": ("below", False),
    # "nearly 10%" says "a little under 10%": it contradicts a lower bound, but not the plain figure.
    "nearly": ("below", False),
    "almost": ("below", False),
    "close to": ("approx", False),
    "about": ("approx", False),
    "around": ("approx", False),
    "roughly": ("approx", False),
    "approximately": ("approx", False),
    "some": ("approx", False),
    "an estimated": ("approx", False),
    "estimated": ("approx", False),
    "circa": ("approx", False),
    "c.": ("approx", False),
    "more or less": ("approx", False),
}

MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)

# Words that may precede a spelled-out ordinal for it to count ("the first meeting", "its third"): a bare
# "first" ("First, ...", "at first") is discourse, not a rank.
ORDINAL_DETERMINERS = frozenset(
    ["the", "a", "an", "its", "his", "her", "their", "our", "my", "your", "this", "that", "'s", "’s"]
)

# A capitalised word then a number below 1000 is a name ("Windows 10", "Article 50", "Formula 1") unless the
# word is one of these (sentence-initial words are checked separately).
NOT_NAMES = MONTHS | frozenset(
    [
        "about",
        "around",
        "nearly",
        "almost",
        "over",
        "some",
        "more",
        "fewer",
        "less",
        "up",
        "at",
        "just",
        "only",
        "and",
        "or",
        "than",
        "by",
        "of",
        "to",
        "from",
        "in",
        "on",
        "for",
        "with",
        "all",
        "the",
        "a",
        "an",
        "just",
        "under",
        "between",
    ]
)

# Words skipped when taking a quantity's context word (the noun it counts).
STOPWORDS = frozenset(
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
        "as",
        "than",
        "that",
        "this",
        "these",
        "those",
        "its",
        "their",
        "his",
        "her",
        "our",
        "per",
        "each",
        "who",
        "which",
        "were",
        "was",
        "are",
        "is",
        "be",
        "been",
        "more",
        "less",
        "about",
        "around",
        "nearly",
        "almost",
        "some",
        "over",
        "under",
    ]
)

# Words that mark "3-1", "27-13" as a result rather than a range when next to it ("a 1-2 defeat", "lost 0-1").
RESULT_WORDS = frozenset(
    [
        "win",
        "wins",
        "won",
        "winning",
        "beat",
        "beats",
        "beating",
        "victory",
        "victories",
        "draw",
        "draws",
        "drew",
        "drawn",
        "defeat",
        "defeats",
        "defeated",
        "lose",
        "loses",
        "lost",
        "losing",
        "loss",
        "losses",
        "lead",
        "leads",
        "led",
        "leading",
        "trail",
        "trails",
        "trailed",
        "trailing",
        "score",
        "scores",
        "scored",
        "scoreline",
        "result",
        "thrashing",
        "thrashed",
        "hammered",
        "hammering",
        "edged",
        "edge",
        "routed",
        "rout",
        "victors",
    ]
)

# Plain bounds: a source figure that satisfies one backs it ("at least 20" for 23). Not the hedges ("nearly",
# "as many as", "just over"), which say the figure is close to the bound.
BOUNDS = frozenset(
    [
        "more than",
        "over",
        "above",
        "in excess of",
        "upwards of",
        "exceeding",
        "at least",
        "no fewer than",
        "no less than",
        "a minimum of",
        "fewer than",
        "less than",
        "under",
        "below",
        "up to",
        "at most",
        "no more than",
        "a maximum of",
    ]
)
# Qualifiers that are as often prepositions ("a row over three laws", "under two managers"): never a bound
# contradiction against the same figure given exactly.
PREPOSITION_QUALIFIERS = frozenset(["over", "under"])

# Superlatives that do not end in -est, and -est words that are not superlatives, for rank claims ("one of
# the best", "one of the first"; not "one of the interests").
SUPERLATIVES = frozenset(["best", "worst", "first", "last", "top", "leading", "foremost"])
NOT_SUPERLATIVES = frozenset(
    [
        "interest",
        "interests",
        "forest",
        "honest",
        "modest",
        "west",
        "protest",
        "contest",
        "request",
        "arrest",
        "harvest",
        "suggest",
        "manifest",
        "conquest",
        "dishonest",
        "inquest",
        "midwest",
        "southwest",
        "northwest",
        "priest",
        "tempest",
        "earnest",
        "behest",
        "digest",
        "invest",
    ]
)
