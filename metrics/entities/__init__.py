"""Entity consistency: named entities of the rewrite that the source does not support, and salient source
entities it drops.

Entities are the names spaCy's small English pipeline (:mod:`metrics.entities.ner`) tags PERSON, FAC, GPE,
ORG, NORP, LOC or EVENT, the types Nan et al. 2021 (EACL, "Entity-level Factual Consistency of Abstractive
Text Summarization") track; dates, amounts and ordinals are left to the numeric metric. With the source as
the reference:

- ``entities_precision``: share of the candidate's entity mentions that the source supports (1.0 when it
  has none); an invented name lowers it. This is Nan et al.'s precision-source (prec_s) with our matcher.
- ``entities_recall``: share of the source's salient entities (mentioned at least twice, or in its first
  three sentences) that the candidate keeps (1.0 when there are none).
- ``entities_n_candidate``: the number of candidate mentions counted by precision.

Matching (:mod:`metrics.entities.match`): ``mode: strict`` (default) compares whole entities, word-bounded
and case-insensitive, without a leading "the" or a possessive, with a small alias table (UK / United
Kingdom / Britain / British, US / United States / American, EU / European Union) and surname-only matching for people;
``mode: nan2021`` is Nan et al.'s lenient n-gram matcher, for comparison with that paper.

A diagnostic, not a score to rank systems by: an entity taken from the source but attached to the wrong
event ("Cleverly said" for "Darmanin said", FRANK's EntE, Pagnoni et al. 2021) is supported, and on FRANK
entity checks separate systems weakly (AUC 0.46-0.59 against its human error labels). Read it through its
details: ``score_with_details`` returns, per example, ``unsupported`` (each unsupported candidate mention
with its label and character offsets into the candidate as scored) and ``dropped`` (each salient source
entity the candidate does not mention, with its number of mentions and the offsets of its first one in the
source).

Bad input is scored, never refused: an empty text has no entities; a text of more than 50,000 tokens (about
200 kB of prose) is tagged up to that point and its details say where (``tagged_up_to``), while matching
against it still reads all of it; a run of symbols without spaces cannot make the tagger quadratic.

Each source is analysed once per metric instance (cached by text), however many systems are scored against
it; candidates and new sources go through spaCy in one batch per call.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from harness.errors import HarnessError
from harness.scoring.registry import Metric, check_lengths, register
from metrics.entities import match as _match
from metrics.entities import ner as _ner

_KEYS = ["entities_precision", "entities_recall", "entities_n_candidate"]
_COUNT = "entities_n_candidate"


@register
class Entities(Metric):
    """Share of the rewrite's named entities the source supports (P) and of salient source entities kept (R)."""

    name = "entities"
    description = (
        "share of the rewrite's named entities the source supports (P) and of the source's salient ones kept (R)"
    )

    def __init__(self, *, mode: str = "strict") -> None:
        if mode not in _match.MODES:
            raise HarnessError(f"entities: 'mode' must be one of {', '.join(_match.MODES)}, got {mode!r}")
        self.mode = mode
        # source text -> (folded text, whether it has capitals, entities, where tagging stopped): once per instance
        self._sources: dict[str, tuple[str, bool, list[_match.Entity], int | None]] = {}

    def keys(self) -> list[str]:
        return list(_KEYS)

    def headline_keys(self) -> list[str]:
        return ["entities_precision", "entities_recall"]

    def bounds(self, key: str) -> tuple[float, float]:
        return (0.0, math.inf) if key == _COUNT else (0.0, 1.0)

    def direction(self, key: str) -> str:
        return "none" if key == _COUNT else "higher"

    def signature(self) -> str:
        matcher = (
            "match:nan2021-ngram-substring-stopwords"
            if self.mode == "nan2021"
            else "match:whole-word-casefold-the-possessive-aliases-surname"
        )
        return "|".join(
            [
                "entities",
                f"mode:{self.mode}",
                f"model:{_ner.model_id()}",
                "types:" + ",".join(_ner.TYPES),
                matcher,
                f"salient:mentions>={_match.MIN_MENTIONS}-or-first-{_ner.LEAD_SENTENCES}-sentences(senter)",
                f"version:{_match.VERSION}",
            ]
        )

    def score_with_details(
        self, *, sources: Sequence[str], candidates: Sequence[str]
    ) -> tuple[list[dict[str, float]], list[dict[str, Any]] | None]:
        check_lengths(self.name, sources, candidates)
        if not sources:
            return [], []
        new_sources = [s for s in _match.unique(sources) if s not in self._sources]
        for text, analysis in zip(new_sources, _ner.analyse(new_sources, lead=True)):
            folded = _match.fold(text)
            self._sources[text] = (folded, _match.cased(folded), _match.entities(analysis), analysis.truncated_at)
        distinct = _match.unique(candidates)
        analysed = dict(zip(distinct, _ner.analyse(distinct, lead=False)))
        rows: list[dict[str, float]] = []
        details: list[dict[str, Any]] = []
        for source, candidate in zip(sources, candidates):
            row, detail = self._compare(source, candidate, analysed[candidate])
            rows.append(row)
            details.append(detail)
        return rows, details

    def _compare(self, source: str, candidate: str, analysis: _ner.Analysis) -> tuple[dict[str, float], dict[str, Any]]:
        folded_source, source_cased, source_entities, source_cut = self._sources[source]
        mentions = [m for m in analysis.mentions if _match.form(m.text)]
        salient = [e for e in source_entities if e.salient]
        if self.mode == "nan2021":
            unsupported = [m for m in mentions if not _match.nan2021_match(m.text, source)]
            dropped = [e for e in salient if not _match.nan2021_kept(e, candidate)]
        else:
            folded = _match.fold(candidate)
            unsupported = [m for m in mentions if not _match.supported(m, folded_source, within_cased=source_cased)]
            dropped = [e for e in salient if not _match.kept(e, folded, within_cased=_match.cased(folded))]
        precision = (len(mentions) - len(unsupported)) / len(mentions) if mentions else 1.0
        recall = (len(salient) - len(dropped)) / len(salient) if salient else 1.0
        row = {"entities_precision": precision, "entities_recall": recall, "entities_n_candidate": float(len(mentions))}
        detail: dict[str, Any] = {
            "unsupported": [{"text": m.text, "label": m.label, "start": m.start, "end": m.end} for m in unsupported],
            "dropped": [
                {
                    "text": e.mentions[0].text,
                    "name": e.name,
                    "label": e.label,
                    "mentions": len(e.mentions),
                    "start": e.mentions[0].start,
                    "end": e.mentions[0].end,
                }
                for e in dropped
            ],
        }
        cut = {"source": source_cut, "candidate": analysis.truncated_at}
        if any(v is not None for v in cut.values()):
            detail["tagged_up_to"] = {side: at for side, at in cut.items() if at is not None}
        return row, detail
