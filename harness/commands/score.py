"""The work behind ``harness score``: the pairs of ``--pairs PAIRS.jsonl``, or the two files it scores.

A pairs file follows the rules of ``harness eval`` for a task's data (:func:`harness.read.tasks.check_id`,
:func:`harness.read.tasks.check_source`): every id once, a non-empty string source, a string candidate. Every error
names the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.read.tasks import check_id, check_source
from harness.read.textio import read_rows, read_text


@dataclass
class Pairs:
    """The rows of a pairs file, in file order; ``ids`` as written (an integer id stays one in the output)."""

    ids: list[Any] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)


def read_pairs(path: Path) -> Pairs:
    """A JSONL (or CSV) file with ``id``, ``source`` and ``candidate`` on every row."""
    pairs = Pairs()
    seen: dict[str, int] = {}
    for row in read_rows(path):
        at = f"{path}:{row.line}"
        for column in ("id", "source", "candidate"):
            if column not in row.fields:
                raise HarnessError(f"{at}: field {column!r} missing")
        example_id = check_id(row.fields["id"], at)
        if example_id in seen:
            raise HarnessError(f"{at}: duplicate id {example_id!r} (first at line {seen[example_id]})")
        seen[example_id] = row.line
        pairs.sources.append(check_source(row.fields["source"], at, example_id))
        candidate = row.fields["candidate"]
        if not isinstance(candidate, str):
            got = type(candidate).__name__
            raise HarnessError(f"{at}: example {example_id!r}: 'candidate' must be a string, got {got}")
        pairs.ids.append(row.fields["id"])
        pairs.candidates.append(candidate)
    return pairs


def read_pair_files(source_file: Path, candidate_file: Path) -> tuple[str, str]:
    """The source and the candidate; an empty source is an error, as ``harness eval`` makes it."""
    source, candidate = read_text(source_file), read_text(candidate_file)
    if not source.strip():
        raise HarnessError(f"{source_file}: the source is empty; there is nothing to score against")
    return source, candidate


def drop_empty_details(found: dict[str, Any]) -> dict[str, Any]:
    """Keep ``details`` in the output only where a metric gave some (ROUGE gives none)."""
    if not found.get("details"):
        found.pop("details", None)
    return found
