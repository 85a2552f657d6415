"""Systems: where candidates come from, named by a spec string.

- ``file:PATH``: JSONL or CSV with ``id`` and ``candidate``; for a one-example task also a plain text file.
- ``copy``: the source itself. With the source as reference it wins every overlap metric, which is the
  upper bound that shows why ROUGE against the source rewards copying.
- ``lead:K``: the first K sentences of the source (the Lead-3 baseline of See et al. 2017 for K=3).
- ``openai:MODEL[@BASE_URL]``, ``hf:MODEL_ID_OR_PATH``, ``command:CMD``: systems that generate their
  candidates from the task's prompt (:mod:`harness.generate`); an example whose generation fails is
  recorded in ``Candidates.failures`` and left out of the scores.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessError, closest, where
from harness.generate.options import GENERATING_KINDS, GeneratorConfig, generator_config, parse_options
from harness.read.example import Example
from harness.read.textio import decode_utf8, read_bytes, read_rows
from harness.scoring.sentences import split_sentences

if TYPE_CHECKING:
    from harness.generate.driver import GenerationSettings
    from harness.generate.prompts import PromptTemplate

SPEC_FORMS = {
    "file": "file:PATH",
    "copy": "copy",
    "lead": "lead:K",
    "openai": "openai:MODEL[@BASE_URL]",
    "hf": "hf:MODEL_ID_OR_PATH",
    "command": "command:CMD",
}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
_SHOWN = 5  # ids listed when candidate and task ids disagree


@dataclass(frozen=True)
class SystemSpec:
    """A parsed system spec: its kind and argument, with ``file:`` paths made absolute."""

    spec: str
    kind: str
    path: Path | None = None
    k: int | None = None
    generator: GeneratorConfig | None = None  # set for the kinds that generate


@dataclass(frozen=True)
class Candidates:
    """A system's output for every example id, and a fingerprint of where it came from. A generating system
    may fail on some examples: ``failures`` maps their ids to the error, and ``texts`` lacks them;
    ``generation`` is what run.json records about how the candidates were generated."""

    texts: dict[str, str]
    sha256: str | None = None
    failures: dict[str, str] = field(default_factory=dict)
    generation: dict[str, Any] | None = None


@dataclass(frozen=True)
class GenerationContext:
    """What a generating system needs beyond its spec: the task's prompt, where the examples were read
    from (for error messages), the run's generation settings, and where to report progress."""

    system: str
    task: str
    prompt: PromptTemplate | None
    location: str
    settings: GenerationSettings
    progress: Callable[[str], None] = lambda message: None


def check_system_name(name: str) -> None:
    """System names become directory names under ``results/``: keep them plain."""
    if not _NAME.fullmatch(name):
        raise HarnessError(f"system name {name!r} must be letters, digits, '.', '_', '+' or '-'")


def parse_spec(spec: str, *, base_dir: Path, options: Mapping[str, Any] | None = None) -> SystemSpec:
    """Parse a spec of :data:`SPEC_FORMS`; relative paths resolve against ``base_dir``. ``options`` are the
    generation options of a generating spec."""
    kind, sep, arg = spec.partition(":")
    if kind in GENERATING_KINDS and sep:
        parsed = parse_options(kind, options or {})
        return SystemSpec(
            spec, kind, generator=generator_config(kind, arg, spec=spec, base_dir=base_dir, options=parsed)
        )
    if options:
        raise HarnessError(
            f"system spec {spec!r} takes no options ({', '.join(map(str, options))}): only generating systems "
            f"({', '.join(f'{k}:' for k in GENERATING_KINDS)}) do"
        )
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


