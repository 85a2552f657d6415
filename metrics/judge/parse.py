"""Reading a judge's replies: a 1-5 rating (G-Eval), its expectation under the token probabilities, and
per-sentence verdicts (FineSurE-style claims).

Rating (Liu et al. 2023, "G-Eval: NLG Evaluation using GPT-4 with Chain-of-Thoughts and a Form-Filling
Paradigm"): a reply parses when it is a bare integer 1-5 (an ending period allowed), or contains
``Rating: N`` or ``Score: N``; anything else is a parse failure, never a number. Where the endpoint returned
log-probabilities, the rating is G-Eval's probability-weighted score ``sum_s p(s) * s`` over the tokens 1-5
at the position of the rating's digit, with p renormalised over those five tokens (the top alternatives the
server returned; tokens that differ only by surrounding spaces, " 4" and "4", are the same score).

Claims (Song et al. 2024, "FineSurE: Fine-grained Summarization Evaluation using LLMs"; error kinds after
FRANK, Pagnoni et al. 2021): the prompt numbers the rewrite's sentences and the reply gives one line per
sentence, ``N. supported`` or ``N. unsupported: KIND``. Every sentence needs exactly one verdict, or the
reply is a parse failure.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from harness.errors import HarnessError

RATINGS = ("1", "2", "3", "4", "5")
# FineSurE's fact-checking categories (which follow FRANK's typology); anything else a judge names is "other".
ERROR_KINDS = (
    "out-of-context",
    "predicate",
    "entity",
    "circumstance",
    "coreference",
    "discourse-link",
    "grammatical",
    "other",
)
_BARE = re.compile(r"\s*\**\s*([1-5])\s*\**\s*\.?\s*")
_LABELLED = re.compile(r"\b(?:rating|score)\s*\**\s*[:=]\s*\**\s*([1-5])(?![\d.]*\d)", re.IGNORECASE)
_VERDICT = re.compile(
    r"^\s*[\[(]?(\d+)[\])]?\s*[.:)\-]?\s*\**\s*(supported|unsupported|not supported)\**\s*(?:[:\-–—,(]\s*(.*))?$",
    re.IGNORECASE,
)


class ParseFailure(HarnessError):
    """A reply the protocol cannot read; the message quotes the start of it."""


def _quote(reply: str) -> str:
    flat = " ".join(reply.split())
    return repr(flat if len(flat) <= 80 else flat[:79] + "…")


def rating(reply: str) -> int:
    """The 1-5 rating a reply gives, or :class:`ParseFailure`."""
    bare = _BARE.fullmatch(reply)
    if bare:
        return int(bare.group(1))
    labelled = _LABELLED.search(reply)
    if labelled:
        return int(labelled.group(1))
    raise ParseFailure(f"reply {_quote(reply)} gives no rating (a bare 1-5, 'Rating: N' or 'Score: N')")


def expected_rating(logprobs: list[dict[str, Any]] | None, given: int) -> float | None:
    """G-Eval's ``sum_s p(s) * s`` at the first token that is the rating's digit, or None when the reply
    carries no usable log-probabilities there."""
    if not logprobs:
        return None
    for item in logprobs:
        if item.get("token", "").strip() != str(given):
            continue
        mass = dict.fromkeys(RATINGS, 0.0)
        alternatives = item.get("top") or [[item["token"], item.get("logprob")]]
        seen = set()
        for token, logprob in alternatives:
            digit = str(token).strip()
            if digit in mass and logprob is not None and token not in seen:
                seen.add(token)
                mass[digit] += math.exp(float(logprob))
        total = math.fsum(mass.values())
        if total <= 0.0:
            return None
        return math.fsum(int(digit) * p for digit, p in mass.items()) / total
    return None


@dataclass(frozen=True)
class Verdict:
    """One sentence's verdict: supported, or not and which kind of error (with the judge's own words)."""

    supported: bool
    kind: str | None = None
    note: str = ""


def claims(reply: str, count: int) -> list[Verdict]:
    """One verdict per numbered sentence 1..count, or :class:`ParseFailure`."""
    found: dict[int, Verdict] = {}
    for line in reply.splitlines():
        match = _VERDICT.match(line)
        if not match:
            continue
        number = int(match.group(1))
        if not 1 <= number <= count:
            raise ParseFailure(f"reply gives a verdict for sentence {number}, but the rewrite has {count}")
        if number in found:
            raise ParseFailure(f"reply gives two verdicts for sentence {number}")
        supported = match.group(2).lower() == "supported"
        note = (match.group(3) or "").strip().rstrip(")").strip()
        found[number] = Verdict(supported, None if supported else error_kind(note), note)
    missing = [n for n in range(1, count + 1) if n not in found]
    if missing:
        listed = ", ".join(map(str, missing[:5])) + ("…" if len(missing) > 5 else "")
        raise ParseFailure(f"reply {_quote(reply)} has no verdict for sentence {listed} of {count}")
    return [found[n] for n in range(1, count + 1)]


def error_kind(note: str) -> str:
    """The error kind a note names (its first words, any spelling of the category), else ``other``."""
    # Compared on the first five letters: "circumstantial error" is circumstance, "Out of article" out-of-context.
    letters = re.sub(r"[^a-z]", "", note.lower())
    for kind in ERROR_KINDS:
        if letters.startswith(kind.replace("-", "")[:5]):
            return kind
    return "other"
