"""When a source supports a candidate's entity, and when a candidate keeps a source's entity.

Two matchers:

- ``strict`` (the default): an entity is its whole normalised form, found as whole words. The form drops a
  leading "the" and a possessive ("the Home Office" -> "Home Office", "Charles's" -> "Charles"), edge
  punctuation and diacritics, and is compared case-insensitively, except that a form of at most three
  capitals ("US", "UK", "EU", "WHO") must match in capitals, so the pronoun "us" never supports "US".
  A small alias table makes "UK", "United Kingdom", "Britain" and the adjective "British" one entity
  (likewise "US" / "United States" / "American", "EU" / "European Union"); a person is also matched by
  surname alone ("Cleverly" for "James Cleverly"), in capitals, so the adverb "cleverly" does not count.
  In a text without any capitals (CNN/DM summaries as tokenised for training are lower-cased) these capital
  rules fall back to case-insensitive matching.
- ``nan2021``: the lenient matcher of Nan et al. 2021 (EACL, "Entity-level Factual Consistency of Abstractive
  Text Summarization"), as their released code (amazon-science/fact-check-summarization, ``entity_match``
  level 2) applies it: an entity is supported if any run of two or more of its words, longest first, occurs
  anywhere in the other text, case-insensitively and not necessarily as whole words ("Olympic Games" is
  supported by "Olympic" inside "Olympics"), or failing that any single word that is not a spaCy stop word
  (or is "US") does.

Source entities are grouped into one entity per canonical form (a person per surname), so that "James
Cleverly" and "Cleverly" are two mentions of one person. An entity is *salient* when it is mentioned at
least twice or in the first three sentences (lead-3 is the classic summary of a news article).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from metrics.entities.ner import Analysis, Mention

VERSION = "1"
MODES = ("strict", "nan2021")
MIN_MENTIONS = 2
ALIASES = (
    ("united kingdom", "uk", "u.k.", "britain", "great britain", "british"),
    ("united states", "us", "u.s.", "usa", "u.s.a.", "united states of america", "america", "american"),
    ("european union", "eu", "e.u."),
)
_CANONICAL = {form: group[0] for group in ALIASES for form in group}
_GROUP = {group[0]: group for group in ALIASES}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_POSSESSIVE = re.compile(r"(?:'s|')$", re.IGNORECASE)
_EDGE = re.compile(r"^[\W_]+|[^\w.]+$|(?<!\.\w)\.$")
_THE = re.compile(r"^the(?:\s+|$)", re.IGNORECASE)
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def fold(text: str) -> str:
    """NFKC, straight apostrophes, no diacritics, single spaces: how texts and forms are compared."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFD", text)
    text = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return " ".join(text.split())


def form(mention_text: str) -> str:
    """The entity's comparable form: folded, without a leading "the", a possessive or edge punctuation."""
    text = fold(mention_text)
    for _ in range(2):  # "the Queen's" -> "Queen's" -> "Queen"; "“Darmanin’s”" -> "Darmanin"
        text = _EDGE.sub("", _POSSESSIVE.sub("", _THE.sub("", text)))
    return text


def _acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return 0 < len(letters) <= 3 and all(c.isupper() for c in letters)


@lru_cache(maxsize=65536)
def _pattern(text: str, case: bool) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)", 0 if case else re.IGNORECASE)


def surname(text: str) -> str | None:
    """The last word of a person's form, without Jr./Sr./III; None for a one-letter word."""
    words = [w for w in text.split() if w.lower() not in _SUFFIXES]
    last = words[-1] if words else ""
    return last if len(last) >= 2 else None


def variants(text: str) -> tuple[str, ...]:
    """The form and its aliases."""
    group = _GROUP.get(_CANONICAL.get(text.casefold(), ""))
    if group is None:
        return (text,)
    return tuple(dict.fromkeys([text, *(g.upper() if len(g.replace(".", "")) <= 3 else g for g in group)]))


def cased(text: str) -> bool:
    """Whether ``text`` has capitals at all: a lower-cased text (CNN/DM as tokenised for training, say) carries
    no case to compare, so in it the capital-sensitive rules fall back to case-insensitive matching."""
    return any(c.isupper() for c in text)


def occurs(text: str, within: str, *, within_cased: bool = True) -> bool:
    """``text`` (a form) occurs as whole words in ``within`` (folded), capital-sensitive for short acronyms."""
    return bool(text) and _pattern(text, within_cased and _acronym(text)).search(within) is not None


def supported(mention: Mention, within: str, *, within_cased: bool = True) -> bool:
    """Strict matcher: the mention's form, an alias, or a person's surname occurs in ``within`` (folded)."""
    text = form(mention.text)
    last = surname(text) if mention.label == "PERSON" else None
    if last is not None:
        case = within_cased and cased(last)
        if _pattern(last, case).search(within) is not None:
            return True
    # A one-word person ("Cleverly") is its surname: matched in capitals above, not case-insensitively here.
    return last != text and any(occurs(v, within, within_cased=within_cased) for v in variants(text))


def key(mention: Mention) -> str:
    """The entity a source mention belongs to: its canonical alias, a person's surname, or its form."""
    text = form(mention.text)
    if mention.label == "PERSON":
        return (surname(text) or text).casefold()
    return _CANONICAL.get(text.casefold(), text.casefold())


@dataclass(frozen=True)
class Entity:
    """A source entity: its mentions, and whether it is salient."""

    key: str
    mentions: tuple[Mention, ...]
    salient: bool

    @property
    def name(self) -> str:
        """The longest form it is mentioned by ("James Cleverly" rather than "Cleverly")."""
        return max((form(m.text) for m in self.mentions), key=len)

    @property
    def label(self) -> str:
        return Counter(m.label for m in self.mentions).most_common(1)[0][0]


def entities(analysis: Analysis) -> list[Entity]:
    """The source's entities in order of first mention, each marked salient or not."""
    groups: dict[str, list[Mention]] = {}
    for mention in analysis.mentions:
        if form(mention.text):
            groups.setdefault(key(mention), []).append(mention)
    return [
        Entity(k, tuple(ms), len(ms) >= MIN_MENTIONS or ms[0].start < analysis.lead_end) for k, ms in groups.items()
    ]


def kept(entity: Entity, within: str, *, within_cased: bool = True) -> bool:
    """Strict matcher: the candidate (folded) mentions the source entity by any of its forms or aliases."""
    return any(supported(m, within, within_cased=within_cased) for m in entity.mentions)


# --- Nan et al. 2021 ------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _contains(piece: str, text: str) -> bool:
    return re.search(re.escape(piece), text, re.IGNORECASE) is not None


def nan2021_match(entity_text: str, text: str) -> bool:
    """Nan et al. 2021's ``entity_match(ent, source, level=2)``: True when it returns a non-empty list."""
    words = entity_text.split()
    for length in range(len(words), 1, -1):
        if any(_contains(" ".join(words[i : i + length]), text) for i in range(len(words) - length + 1)):
            return True
    stop = _stop_words()
    return any((w.lower() not in stop or w == "US") and _contains(w, text) for w in words)


def nan2021_kept(entity: Entity, text: str) -> bool:
    """Nan et al.'s matcher applied the other way round: some mention of the source entity is in ``text``."""
    return any(nan2021_match(m.text, text) for m in entity.mentions)


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order, without repeats."""
    return list(dict.fromkeys(items))
