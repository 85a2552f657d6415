"""ROUGE (Lin 2004, "ROUGE: A Package for Automatic Evaluation of Summaries") through Google's rouge-score.

rouge-score reimplements ROUGE-1.5.5 (its README lists the options it equals: Porter stemming as ``-m``, no
stop-word removal, no length limit). Numbers here are exactly ``rouge_score.rouge_scorer.RougeScorer``'s:
rouge1/rouge2/rougeL are computed on the texts as given, and rougeLsum (summary-level union LCS, one
sentence per line) on the texts split into sentences by :mod:`harness.sentences` (``sentences:
lines+pysbd``, the default: newlines are boundaries and pysbd splits within lines), or on the texts' own
lines unchanged (``sentences: lines``, rouge-score's convention, for reproducing published numbers).

With the source as the reference, precision is the share of the rewrite that the source supports and
recall the share of the source the rewrite keeps. Both are reported, never only F.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from importlib.metadata import version
from typing import Any

from harness.errors import HarnessError
from harness.registry import Metric, check_lengths, register
from harness.sentences import split_sentences, splitter_name

DEFAULT_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
SENTENCE_MODES = ("lines+pysbd", "lines")
_TYPE = re.compile(r"rouge[1-9]|rougeL|rougeLsum")
# rouge-score's Score fields, in the order of the key suffixes _p, _r, _f.
_PARTS = (("p", "precision"), ("r", "recall"), ("f", "fmeasure"))


@lru_cache(maxsize=8192)
def _sentence_lines(text: str) -> str:
    """rougeLsum input: one sentence per line. Cached because one source is scored against many systems."""
    return "\n".join(split_sentences(text))


@register
class Rouge(Metric):
    """ROUGE-N precision, recall and F, ROUGE-L (one LCS) and ROUGE-Lsum (union LCS over sentences)."""

    name = "rouge"
    description = "ROUGE-1/2/L/Lsum precision, recall and F of the candidate against the source (rouge-score)"

    def __init__(
        self, *, types: Sequence[str] = DEFAULT_TYPES, use_stemmer: bool = True, sentences: str = "lines+pysbd"
    ) -> None:
        if not isinstance(types, (list, tuple)) or not types:
            raise HarnessError(f"rouge: 'types' must be a non-empty list, e.g. {list(DEFAULT_TYPES)}")
        for rouge_type in types:
            if not isinstance(rouge_type, str) or not _TYPE.fullmatch(rouge_type):
                raise HarnessError(f"rouge: unknown type {rouge_type!r}; use rouge1..rouge9, rougeL or rougeLsum")
        if len(set(types)) != len(types):
            raise HarnessError(f"rouge: duplicate entry in types {list(types)}")
        if not isinstance(use_stemmer, bool):
            raise HarnessError(f"rouge: 'use_stemmer' must be true or false, got {use_stemmer!r}")
        if sentences not in SENTENCE_MODES:
            raise HarnessError(f"rouge: 'sentences' must be one of {', '.join(SENTENCE_MODES)}, got {sentences!r}")
        self.types = tuple(types)
        self.sentences = sentences
        self.use_stemmer = use_stemmer
        self._scorers: dict[bool, Any] = {}

    def keys(self) -> list[str]:
        return [f"{rouge_type}_{part}" for rouge_type in self.types for part, _ in _PARTS]

    def signature(self) -> str:
        parts = [
            "rouge",
            f"types:{','.join(self.types)}",
            # rouge-score stems with nltk's Porter stemmer, whose output has changed between nltk releases.
            f"stem:{'porter-nltk-' + version('nltk') if self.use_stemmer else 'none'}",
            "tok:rouge_score-default",
        ]
        if "rougeLsum" in self.types:
            parts.append(f"split:{splitter_name() if self.sentences == 'lines+pysbd' else 'lines'}")
        parts.append(f"version:rouge_score-{version('rouge-score')}")
        return "|".join(parts)

    def _scorer(self, summary_level: bool) -> Any:
        if summary_level not in self._scorers:
            from rouge_score import rouge_scorer  # imports nltk: seconds, so only when scoring

            types = ["rougeLsum"] if summary_level else [t for t in self.types if t != "rougeLsum"]
            self._scorers[summary_level] = rouge_scorer.RougeScorer(types, use_stemmer=self.use_stemmer)
        return self._scorers[summary_level]

    def score(self, *, sources: Sequence[str], candidates: Sequence[str]) -> list[dict[str, float]]:
        check_lengths(self.name, sources, candidates)
        plain = [t for t in self.types if t != "rougeLsum"]
        rows: list[dict[str, float]] = []
        for source, candidate in zip(sources, candidates):
            # rouge-score's argument order is (target, prediction): the source is the target.
            found = self._scorer(False).score(source, candidate) if plain else {}
            if "rougeLsum" in self.types:
                if self.sentences == "lines":  # rouge-score's own convention: the text's lines as they are
                    found |= self._scorer(True).score(source, candidate)
                else:
                    found |= self._scorer(True).score(_sentence_lines(source), _sentence_lines(candidate))
            rows.append({f"{t}_{part}": float(getattr(found[t], field)) for t in self.types for part, field in _PARTS})
        return rows
