"""Where each text is cut for NLI: candidate sentences, and source units (sentences, or chunks).

SummaC (Laban et al. 2022, "SummaC: Re-Visiting NLI-based Models for Inconsistency Detection in
Summarization") scores each candidate sentence against each source sentence. AlignScore (Zha et al. 2023,
"AlignScore: Evaluating Factual Consistency with a Unified Alignment Function") instead cuts the source into
chunks of about 350 whitespace tokens, so a claim that needs two source sentences can still be entailed.
Here a chunk packs whole source sentences, in order, while it stays within ``chunk_tokens`` whitespace
tokens (a sentence longer than that is a chunk on its own): a chunk never cuts a sentence, so every unit
has clean character offsets for the report.

Sentences come from :func:`harness.scoring.sentences.split_sentences` (lines, then pysbd), the splitter rougeLsum
uses; each unit carries its ``[start, end)`` character offsets in its text.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.scoring.sentences import split_sentences


@dataclass(frozen=True)
class Unit:
    """A piece of a text and its ``[start, end)`` character offsets in that text."""

    text: str
    start: int
    end: int


def sentences(text: str) -> list[Unit]:
    """The text's sentences with their offsets, in order."""
    units: list[Unit] = []
    cursor = 0
    for sentence in split_sentences(text):
        # The splitter keeps the text's own characters and only trims whitespace, so each sentence is found
        # at or after the end of the previous one.
        start = text.find(sentence, cursor)
        if start < 0:  # not expected; keep the sentence, placed after the previous one
            start = cursor
        units.append(Unit(sentence, start, start + len(sentence)))
        cursor = start + len(sentence)
    return units


def chunks(text: str, chunk_tokens: int) -> list[Unit]:
    """Whole sentences packed in order into chunks of at most ``chunk_tokens`` whitespace tokens."""
    found: list[Unit] = []
    current: list[Unit] = []
    size = 0
    for sentence in sentences(text):
        words = len(sentence.text.split())
        if current and size + words > chunk_tokens:
            found.append(_join(text, current))
            current, size = [], 0
        current.append(sentence)
        size += words
    if current:
        found.append(_join(text, current))
    return found


def _join(text: str, parts: list[Unit]) -> Unit:
    # The chunk is the source's own span from its first sentence to its last (line breaks included).
    start, end = parts[0].start, parts[-1].end
    return Unit(text[start:end], start, end)
