"""Boilerplate removal: whole lines that match a task's ``clean`` patterns are dropped before scoring.

A web article carries lines that are not part of the story (a headline with its section, a cookie notice,
a ``Source:`` credit); left in, they count against a faithful rewrite or for an unfaithful one. Cleaning is
line-based and reported, never silent: every removed line is kept in the results with the rule that
removed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CleanRule:
    """Drop every line whose stripped text matches ``pattern`` in full (``re.fullmatch``)."""

    name: str
    pattern: re.Pattern[str]

    def matches(self, line: str) -> bool:
        stripped = line.strip()
        return bool(stripped) and self.pattern.fullmatch(stripped) is not None


@dataclass(frozen=True)
class Removed:
    """One removed line: the rule that matched and the line's text."""

    rule: str
    line: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "line": self.line}


def clean_text(text: str, rules: tuple[CleanRule, ...]) -> tuple[str, list[Removed]]:
    """Remove matching lines; return the cleaned text (outer blank lines trimmed) and what was removed."""
    if not rules:
        return text, []
    kept: list[str] = []
    removed: list[Removed] = []
    for line in text.split("\n"):
        rule = next((r for r in rules if r.matches(line)), None)
        if rule is None:
            kept.append(line)
        else:
            removed.append(Removed(rule.name, line.strip()))
    if not removed:
        return text, []
    return "\n".join(kept).strip("\n"), removed
