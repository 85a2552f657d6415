"""What a probe is: a seeded generator that edits a candidate in one controlled way and says what should move.

A probe's :meth:`Probe.perturb` returns a :class:`Perturbation`: the new text, the edits that made it (each a
span of the original candidate and its replacement, so the edited spans are exact), the FRANK error type the
edit simulates (Pagnoni et al. 2021, "Understanding Factuality in Abstractive Summarization with FRANK":
PredE, EntE, CircE, CorefE, LinkE, OutE, GramE, Other; ``None`` when the edit is not an error) and the
expected movement of every metric key. It returns ``None`` when the candidate offers nothing to edit (no
number to change, no quote to unmark): that item does not count for that probe.

Expected movement is derived from the key's registered direction and from what the edit damages:

- an *error* probe damages ``support`` (it adds something the source does not back: a wrong figure, a
  negation, a fabricated quote), ``coverage`` (it loses something of the source: a truncation), or both. A
  key is read as measuring support (``_p``, ``_precision``, counts of problems such as ``_fabricated`` or
  ``_flags``), coverage (``_r``, ``_recall``, ``_kept``) or both (``_f``); keys of a damaged aspect are
  expected to get ``worse`` (lower if higher is better, higher if lower is better) and the others are not
  tested;
- an *invariance* probe (curly quotes, line re-flow, contractions, "UK" / "United Kingdom") changes nothing a
  reader would call a fact: every key is expected to stay the ``same``;
- the *reference* probe (the source itself as the candidate) is faithful by construction: every key is
  expected to be ``not_worse``.

Keys whose direction is ``none`` (counts such as ``numeric_n_source``) are not tested.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from harness.scoring.sentences import split_sentences

FRANK_TYPES = ("PredE", "EntE", "CircE", "CorefE", "LinkE", "OutE", "GramE", "Other")
EXPECTATIONS = ("worse", "better", "same", "not_worse")
KINDS = ("error", "invariance", "reference")
# Keys of the fidelity checks that no invariance probe may move: rephrasings that keep every fact must keep
# their scores. ROUGE and BERTScore compare tokens and embeddings, so "UK" -> "United Kingdom" legitimately
# moves them; they are shown in the matrix but not held to invariance by --fail-under.
INVARIANT_KEYS = (
    "numeric_precision",
    "numeric_recall",
    "entities_precision",
    "entities_recall",
    "quotes_precision",
    "quotes_kept",
    "quotes_altered",
    "quotes_fabricated",
    "certainty_shift",
    "certainty_flags",
    "polarity_flips",
)
_COVERAGE_PARTS = ("r", "recall", "kept")


def aspect(key: str) -> str:
    """``support``, ``coverage`` or ``both``: what a key measures, read from its ``<metric>_<part>`` name."""
    part = key.partition("_")[2]
    if part in _COVERAGE_PARTS or part.endswith(tuple(f"_{p}" for p in _COVERAGE_PARTS)):
        return "coverage"
    if part == "f" or part.endswith("_f"):
        return "both"
    return "support"


@dataclass(frozen=True)
class Edit:
    """Characters ``start:end`` of the original candidate replaced by ``new``."""

    start: int
    end: int
    new: str

    def as_json(self, original: str) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "old": original[self.start : self.end], "new": self.new}


def apply(original: str, edits: Sequence[Edit]) -> str:
    """The text with the edits made; they must be sorted, non-overlapping and within the text."""
    parts: list[str] = []
    at = 0
    for edit in edits:
        if not at <= edit.start <= edit.end <= len(original):
            raise ValueError(f"edit {edit} overlaps the previous one or leaves the text")
        parts += [original[at : edit.start], edit.new]
        at = edit.end
    return "".join(parts) + original[at:]


@dataclass(frozen=True)
class Perturbation:
    """One probe's edit of one candidate."""

    text: str
    edits: tuple[Edit, ...]
    frank: str | None
    expected: dict[str, str]  # metric key -> worse | better | same | not_worse
    note: str  # what was done, for people: "'745,000' -> '812,000'"


