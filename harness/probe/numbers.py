"""Numbers written in digits, for the number probes: where they are and how to write another value alike.

The probes find figures with their own pattern rather than the numeric metric's extractor, so that what is
edited does not depend on what one of the probed metrics can see. Digits glued to a letter or a hyphen before
them (``G7``, ``Covid-19``, ``mid-2036``) and ordinals (``21st``) are names or words, not figures, and are left
alone; ``£500m``, ``10%``, ``6.1 million``, ``745,000`` and ``2012`` are figures.
"""

from __future__ import annotations

import re

import numpy as np

NUMBER = re.compile(r"(?<![\w.,/-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d,]*\d)(?!\.\d)(?!(?:st|nd|rd|th)\b)")


def figures(text: str) -> list[re.Match[str]]:
    """The digit figures of ``text``, in order."""
    return list(NUMBER.finditer(text))


def value(figure: str) -> str:
    """The figure without thousands separators: the value it says, as a comparable string."""
    return figure.replace(",", "")


def another(figure: str, rng: np.random.Generator, avoid: set[str]) -> str | None:
    """A different value written like ``figure`` (as many integer digits, the same separators and decimals),
    whose value is not in ``avoid``; None if 20 draws find none."""
    whole, _, decimals = value(figure).partition(".")
    for _ in range(20):
        low = 10 ** (len(whole) - 1) if len(whole) > 1 else 1
        number = int(rng.integers(low, 10 ** len(whole)))
        text = f"{number:,}" if "," in figure else str(number)
        if decimals:
            text += "." + "".join(str(int(d)) for d in rng.integers(0, 10, size=len(decimals)))
        if value(text) != value(figure) and value(text) not in avoid:
            return text
    return None
