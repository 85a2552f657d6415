"""Tokenizers for extractive fragments: spaCy's English rule-based tokenizer, no statistical model needed.

Newsroom (Grusky et al. 2018) and SummEval's ``DataStatsMetric`` tokenise with spaCy's English tokenizer
(through ``en_core_web_sm`` with every pipe disabled, so only the tokenizer runs). Two settings:

- ``default``: the installed spaCy 3's English tokenizer exactly, ``spacy.blank("en").tokenizer``.
- ``summeval``: the same, with spaCy 2's infix rule for hyphens. spaCy 3.0 added digits to the left context
  of the hyphen infix for English (explosion/spaCy#5770: ``(?<=[{a}0-9])(?:{h})(?=[{a}])``), so spaCy 3 splits
  "28-year-old" into ``28 - year - old`` where spaCy 2 gave ``28-year - old``. SummEval's published golden
  values (``evaluation/tests/test_data_stats.py``) were made with spaCy 2 and reproduce only with spaCy 2's
  rule (``(?<=[{a}])(?:{h})(?=[{a}])``, the generic rule spaCy 2's English used). Only that rule is changed:
  spaCy 3 also dropped a few tokenizer exceptions (e.g. ``")`` as one token, ``May.``, ``theses`` split as
  ``these s``) that are not restored, so on other texts this mode is close to spaCy 2, not equal to it
  (docs/metrics/extractiveness.md: agreement measured on 6,259 SummEval and FRANK texts).

``default`` also drops spaCy's whitespace tokens (newlines, extra spaces); ``summeval`` keeps them, as
SummEval does (see :func:`tokenize`).

A tokenised text keeps each token's normalised form (lower-cased with ``str.lower`` unless the metric is
case-sensitive, as Newsroom's ``normalize``) and its character span, so fragments can be shown in the text.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from harness.errors import HarnessError

DEFAULT = "default"
SUMMEVAL = "summeval"
TOKENIZERS = (SUMMEVAL, DEFAULT)


@dataclass(frozen=True)
class Tokens:
    """A tokenised text: its normalised tokens (strings; any hashable for the matcher) and each token's
    [start, end) character offsets."""

    norm: tuple[Hashable, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.norm)


def spacy_version() -> str:
    """The installed spaCy's version (part of the metric's signature: its rules change between releases)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("spacy")
    except PackageNotFoundError:
        raise _missing() from None


def _missing() -> HarnessError:
    return HarnessError(
        "extractiveness: spaCy is not installed; `pip install -c constraints.txt 'spacy>=3.7,<4'` "
        "(a dependency of the harness; only its rule-based English tokenizer is used, no model)"
    )


@lru_cache(maxsize=2)
def tokenizer(name: str) -> Any:
    """The spaCy tokenizer for ``name`` (built once per process; importing spaCy takes seconds)."""
    if name not in TOKENIZERS:
        raise HarnessError(f"extractiveness: unknown tokenizer {name!r}; use one of {', '.join(TOKENIZERS)}")
    try:
        import spacy
        from spacy.lang.char_classes import ALPHA, HYPHENS
        from spacy.util import compile_infix_regex
    except ImportError:
        raise _missing() from None
    nlp = spacy.blank("en")
    found: Any = nlp.tokenizer
    if name == SUMMEVAL:
        spacy3_rule = rf"(?<=[{ALPHA}0-9])(?:{HYPHENS})(?=[{ALPHA}])"
        spacy2_rule = rf"(?<=[{ALPHA}])(?:{HYPHENS})(?=[{ALPHA}])"
        infixes = list(nlp.Defaults.infixes or ())
        if spacy3_rule not in infixes:
            # A later spaCy changed its English infixes: the adjustment would silently do nothing.
            raise HarnessError(
                f"extractiveness: spaCy {spacy_version()} has no English hyphen infix rule to replace; "
                "tokenizer 'summeval' needs spaCy 3.x (use tokenizer: default)"
            )
        infixes[infixes.index(spacy3_rule)] = spacy2_rule
        found.infix_finditer = compile_infix_regex(infixes).finditer
    return found


def tokenize(text: str, name: str, *, case: bool) -> Tokens:
    """Tokenise ``text`` with tokenizer ``name``.

    spaCy keeps whitespace beyond a single space as tokens (a newline, a blank line, a double space).
    ``summeval`` keeps them, as Newsroom and SummEval do: SummEval's golden compression (31.9 = 319 / 10) counts
    its article's 7 newlines. ``default`` drops them: layout is not content, and kept, a rewrite that joins
    paragraphs differently (``lead-3`` joins its sentences with a space where the source has a blank line)
    would have "novel" tokens and bigrams that are only line breaks.
    """
    keep_space = name == SUMMEVAL
    norm: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for token in tokenizer(name)(text):
        if token.is_space and not keep_space:
            continue
        norm.append(token.orth_ if case else token.lower_)
        starts.append(token.idx)
        ends.append(token.idx + len(token))
    return Tokens(tuple(norm), tuple(starts), tuple(ends))