class Probe(ABC):
    """A controlled edit. Subclasses live one per module in :mod:`harness.probe.probes` and set:

    ``name``, ``description``, ``frank`` (a FRANK error type or None), ``kind`` (error, invariance or
    reference), ``damages`` (for errors: ``support`` and/or ``coverage``), ``order`` (position in reports) and
    ``designated`` (the keys meant to catch it, which ``--fail-under`` holds to the rate).
    """

    name: ClassVar[str]
    description: ClassVar[str]
    frank: ClassVar[str | None] = None
    kind: ClassVar[str] = "error"
    damages: ClassVar[frozenset[str]] = frozenset()
    designated: ClassVar[tuple[str, ...]] = ()
    order: ClassVar[int] = 100

    @abstractmethod
    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        """The edits to make (sorted, non-overlapping) and a note saying what they do, or None."""

    def perturb(
        self, candidate: str, *, source: str, rng: np.random.Generator, keys: Mapping[str, str]
    ) -> Perturbation | None:
        """Edit ``candidate``; ``keys`` maps every metric key to its registered direction."""
        found = self.edits(candidate, source=source, rng=rng)
        if found is None or not found[0]:
            return None
        edits, note = found
        text = apply(candidate, edits)
        if text == candidate:
            return None
        return Perturbation(text, tuple(edits), self.frank, self.expectations(keys), note)

    def expectations(self, keys: Mapping[str, str]) -> dict[str, str]:
        """Expected movement per key with a direction (see the module docstring)."""
        out: dict[str, str] = {}
        for key, direction in keys.items():
            if direction not in ("higher", "lower"):
                continue
            if self.kind == "invariance":
                out[key] = "same"
            elif self.kind == "reference":
                out[key] = "not_worse"
            elif aspect(key) == "both" or aspect(key) in self.damages:
                out[key] = "worse"
        return out

    def designated_keys(self, keys: Mapping[str, str]) -> list[str]:
        """The designated keys among ``keys`` (those of the metrics being probed)."""
        wanted = INVARIANT_KEYS if self.kind == "invariance" else self.designated
        return [key for key in wanted if keys.get(key) in ("higher", "lower")]


# --- helpers shared by the generators -------------------------------------------------------------------------


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the text's sentences (the harness's splitter: lines, then pysbd)."""
    spans: list[tuple[int, int]] = []
    at = 0
    for sentence in split_sentences(text):
        start = text.find(sentence, at)
        if start < 0:  # the splitter keeps every character, so this cannot happen; be safe anyway
            return [(0, len(text))] if text.strip() else []
        spans.append((start, start + len(sentence)))
        at = start + len(sentence)
    return spans


def choose(rng: np.random.Generator, items: Sequence[Any]) -> Any:
    """One item, uniformly, through the seeded generator."""
    return items[int(rng.integers(len(items)))]


def match_case(new: str, old: str) -> str:
    """``new`` capitalised like ``old`` at its first letter."""
    if old[:1].isupper() and new[:1].islower():
        return new[:1].upper() + new[1:]
    return new


WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


# --- the probes ------------------------------------------------------------------------------------------------

_PROBES: dict[str, type[Probe]] = {}


def register_probe(cls: type[Probe]) -> type[Probe]:
    """Class decorator: make a probe part of the suite."""
    _PROBES[cls.name] = cls
    return cls


def all_probes() -> list[Probe]:
    """Every probe of :mod:`harness.probe.probes`, in report order."""
    import importlib
    import pkgutil

    from harness.probe import probes

    for info in pkgutil.iter_modules(probes.__path__):
        importlib.import_module(f"{probes.__name__}.{info.name}")
    return [cls() for cls in sorted(_PROBES.values(), key=lambda c: (c.order, c.name))]
