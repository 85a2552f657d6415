"""Systems: where candidates come from, named by a spec string.

- ``file:PATH``: JSONL or CSV with ``id`` and ``candidate``; for a one-example task also a plain text file.
- ``copy``: the source itself. With the source as reference it wins every overlap metric, which is the
  upper bound that shows why ROUGE against the source rewards copying.
- ``lead:K``: the first K sentences of the source (the Lead-3 baseline of See et al. 2017 for K=3).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError, closest, where
from harness.sentences import split_sentences
from harness.tasks import Example
from harness.textio import decode_utf8, read_bytes, read_rows

SPEC_FORMS = {"file": "file:PATH", "copy": "copy", "lead": "lead:K"}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
_SHOWN = 5  # ids listed when candidate and task ids disagree


@dataclass(frozen=True)
class SystemSpec:
    """A parsed system spec: its kind and argument, with ``file:`` paths made absolute."""

    spec: str
    kind: str
    path: Path | None = None
    k: int | None = None


@dataclass(frozen=True)
class Candidates:
    """A system's output for every example id, and a fingerprint of where it came from."""

    texts: dict[str, str]
    sha256: str | None = None


def check_system_name(name: str) -> None:
    """System names become directory names under ``results/``: keep them plain."""
    if not _NAME.fullmatch(name):
        raise HarnessError(f"system name {name!r} must be letters, digits, '.', '_', '+' or '-'")


def parse_spec(spec: str, *, base_dir: Path) -> SystemSpec:
    """Parse ``file:PATH``, ``copy`` or ``lead:K``; relative paths resolve against ``base_dir``."""
    kind, sep, arg = spec.partition(":")
    if kind == "copy" and not sep:
        return SystemSpec(spec, "copy")
    if kind == "lead" and sep:
        if not (arg.isascii() and arg.isdigit()) or int(arg) < 1:
            raise HarnessError(f"system spec {spec!r}: K in lead:K must be a positive integer")
        return SystemSpec(spec, "lead", k=int(arg))
    if kind == "file" and sep:
        if not arg:
            raise HarnessError(f"system spec {spec!r}: file: needs a path, e.g. file:outputs.jsonl")
        return SystemSpec(spec, "file", path=(base_dir / arg))
    close = closest(kind, SPEC_FORMS)
    hint = f" (did you mean {SPEC_FORMS[close]!r}?)" if close else ""
    raise HarnessError(f"unknown system spec {spec!r}{hint}; known forms: {', '.join(SPEC_FORMS.values())}")


def candidates_for(system: SystemSpec, examples: list[Example], all_ids: list[str]) -> Candidates:
    """Produce one candidate per example. ``all_ids`` are the ids of the whole dataset (before --limit)."""
    if system.kind == "copy":
        return Candidates({e.id: e.source for e in examples})
    if system.kind == "lead":
        assert system.k is not None
        return Candidates({e.id: "\n".join(split_sentences(e.source)[: system.k]) for e in examples})
    assert system.path is not None
    texts, digest = _read_candidate_file(system.path, all_ids)
    return Candidates({e.id: texts[e.id] for e in examples}, digest)


def _read_candidate_file(path: Path, all_ids: list[str]) -> tuple[dict[str, str], str]:
    data = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() in (".jsonl", ".csv"):
        texts = _rows_to_texts(path)
    else:
        if len(all_ids) != 1:
            raise HarnessError(
                f"{path}: a plain text candidate file fits only a one-example task; this task has "
                f"{len(all_ids)} examples: use JSONL or CSV with 'id' and 'candidate'"
            )
        texts = {all_ids[0]: decode_utf8(data, path)}
    _check_ids(path, texts, all_ids)
    return texts, digest


def _rows_to_texts(path: Path) -> dict[str, str]:
    texts: dict[str, str] = {}
    lines: dict[str, int] = {}
    for row in read_rows(path):
        at = where(path, row.line)
        for column in ("id", "candidate"):
            if column not in row.fields:
                raise HarnessError(f"{at}: missing field {column!r}")
        raw_id, text = row.fields["id"], row.fields["candidate"]
        if raw_id is None or isinstance(raw_id, (bool, float, list, dict)) or str(raw_id).strip() == "":
            raise HarnessError(f"{at}: field 'id' must be a non-empty string or integer, got {raw_id!r}")
        if not isinstance(text, str):
            raise HarnessError(f"{at}: example {raw_id!r}: 'candidate' must be a string, got {type(text).__name__}")
        example_id = str(raw_id)
        if example_id in texts:
            raise HarnessError(f"{at}: duplicate id {example_id!r} (first at line {lines[example_id]})")
        texts[example_id] = text
        lines[example_id] = row.line
    return texts


def _check_ids(path: Path, texts: dict[str, str], all_ids: list[str]) -> None:
    expected = set(all_ids)
    missing = [i for i in all_ids if i not in texts]
    unknown = [i for i in texts if i not in expected]
    if not missing and not unknown:
        return
    parts = []
    if missing:
        parts.append(f"{len(missing)} task ids have no candidate: {_first(missing)}")
    if unknown:
        parts.append(f"{len(unknown)} candidate ids are not in the task: {_first(unknown)}")
    raise HarnessError(f"{path}: candidate ids do not match the task's ids; " + "; ".join(parts))


def _first(ids: list[str]) -> str:
    shown = ", ".join(repr(i) for i in ids[:_SHOWN])
    return shown + (f", ... ({len(ids) - _SHOWN} more)" if len(ids) > _SHOWN else "")
