"""One example of a task: an id, the source to be rewritten or summarised, and its optional reference.

Made by :mod:`harness.read.tasks` from a task's data rows; taken by :mod:`harness.generate.prompts` (a prompt is
rendered from its fields) and :mod:`harness.generate.systems` (a candidate is produced for it). It is here, below all
three, because the task loader also checks the task's prompt and systems: were the type in
:mod:`harness.read.tasks`, the modules it checks with would have to import it back.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    """One source to be rewritten, with where it was read from (``line``: its row in the data file, for errors)."""

    id: str
    source: str
    reference: str | None = None
    line: int | None = None
