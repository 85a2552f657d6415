"""Quote fidelity: are the rewrite's quotes the source's words, and are the source's quotes kept as quotes?

Rewriting models put quote marks around their own paraphrases and turn quotes into paraphrase; overlap
metrics see neither (wrapping a paraphrase in quote marks even raises ROUGE). Quotes are found by
:mod:`metrics.quotes.extract` and classified by :mod:`metrics.quotes.match` (definitions there):

- ``quotes_precision``: share of the candidate's quotes that are ``verbatim`` in the source (1.0 when it
  quotes nothing). Higher is better.
- ``quotes_kept``: share of the source's quotes of at least two words that the candidate keeps *quoted*
  (1.0 when the source quotes nothing). Higher is better; a summary may drop quotes legitimately, so this
  is a rewrite's check more than a summary's.
- ``quotes_altered``, ``quotes_fabricated``: counts of candidate quotes whose words differ from the closest
  source passage (token F1 >= 0.5) or match none. Lower is better.

``score_with_details`` returns per example ``candidate_quotes`` (each with its span in the candidate, class,
token F1, the source span it matched and, for ``altered``, the token diff), ``source_quotes`` (span and
class: ``kept_quoted``, ``kept_unquoted``, ``paraphrased_or_dropped``) and ``flags``
(``candidate_unbalanced_quotes``/``source_unbalanced_quotes`` when marks did not pair up).

Limits: the comparison is lexical and ignores case, punctuation inside a quote only where it is at its edges,
and speaker attribution (a verbatim quote given to the wrong person is still ``verbatim``); straight single
quotes are read only with ``straight_single=True``; quotes that span lines are read line by line. Each source is
analysed once per metric instance (quotes, normalised text, token index; an LRU of ``cache_size`` sources),
since it is scored against every system.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from harness.errors import HarnessError
from harness.scoring.registry import Metric, check_lengths, register
from metrics.quotes import extract as _extract
from metrics.quotes import match as _match

_KEYS = ["quotes_precision", "quotes_kept", "quotes_altered", "quotes_fabricated"]
_COUNTS = frozenset({"quotes_altered", "quotes_fabricated"})


@register
class Quotes(Metric):
    """Verbatim share of the candidate's quotes, kept share of the source's, and altered/fabricated counts."""

    name = "quotes"
    description = "share of the rewrite's quotes verbatim in the source (P) and of the source's quotes kept quoted"

    def __init__(
        self,
        *,
        altered_f1: float = 0.5,
        copied_f1: float = 0.9,
        min_words: int = 2,
        straight_single: bool = False,
        cache_size: int = 4096,
    ) -> None:
        for option, value in (("altered_f1", altered_f1), ("copied_f1", copied_f1)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise HarnessError(f"quotes: {option!r} must be a number in (0, 1], got {value!r}")
        if isinstance(min_words, bool) or not isinstance(min_words, int) or min_words < 1:
            raise HarnessError(f"quotes: 'min_words' must be an integer >= 1, got {min_words!r}")
        if not isinstance(straight_single, bool):
            raise HarnessError(f"quotes: 'straight_single' must be true or false, got {straight_single!r}")
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 0:
            raise HarnessError(f"quotes: 'cache_size' must be an integer >= 0, got {cache_size!r}")
        self.options = _match.Options(float(altered_f1), float(copied_f1), min_words, straight_single)
        # source text -> its analysis (quotes, normalised text, token index); LRU, most recent sources kept.
        self.cache_size = cache_size
        self._sources: OrderedDict[str, _match.Analysed] = OrderedDict()

    def keys(self) -> list[str]:
        return list(_KEYS)

    def bounds(self, key: str) -> tuple[float, float]:
        return (0.0, math.inf) if key in _COUNTS else (0.0, 1.0)

    def direction(self, key: str) -> str:
        return "lower" if key in _COUNTS else "higher"

    def signature(self) -> str:
        options = self.options
        marks = "double:curly,straight,guillemet,ptb;single:curly" + (",straight" if options.straight_single else "")
        return "|".join(
            [
                "quotes",
                f"extract:{_extract.VERSION}",
                f"match:{_match.VERSION}",
                f"marks:{marks}",
                "norm:nfkd-casefold-dash-space-edge",
                f"altered:f1>={options.altered_f1:g}",
                f"copied:f1>={options.copied_f1:g}",
                f"min-words:{options.min_words}",
            ]
        )

    def source(self, text: str) -> _match.Analysed:
        """The analysed source, cached by text: a source is scored against every system of a run."""
        found = self._sources.get(text)
        if found is not None:
            self._sources.move_to_end(text)
            return found
        analysed = _match.analyse(text, self.options.straight_single)
        if self.cache_size:
            self._sources[text] = analysed
            if len(self._sources) > self.cache_size:
                self._sources.popitem(last=False)
        return analysed

    def score_with_details(
        self, *, sources: Sequence[str], candidates: Sequence[str]
    ) -> tuple[list[dict[str, float]], list[dict[str, Any]] | None]:
        check_lengths(self.name, sources, candidates)
        rows: list[dict[str, float]] = []
        details: list[dict[str, Any]] = []
        single = self.options.straight_single
        for source, candidate in zip(sources, candidates):
            found = _match.compare(self.source(source), _match.analyse(candidate, single), self.options)
            rows.append(
                {
                    "quotes_precision": found.precision,
                    "quotes_kept": found.kept,
                    "quotes_altered": float(found.altered),
                    "quotes_fabricated": float(found.fabricated),
                }
            )
            details.append(
                {
                    "candidate_quotes": found.candidate_quotes,
                    "source_quotes": found.source_quotes,
                    "flags": found.flags,
                }
            )
        return rows, details