def candidates_for(
    system: SystemSpec,
    examples: list[Example],
    all_ids: list[str],
    *,
    generation: GenerationContext | None = None,
    allow_missing: bool = False,
) -> Candidates:
    """Produce one candidate per example. ``all_ids`` are the ids of the whole dataset (before --limit); a
    generating system needs ``generation``. With ``allow_missing``, a ``file:`` system's task ids that have
    no candidate (a generated run's candidates.jsonl lacks those that failed) are returned in ``failures``
    rather than an error; an id that is not in the task still is one."""
    if system.generator is not None:
        if generation is None:
            raise HarnessError(f"system spec {system.spec!r} generates its candidates: it needs a task's prompt")
        return _generate(system, system.generator, examples, generation)
    if system.kind == "copy":
        return Candidates({e.id: e.source for e in examples})
    if system.kind == "lead":
        assert system.k is not None
        return Candidates({e.id: "\n".join(split_sentences(e.source)[: system.k]) for e in examples})
    assert system.path is not None
    texts, digest = _read_candidate_file(system.path, all_ids, allow_missing=allow_missing)
    missing = {e.id: f"no candidate for this id in {system.path}" for e in examples if e.id not in texts}
    return Candidates({e.id: texts[e.id] for e in examples if e.id in texts}, digest, missing)


def check_generating(system: SystemSpec, *, name: str, task: str, prompt: PromptTemplate | None) -> None:
    """A generating system needs the task to have a prompt: checked before anything is generated."""
    if system.generator is not None and prompt is None:
        raise HarnessError(
            f"system {name!r} ({system.spec}) generates its candidates, but task {task} has no 'prompt': add one, "
            'e.g. prompt: "Rewrite the following article in your own words, keeping every fact and figure:\\n\\n'
            '{source}"'
        )


def _generate(
    system: SystemSpec, config: GeneratorConfig, examples: list[Example], context: GenerationContext
) -> Candidates:
    from harness.generate.driver import generate

    check_generating(system, name=context.system, task=context.task, prompt=context.prompt)
    assert context.prompt is not None
    prompts = {e.id: context.prompt.render(e, location=context.location) for e in examples}
    found = generate(
        system=context.system,
        spec=system.spec,
        config=config,
        prompts=prompts,
        settings=context.settings,
        progress=context.progress,
    )
    record = {"prompt": context.prompt.to_json(), **found.record}
    return Candidates(found.texts, None, found.failures, record)


def _read_candidate_file(path: Path, all_ids: list[str], *, allow_missing: bool = False) -> tuple[dict[str, str], str]:
    data = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    if path.name.lower().endswith((".jsonl", ".jsonl.gz", ".csv")):
        texts = _rows_to_texts(path)
    else:
        if len(all_ids) != 1:
            raise HarnessError(
                f"{path}: a plain text candidate file fits only a one-example task; this task has "
                f"{len(all_ids)} examples: use JSONL or CSV with 'id' and 'candidate'"
            )
        texts = {all_ids[0]: decode_utf8(data, path)}
    _check_ids(path, texts, all_ids, allow_missing=allow_missing)
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


def _check_ids(path: Path, texts: dict[str, str], all_ids: list[str], *, allow_missing: bool = False) -> None:
    expected = set(all_ids)
    missing = [i for i in all_ids if i not in texts]
    unknown = [i for i in texts if i not in expected]
    if allow_missing and missing and not unknown and len(missing) < len(all_ids):
        return  # scored without them, and recorded as missing (harness eval --allow-missing)
    if not missing and not unknown:
        return
    parts = []
    if missing:
        hint = "" if allow_missing else " (harness eval --allow-missing scores the others and records these)"
        parts.append(f"{len(missing)} task ids have no candidate: {_first(missing)}{hint}")
    if unknown:
        parts.append(f"{len(unknown)} candidate ids are not in the task: {_first(unknown)}")
    raise HarnessError(f"{path}: candidate ids do not match the task's ids; " + "; ".join(parts))


def _first(ids: list[str]) -> str:
    shown = ", ".join(repr(i) for i in ids[:_SHOWN])
    return shown + (f", ... ({len(ids) - _SHOWN} more)" if len(ids) > _SHOWN else "")
