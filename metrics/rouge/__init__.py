"""ROUGE (Lin 2004, "ROUGE: A Package for Automatic Evaluation of Summaries"), equal to Google's rouge-score.

rouge-score reimplements ROUGE-1.5.5 (its README lists the options it equals: Porter stemming as ``-m``, no
stop-word removal, no length limit). With the default tokenizer the numbers here are exactly
``rouge_score.rouge_scorer.RougeScorer``'s, to the last bit, but computed by the harness's own
implementation, about 50x faster on article-length pairs (``benchmarks/rouge_speed.py``): bit-parallel LCS
(:mod:`metrics.rouge.lcs`), each distinct token stemmed once and each text tokenized once
(:mod:`metrics.rouge.tokens`), and rouge-score's formulas (:mod:`metrics.rouge.scores`). rouge-score stays a
dependency: the tests compare against it, and the signature names its version as the reference the
numbers equal.

rouge1/rouge2/rougeL are computed on the texts as given, and rougeLsum (summary-level union LCS, one
sentence per line) on the texts split into sentences by :mod:`harness.scoring.sentences` (``sentences:
lines+rules``, the default: newlines are boundaries and the harness's rule-based splitter cuts within lines;
``lines+pysbd``, the default before, cuts within lines with pysbd), or on the texts' own lines unchanged
(``sentences: lines``, rouge-score's convention, for reproducing published numbers).
``tokenizer: unicode`` keeps non-ASCII letters, which rouge-score's tokenizer deletes (see
:mod:`metrics.rouge.tokens`); its numbers are no longer rouge-score's, and its signature says so.

With the source as the reference, precision is the share of the rewrite that the source supports and
recall the share of the source the rewrite keeps. Both are reported, never only F.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from importlib.metadata import version

from harness.errors import HarnessError
from harness.scoring.registry import Metric, check_lengths, register
from harness.scoring.sentences import split_sentences, splitter_name
from harness.scoring.sizes import warn_size
from metrics.rouge.scores import (
    LcsReference,
    NgramReference,
    Score,
    SummaryReference,
    lcs_score,
    ngram_score,
    summary_lcs_score,
)
from metrics.rouge.tokens import ROUGE_SCORE, TOKENIZERS, tokenize, tokenize_lines, tokenizer_signature

DEFAULT_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
SENTENCE_MODES = ("lines+rules", "lines+pysbd", "lines")
_TYPE = re.compile(r"rouge[1-9]|rougeL|rougeLsum")
# The key suffixes, in the order of a Score: precision, recall, F.
_PARTS = ("p", "r", "f")
# Above this many (source tokens x candidate tokens), an LCS takes seconds to minutes (benchmarks/one_input_scale.py:
# ~1e9 per second for ROUGE-L, ~25x less for ROUGE-Lsum): warn, naming the sizes. A 4 MB source against a
# 100-token rewrite is 7e7.
LCS_WARN_PRODUCT = 10**10


@lru_cache(maxsize=8192)
def _sentence_lines(text: str, mode: str) -> str:
    """rougeLsum input: one sentence per line. Cached because one source is scored against many systems."""
    return "\n".join(split_sentences(text, mode.removeprefix("lines+")))


# The reference side of the LCS scores, prepared once per source: a source is scored against every system.
@lru_cache(maxsize=256)
def _lcs_reference(text: str, tokenizer: str, stem: bool) -> LcsReference:
    return LcsReference(tokenize(text, tokenizer, stem))


@lru_cache(maxsize=512)
def _ngram_reference(text: str, tokenizer: str, stem: bool, n: int) -> NgramReference:
    return NgramReference(tokenize(text, tokenizer, stem), n)


@lru_cache(maxsize=256)
def _summary_reference(lines: str, tokenizer: str, stem: bool) -> SummaryReference:
    return SummaryReference(tokenize_lines(lines, tokenizer, stem))


@register
class Rouge(Metric):
    """ROUGE-N precision, recall and F, ROUGE-L (one LCS) and ROUGE-Lsum (union LCS over sentences)."""

    name = "rouge"
    description = "ROUGE-1/2/L/Lsum precision, recall and F of the candidate against the source (rouge-score's numbers)"

    def __init__(
        self,
        *,
        types: Sequence[str] = DEFAULT_TYPES,
        use_stemmer: bool = True,
        sentences: str = "lines+rules",
        tokenizer: str = ROUGE_SCORE,
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
        if tokenizer not in TOKENIZERS:
            raise HarnessError(f"rouge: 'tokenizer' must be one of {', '.join(TOKENIZERS)}, got {tokenizer!r}")
        self.types = tuple(types)
        self.sentences = sentences
        self.use_stemmer = use_stemmer
        self.tokenizer = tokenizer

    def keys(self) -> list[str]:
        return [f"{rouge_type}_{part}" for rouge_type in self.types for part in _PARTS]

    def headline_keys(self) -> list[str]:
        # F of ROUGE-1, ROUGE-2 and ROUGE-Lsum, the three most papers report; else F of each type computed.
        wanted = [t for t in ("rouge1", "rouge2", "rougeLsum") if t in self.types] or list(self.types)
        return [f"{rouge_type}_f" for rouge_type in wanted]

    def signature(self) -> str:
        parts = [
            "rouge",
            f"types:{','.join(self.types)}",
            # rouge-score stems with nltk's Porter stemmer, whose output has changed between nltk releases.
            f"stem:{'porter-nltk-' + version('nltk') if self.use_stemmer else 'none'}",
            f"tok:{tokenizer_signature(self.tokenizer)}",
        ]
        if "rougeLsum" in self.types:
            split = "lines" if self.sentences == "lines" else splitter_name(self.sentences.removeprefix("lines+"))
            parts.append(f"split:{split}")
        # The implementation that computed the numbers, and the rouge-score release whose numbers they equal
        # (with the default tokenizer; the tests check it).
        parts.append(f"impl:harness-{version('harness')}")
        parts.append(f"version:rouge_score-{version('rouge-score')}")
        return "|".join(parts)

    def _score_pair(self, source: str, candidate: str) -> dict[str, Score]:
        """rouge-score's ``RougeScorer(types).score(target=source, prediction=candidate)``, rougeLsum on the
        sentence lines chosen by ``sentences``."""
        options = (self.tokenizer, self.use_stemmer)
        found: dict[str, Score] = {}
        for rouge_type in self.types:
            if rouge_type == "rougeLsum":
                if self.sentences == "lines":  # rouge-score's own convention: the text's lines as they are
                    source_lines, candidate_lines = source, candidate
                else:
                    source_lines = _sentence_lines(source, self.sentences)
                    candidate_lines = _sentence_lines(candidate, self.sentences)
                found[rouge_type] = summary_lcs_score(
                    _summary_reference(source_lines, *options), tokenize_lines(candidate_lines, *options)
                )
            elif rouge_type == "rougeL":
                found[rouge_type] = lcs_score(_lcs_reference(source, *options), tokenize(candidate, *options))
            else:
                n = int(rouge_type[5:])
                found[rouge_type] = ngram_score(_ngram_reference(source, *options, n), tokenize(candidate, *options), n)
        return found

    def score(self, *, sources: Sequence[str], candidates: Sequence[str]) -> list[dict[str, float]]:
        check_lengths(self.name, sources, candidates)
        rows: list[dict[str, float]] = []
        for index, (source, candidate) in enumerate(zip(sources, candidates)):
            if "rougeL" in self.types or "rougeLsum" in self.types:
                n, m = (len(tokenize(text, self.tokenizer, self.use_stemmer)) for text in (source, candidate))
                if n * m > LCS_WARN_PRODUCT:
                    warn_size(
                        f"rouge: example {index} pairs a source of {n:,} tokens ({len(source):,} characters) with a "
                        f"candidate of {m:,} tokens: the LCS of rougeL/rougeLsum costs their product ({n * m:.1e}), "
                        "minutes at this size; score rouge1/rouge2 only (types: [rouge1, rouge2]) or split the text"
                    )
            found = self._score_pair(source, candidate)
            rows.append({f"{t}_{part}": float(found[t][k]) for t in self.types for k, part in enumerate(_PARTS)})
        return rows
