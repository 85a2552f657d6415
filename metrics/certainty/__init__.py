"""Certainty shift: does the rewrite state as fact what the source only reports, expects or estimates?

"It is understood that" → "It is clear that" and "are expected to" → "will" change no figure and no name,
so overlap and numeric checks cannot see them, yet they tell readers something the source did not. Each
candidate sentence is aligned with its most similar source sentence (F2 of content words >= ``min_similarity``,
default 0.2; sentences below it are skipped), and the hedges (attribution, modality, estimation) and
boosters of our own lexicon (:mod:`metrics.certainty.lexicon`) are counted on both sides of each pair
(:mod:`metrics.certainty.compare` defines the shift). Keys, all lower is better:

- ``certainty_shift``: the sum over aligned pairs of their positive shifts (hedges dropped plus boosters
  added, net of hedges added);
- ``certainty_flags``: the number of aligned pairs with a positive shift;
- ``polarity_flips``: the number of aligned pairs whose negation counts differ in parity (idioms such as
  "not least", "not only", "no doubt" are not negations).

``score_with_details`` gives per example every aligned pair (character spans of the source sentence and of
its candidate sentences, similarity, shift, the cues dropped, added and replaced with their spans, cues
left out of scope, the negations of each side, and whether polarity flipped) and the unaligned candidate
sentences.

Limits: lexical, so a hedge the lexicon lacks is invisible and a cue word used in another sense ("could"
of past ability) counts; no syntax, so scope is approximated by neighbouring content words; a candidate
sentence far from every source sentence (a heavy paraphrase) is not compared; negation is counted, not
parsed (a double negative and a plain statement agree). Measured on the labelled set of
``tests/data/certainty/pairs.jsonl`` (docs/metrics/certainty.md). Each source is analysed once per metric
instance (an LRU of ``cache_size`` sources), however many systems are scored against it.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from harness.errors import HarnessError
from harness.scoring.registry import Metric, check_lengths, register
from metrics.certainty import analyse as _analyse
from metrics.certainty import compare as _compare
from metrics.certainty import lexicon as _lexicon

_KEYS = ["certainty_shift", "certainty_flags", "polarity_flips"]


@register
class Certainty(Metric):
    """Hedges dropped and boosters added per aligned sentence pair, flagged pairs, and polarity flips."""

    name = "certainty"
    description = "hedges the rewrite drops and boosters it adds against the source sentence, and negation flips"
    higher_is_better = False

    def __init__(self, *, min_similarity: float = 0.2, cache_size: int = 4096) -> None:
        if (
            isinstance(min_similarity, bool)
            or not isinstance(min_similarity, (int, float))
            or not 0 < min_similarity <= 1
        ):
            raise HarnessError(f"certainty: 'min_similarity' must be a number in (0, 1], got {min_similarity!r}")
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 0:
            raise HarnessError(f"certainty: 'cache_size' must be an integer >= 0, got {cache_size!r}")
        self.min_similarity = float(min_similarity)
        # source text -> its sentences, cues and word index; LRU, so a long task keeps its most recent sources.
        self.cache_size = cache_size
        self._sources: OrderedDict[str, _analyse.Analysed] = OrderedDict()

    def keys(self) -> list[str]:
        return list(_KEYS)

    def bounds(self, key: str) -> tuple[float, float]:
        return (0.0, math.inf)

    def signature(self) -> str:
        return "|".join(
            [
                "certainty",
                f"lexicon:{_lexicon.VERSION}",
                f"analyse:{_analyse.VERSION}",
                f"compare:{_compare.VERSION}",
                "split:regex",
                f"align:f2>={self.min_similarity:g}",
                f"scope:{_analyse.SCOPE}",
                "booster:not-negated",
            ]
        )

    def source(self, text: str) -> _analyse.Analysed:
        """The analysed source, cached by text: a source is scored against every system of a run."""
        found = self._sources.get(text)
        if found is not None:
            self._sources.move_to_end(text)
            return found
        analysed = _analyse.analyse(text)
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
        for source, candidate in zip(sources, candidates):
            found = _compare.compare(self.source(source), _analyse.analyse(candidate), self.min_similarity)
            rows.append(
                {
                    "certainty_shift": float(found.shift),
                    "certainty_flags": float(found.flags),
                    "polarity_flips": float(found.flips),
                }
            )
            details.append({"pairs": found.pairs, "unaligned": found.unaligned})
        return rows, details
