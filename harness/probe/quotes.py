"""Double-quoted spans of a text, for the quote probes: curly pairs and straight pairs, in order."""

from __future__ import annotations

import re

# A curly pair, or a straight pair on one line; at most 2,000 characters inside, so a stray mark cannot
# pair up with one pages later.
QUOTED = re.compile(r"\u201c[^\u201c\u201d]{1,2000}\u201d|\"[^\"\n]{1,2000}\"")


def quoted(text: str) -> list[re.Match[str]]:
    """The quoted spans of ``text`` (marks included)."""
    return list(QUOTED.finditer(text))
