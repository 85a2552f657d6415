"""Named entities for the entity probes: the candidate's and the source's, from the entities metric's tagger.

Replacements for :mod:`harness.probe.probes.entity_out` come from a fixed pool per entity type, of real names
that news about any topic could plausibly contain, none of them in the seed article; a name the source or
the candidate already mentions is never chosen.
"""

from __future__ import annotations

import re
from functools import lru_cache

from metrics.entities import match, ner

POOL = {
    "PERSON": ("Margaret Okonkwo", "Henrik Vollmer", "Priya Raman", "Tomás Ferreira", "Ingrid Halvorsen"),
    "GPE": ("Portugal", "Norway", "Canada", "Vienna", "Nairobi", "Chile"),
    "ORG": ("Interpol", "Unilever", "Greenpeace", "Oxfam", "Europol"),
    "NORP": ("Norwegian", "Brazilian", "Danish", "Chilean", "Austrian"),
    "LOC": ("Lake Geneva", "Siberia", "Patagonia", "the Sahara", "the Alps"),
    "FAC": ("Heathrow Airport", "Wembley Stadium", "Schiphol Airport", "the Golden Gate Bridge"),
    "EVENT": ("the Tour de France", "Wimbledon", "the Glastonbury Festival", "the Winter Olympics"),
}
_POSSESSIVE = re.compile(r"(?:['\u2019]s|['\u2019])$")


@lru_cache(maxsize=4096)
def mentions(text: str) -> tuple[ner.Mention, ...]:
    """The text's entity mentions (PERSON, FAC, GPE, ORG, NORP, LOC, EVENT) with a non-empty form."""
    (analysis,) = ner.analyse([text], lead=False)
    return tuple(m for m in analysis.mentions if match.form(m.text))


def name_span(mention: ner.Mention) -> tuple[int, int]:
    """The mention's span without a trailing possessive, so "France's" becomes "Norway's", not "Norway"."""
    cut = _POSSESSIVE.search(mention.text)
    return mention.start, mention.end - (len(cut.group()) if cut else 0)


def mentioned(name: str, text: str) -> bool:
    """``text`` mentions ``name`` (whole words, case-insensitive, diacritics folded)."""
    return match.occurs(match.form(name), match.fold(text))
