"""The certainty lexicon: hedges by category, boosters, negation cues and the idioms that are not negations.

Written for this harness from how English news reports, hedges and asserts (no list was copied). Entries
are regular expressions matched case-insensitively on whole words, after curly apostrophes are made
straight; within a category, longer phrases come first so that "it is understood that" is one cue, not
"understood". Categories:

- ``attribution`` (evidential): the claim is someone's report, not the writer's assertion: "it is
  understood", "reportedly", "allegedly", "is said / thought / believed to", "sources said", "according
  to", "claimed", and the verbs of saying news uses to attribute ("said", "told", "stated", "announced",
  "insisted", ...). Dropping one states as fact what the source only reports.
- ``modality`` (expectation and epistemic modality): "is expected to", "may", "might", "could", "likely",
  "possibly", "probably", "perhaps", "appears / seems to", "is set to", "predicted".
- ``estimation``: "estimated", "projected", "forecast", and approximators of a figure: "about", "around",
  "some", "roughly", "approximately" before a number, "nearly", "almost", "or so".
- ``booster`` (raises certainty): "it is clear", "clearly", "certainly", "definitely", "undoubtedly",
  "confirmed", "in fact", "obviously", "of course", "no doubt", "proved", "shows that".

Deliberately left out: "would" (reported speech's back-shifted "will", and conditionals: too common to read
as a hedge), "should", "must", "can", "if" (conditions), "promised", "added" ("added 300 jobs"), "states"
("United States"), and "says" nouns such as "statement". "May" is the modal only when not capitalised
mid-sentence (the month, "Theresa May"); that check is made by the caller on the original text.
"""

from __future__ import annotations

import re

VERSION = "1"

_BE = r"(?:is|are|was|were|be|been|being)"
_IT_BE = r"it(?: is| was| has been| had been|'s)"  # "it's" has no space before its verb
_NUMBER = (
    r"(?:[£$€]?\d|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty"
    r"|fifty|sixty|seventy|eighty|ninety|hundred|a hundred|thousand|a thousand|million|a million|billion|dozen|a dozen"
    r"|half|a half|a third|a quarter|third|quarter)\b)"
)

CATEGORIES: dict[str, list[str]] = {
    "attribution": [
        rf"{_IT_BE} (?:widely |generally )?(?:understood|thought|believed|said|claimed|alleged|reported|rumou?red"
        r"|suggested|feared|assumed)(?: that)?",
        rf"{_BE} (?:widely |generally )?(?:understood|thought|believed|said|claimed|alleged|reported|rumou?red"
        r"|suspected|feared|assumed|understood) to",
        r"(?:informed |senior |security |government |police |diplomatic |official |industry )?sources?"
        r" (?:said|say|says|told|claimed?|suggested?|indicated?)",
        r"according to",
        r"reportedly|allegedly|purportedly|supposedly|reputedly|apparently|ostensibly",
        r"alleged|alleges?|alleging|suspected|accused of|unconfirmed|unverified",
        r"claim(?:s|ed|ing)?",
        r"reports? (?:say|says|said|suggest|suggests|suggested|claim|claimed)|reported(?: that)?",
        r"said|says|say|saying",
        r"told|tells|tell",
        r"stated|stating",
        r"announc(?:ed|es|ing) that",
        r"insist(?:s|ed|ing)|argu(?:e|es|ed|ing)|explain(?:s|ed|ing)|warn(?:s|ed|ing)|mention(?:s|ed|ing)",
        r"noted|believes|believed|denie[sd]|deny(?:ing)?|maintain(?:s|ed) that|contend(?:s|ed)?",
        r"suggest(?:s|ed|ing)? that|indicat(?:es|ed|ing) that",
    ],
    "modality": [
        rf"{_BE} (?:widely )?expected to",
        r"expect(?:s|ed|ing)?|expectations?",
        rf"{_BE} (?:set|poised|tipped|on course|on track|likely|unlikely|due) to",
        r"likely|unlikely|probabl[ey]|possibl[ey]|perhaps|maybe|potential(?:ly)?|presumably|conceivably",
        r"(?:appear|seem)(?:s|ed)? to|it (?:appears|appeared|seems|seemed)|seemingly",
        r"may|might|could",
        r"predict(?:s|ed|ing|ions?)?|anticipat(?:es?|ed|ing)",
    ],
    "estimation": [
        r"an estimated|estimat(?:e|es|ed|ing|ion|ions)",
        r"projected|projections?|forecasts?|forecasted",
        r"nearly|almost|approximately|roughly|circa|more or less|or so|in the region of|the best part of",
        # The figure itself is not part of the cue: it is what the cue bears on (its scope).
        rf"(?:about|around|some|close to|an? approximate)(?= {_NUMBER})",
    ],
    "booster": [
        rf"{_IT_BE} (?:now )?(?:clear|certain|evident|obvious|undeniable|indisputable|beyond doubt)(?: that)?",
        rf"(?:{_BE}|became|become|becomes) (?:now )?(?:clear|certain|sure) (?:that|to)",
        r"made (?:it )?clear",
        r"clearly|certainly|definitely|definitively|undoubtedly|undeniably|unquestionably|indisputably",
        r"obviously|surely|inevitabl[ey]|of course|in fact|indeed|for sure",
        r"no doubt|without (?:a |any )?doubt|beyond (?:any |all )?doubt",
        r"confirm(?:s|ed|ing)?|confirmation",
        r"prov(?:ed|en|es) that|proven|(?:shows?|showed|shown|demonstrat(?:es|ed)) that",
        r"guarantee[sd]?",
    ],
}
HEDGES = ("attribution", "modality", "estimation")

# Negation cues for the polarity check; "n't" is matched glued ("don't") or split off ("do n't", as the PTB
# tokeniser writes it).
NEGATIONS = r"not|no one|no|never|none|nobody|nothing|neither|nor|nowhere|without|cannot|n't"
# Phrases with a negation word that do not negate the clause; matched first, so their words are not counted.
NOT_NEGATIONS = (
    r"not least|not only|not just|not merely|not to mention|no doubt|without (?:a |any )?doubt|no matter"
    r"|nothing but|never mind|no sooner|not bad|no less than|not a little|none other than|no wonder"
    r"|can(?:no|')?t help but|second to none|whether or not|or not|not long (?:before|after)"
)
# The same for a glued "n't" ("It wasn't long before ...").
NOT_NEGATIONS_GLUED = r"n't long (?:before|after)|n't help but"


def compile_cues() -> re.Pattern[str]:
    """One pattern with a named group per category; alternatives in the order above (first match wins)."""
    groups = [
        f"(?P<{category}>{'|'.join(f'(?:{entry})' for entry in entries)})" for category, entries in CATEGORIES.items()
    ]
    return re.compile(r"(?<![\w'-])(?:" + "|".join(groups) + r")(?![\w-])", re.IGNORECASE)


def compile_negations() -> re.Pattern[str]:
    """Idioms before negations, so an idiom's words are consumed; a negation is group ``negation`` or
    ``glued``."""
    return re.compile(
        rf"(?<![\w'-])(?:{NOT_NEGATIONS})(?![\w-])|(?<=\w)(?:{NOT_NEGATIONS_GLUED})(?![\w-])"
        rf"|(?<![\w'-])(?P<negation>{NEGATIONS})(?![\w-])|(?P<glued>(?<=\w)n't)(?![\w-])",
        re.IGNORECASE,
    )
