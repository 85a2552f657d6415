"""The one domain exception of the harness.

Library code raises :class:`HarnessError` with a message that says what went wrong, where (file, line,
field or example id) and how to fix it; only the CLI turns it into a line on stderr and exit code 1.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class HarnessError(Exception):
    """A user-facing error: bad input, a missing file, an unknown name. The message is one line."""


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The choice most similar to ``name`` (difflib ratio >= 0.6), if any."""
    close = difflib.get_close_matches(name, sorted(set(choices)), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice, or a list of the choices when none is close."""
    options = sorted(set(choices))
    close = closest(name, options)
    if close is not None:
        return f" (did you mean {close!r}?)"
    return f" (known: {', '.join(options)})" if options else ""


def where(path: Path | str, line: int | None = None) -> str:
    """Format a location as ``file:line`` (or just ``file``) for error messages."""
    return f"{path}:{line}" if line is not None else f"{path}"
