"""Extractiveness: how much of the candidate is copied from the source, as Newsroom (Grusky et al. 2018,
"Newsroom: A Dataset of 1.3 Million Summaries with Diverse Extractive Strategies", NAACL) defines it, with
the novel n-gram shares of SummEval's ``DataStatsMetric`` (Fabbri et al. 2021, ``summ_eval/data_stats_metric.py``).

Both texts are tokenised by spaCy's English tokenizer (:mod:`metrics.extractiveness.tokens`) and lower-cased
(``case: true`` keeps case); the candidate's extractive fragments are Newsroom's greedy matches against the
source (:mod:`metrics.extractiveness.fragments`). Keys, with ``S`` the candidate's tokens, ``A`` the source's
and ``F`` the fragments:

- ``extractiveness_coverage`` = Σ|f| / |S|: the share of the candidate's tokens inside a copied fragment;
- ``extractiveness_density`` = Σ|f|² / |S|: the mean length of the fragment each token belongs to, so long
  copied stretches weigh more (a verbatim copy of an N-token source has density N);
- ``extractiveness_compression`` = |A| / |S|;
- ``extractiveness_novel1``, ``_novel2``, ``_novel3``: the share of the candidate's distinct n-grams (of its
  lower-cased tokens, punctuation included) that never occur in the source.

An empty candidate scores 0 on every key (Newsroom returns 0 for a zero denominator; no n-gram is new); an
empty source gives coverage and density 0, compression 0 and novel 1 for every n the candidate has.

Differences from SummEval's code, on purpose: SummEval skips a novel-n key when the summary has fewer than
n tokens (a ZeroDivisionError caught); here it is 0. SummEval's golden ``percentage_novel_1-gram`` mean
(0.13681…) was made before its 2022 fix (commit e26bef9, "fix tokenization in data stats utils") by code
that took n-grams of the tokens before lower-casing; the current code, and this metric, lower-case first and
give 0.13878… on the same texts (``case: true`` gives the old number). Whitespace tokens that spaCy keeps
(newlines) count in both codes; here only with ``tokenizer: summeval`` (the default tokenizer drops them, so
that re-flowing paragraphs changes nothing).

These are descriptions, not scores to rank by (direction ``none``): a copy maximises coverage and density.
The leaderboard uses them for its fidelity-novelty view and to flag near-copies (:mod:`harness.rank.novelty`).
Per example, ``details.extractiveness.fragments`` lists each fragment as character spans in the candidate
(as scored) and in the source, so a report can highlight copied stretches.

Each source is tokenised and indexed once per metric instance (so once per run, however many systems are
scored against it): a cache keyed by the source text, like the bertscore metric's encoder cache.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from harness.errors import HarnessError
from harness.scoring.registry import Metric, check_lengths, register
from metrics.extractiveness.fragments import Article, greedy_fragments, stats
from metrics.extractiveness.tokens import DEFAULT, TOKENIZERS, spacy_version, tokenize

KEYS = [
    "extractiveness_coverage",
    "extractiveness_density",
    "extractiveness_compression",
    "extractiveness_novel1",
    "extractiveness_novel2",
    "extractiveness_novel3",
]
_UNBOUNDED = frozenset({"extractiveness_density", "extractiveness_compression"})
HEADLINE = ["extractiveness_coverage", "extractiveness_density", "extractiveness_novel2"]
# Bumped when the matching or the definitions change (part of the signature).
VERSION = "newsroom-greedy-1"


@register
class Extractiveness(Metric):
    """Newsroom extractive fragment coverage, density and compression, and novel n-gram shares."""

    name = "extractiveness"
    description = (
        "how much of the candidate is copied from the source: Newsroom fragment coverage/density, "
        "compression, novel 1/2/3-grams (descriptive, not a fidelity score)"
    )

    def __init__(self, *, tokenizer: str = DEFAULT, case: bool = False, cache_size: int = 4096) -> None:
        if tokenizer not in TOKENIZERS:
            raise HarnessError(f"extractiveness: 'tokenizer' must be one of {', '.join(TOKENIZERS)}, got {tokenizer!r}")
        if not isinstance(case, bool):
            raise HarnessError(f"extractiveness: 'case' must be true or false, got {case!r}")
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 0:
            raise HarnessError(f"extractiveness: 'cache_size' must be an integer >= 0, got {cache_size!r}")
        self.tokenizer = tokenizer
        self.case = case
        # source text -> its tokens and position index; LRU, so a long task keeps its most recent sources.
        self.cache_size = cache_size
        self._articles: OrderedDict[str, Article] = OrderedDict()

    def keys(self) -> list[str]:
        return list(KEYS)

    def headline_keys(self) -> list[str]:
        return list(HEADLINE)

    def bounds(self, key: str) -> tuple[float, float]:
        return (0.0, math.inf) if key in _UNBOUNDED else (0.0, 1.0)

    def direction(self, key: str) -> str:
        return "none"

    def signature(self) -> str:
        hyphen = ",hyphen:spacy2" if self.tokenizer == "summeval" else ""
        return "|".join(
            [
                "extractiveness",
                f"tok:{self.tokenizer}(spacy-{spacy_version()}-en-blank{hyphen})",
                "ws:kept" if self.tokenizer == "summeval" else "ws:dropped",
                "case:kept" if self.case else "case:lower",
                f"match:{VERSION}",
                "novel:distinct-ngrams-1-3",
            ]
        )

    def article(self, text: str) -> Article:
        """The tokenised, indexed source (cached by text)."""
        found = self._articles.get(text)
        if found is not None:
            self._articles.move_to_end(text)
            return found
        article = Article(tokenize(text, self.tokenizer, case=self.case))
        if self.cache_size:
            self._articles[text] = article
            if len(self._articles) > self.cache_size:
                self._articles.popitem(last=False)
        return article

    def score_with_details(
        self, *, sources: Sequence[str], candidates: Sequence[str]
    ) -> tuple[list[dict[str, float]], list[dict[str, Any]] | None]:
        check_lengths(self.name, sources, candidates)
        rows: list[dict[str, float]] = []
        details: list[dict[str, Any]] = []
        for source, candidate in zip(sources, candidates):
            article = self.article(source)
            # A candidate equal to its source (the `copy` system) reuses the source's tokens.
            summary = article.tokens if candidate == source else tokenize(candidate, self.tokenizer, case=self.case)
            fragments = greedy_fragments(summary.norm, article)
            found = stats(summary.norm, article, fragments)
            rows.append(dict(zip(KEYS, (found.coverage, found.density, found.compression, *found.novel))))
            source_tokens = article.tokens
            details.append(
                {
                    "fragments": [
                        {
                            "candidate": [summary.starts[f.summary], summary.ends[f.summary + f.length - 1]],
                            "source": [source_tokens.starts[f.text], source_tokens.ends[f.text + f.length - 1]],
                            "tokens": f.length,
                        }
                        for f in fragments
                    ],
                    "tokens": {"candidate": len(summary), "source": len(source_tokens)},
                }
            )
        return rows, details
