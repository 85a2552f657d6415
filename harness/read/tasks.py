"""Tasks: one YAML file each, parsed strictly, and the examples they point at.

A task names its data, which fields hold the id, source and (optional) reference, which boilerplate
lines to clean, which metrics to compute, the key a leaderboard ranks by, and its default systems.
Every error names the task file and line, or the data file, line and field.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, did_you_mean, where
from harness.gate.config import GATE_SECTIONS, Gate, gate_value_problem
from harness.generate.options import OptionError
from harness.generate.prompts import PromptTemplate, parse_template
from harness.generate.systems import check_system_name, parse_spec
from harness.read.cleaning import CleanRule
from harness.read.example import Example
from harness.read.textio import TABLE_SUFFIXES, Row, read_bytes, read_rows
from harness.read.yamlio import YamlDoc, load_yaml
from harness.scoring.registry import build_metric

KINDS = ("rewrite", "summarise")
TASK_KEYS = (
    "name",
    "version",
    "kind",
    "description",
    "data",
    "fields",
    "clean",
    "metrics",
    "primary",
    "systems",
    "gate",
    "prompt",
    "human",
)
REQUIRED_KEYS = ("name", "version", "kind", "data", "metrics", "primary")
FIELD_ROLES = ("id", "source", "reference")
DEFAULT_TASK = "seeds-paragraphs"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class MetricSpec:
    """A metric named by a task, with its options."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Task:
    """A parsed task file."""

    name: str
    version: int | str
    kind: str
    data: str
    path: Path
    fields: dict[str, str]
    clean: tuple[CleanRule, ...]
    metrics: tuple[MetricSpec, ...]
    primary: str
    systems: dict[str, str]
    description: str = ""
    gate: Gate = field(default_factory=Gate)
    # The prompt of generating systems (``prompt:``), and the generation options of systems written as
    # mappings ({spec: ..., temperature: 0}); ``systems`` holds every system's spec string either way.
    prompt: PromptTemplate | None = None
    system_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    human: HumanSpec | None = None  # human judgements of the candidates, for ``harness meta-eval``

    @property
    def base_dir(self) -> Path:
        """Relative data and ``file:`` paths in the task are resolved against the task file's folder."""
        return self.path.parent


def builtin_tasks_dir() -> Path:
    """The project's ``tasks/`` folder (override with ``HARNESS_TASKS_DIR``)."""
    override = os.environ.get("HARNESS_TASKS_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "tasks"


def task_dirs() -> list[Path]:
    """Where task names are looked up: ``./tasks`` first, then the built-in folder."""
    dirs = [Path.cwd() / "tasks", builtin_tasks_dir()]
    unique: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def available_tasks() -> dict[str, Path]:
    """Task name (file stem) to path, for every task file found; ``./tasks`` wins over built-in."""
    found: dict[str, Path] = {}
    for directory in task_dirs():
        for path in sorted(directory.glob("*.yaml")):
            found.setdefault(path.stem, path)
    return found


def find_task(name_or_path: str) -> Path:
    """Resolve a task name or a path to a task YAML file."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or os.sep in name_or_path:
        if not candidate.is_file():
            raise HarnessError(f"{candidate}: task file not found")
        return candidate
    known = available_tasks()
    if name_or_path not in known:
        raise HarnessError(f"unknown task {name_or_path!r}{did_you_mean(name_or_path, known)}")
    return known[name_or_path]


def load_task(path: Path) -> Task:
    """Parse and validate a task file; every problem is reported with its file and line."""
    doc = load_yaml(path)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error("a task file must be a mapping of keys (name, version, kind, data, ...)")
    for key in data:
        if key not in TASK_KEYS:
            raise doc.error(f"unknown key {key!r}{did_you_mean(str(key), TASK_KEYS)}", key)
    for key in REQUIRED_KEYS:
        if key not in data:
            raise doc.error(f"missing required key {key!r}")

    name = _string(doc, "name")
    if not _NAME.fullmatch(name):
        raise doc.error(f"'name' must be letters, digits, '.', '_' or '-', got {name!r}", "name")
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, (int, str)) or str(version) == "":
        raise doc.error(f"'version' must be an integer or a string, got {version!r}", "version")
    kind = _string(doc, "kind")
    if kind not in KINDS:
        raise doc.error(f"'kind' must be one of {', '.join(KINDS)}, got {kind!r}{did_you_mean(kind, KINDS)}", "kind")

    metrics = _metrics(doc)
    primary = _string(doc, "primary")
    keys = [key for spec in metrics for key in _metric_keys(doc, spec, metrics.index(spec))]
    if primary not in keys:
        raise doc.error(
            f"'primary' {primary!r} is not a key of the task's metrics{did_you_mean(primary, keys)}", "primary"
        )

    systems, system_options = _systems(doc, path)

    fields = _mapping(doc, "fields")
    for role, column in fields.items():
        if role not in FIELD_ROLES:
            raise doc.error(f"unknown field role {role!r}{did_you_mean(str(role), FIELD_ROLES)}", "fields", role)
        if not isinstance(column, str) or not column:
            raise doc.error(f"field {role!r} must name a column", "fields", role)

    return Task(
        name=name,
        version=version,
        kind=kind,
        data=_string(doc, "data"),
        path=path,
        fields={role: fields.get(role, role) for role in FIELD_ROLES},
        clean=_clean_rules(doc),
        metrics=tuple(metrics),
        primary=primary,
        systems=systems,
        description=str(data.get("description") or ""),
        gate=_gate(doc, keys),
        prompt=_prompt(doc),
        system_options=system_options,
        human=_human(doc),
    )


def _systems(doc: YamlDoc, path: Path) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Default systems: ``name: SPEC``, or ``name: {spec: SPEC, option: value, ...}`` for a generating one."""
    specs: dict[str, str] = {}
    options: dict[str, dict[str, Any]] = {}
    for system, entry in _mapping(doc, "systems").items():
        spec, given = entry, {}
        if isinstance(entry, dict):
            if "spec" not in entry:
                raise doc.error(
                    f"system {system!r}: a mapping entry needs 'spec', e.g. {{spec: 'hf:t5-small'}}", "systems", system
                )
            spec, given = entry["spec"], {k: v for k, v in entry.items() if k != "spec"}
        if not isinstance(spec, str) or not spec:
            raise doc.error(
                f"system {system!r}: the spec must be a string such as 'copy' or 'file:PATH'", "systems", system
            )
        try:
            check_system_name(str(system))
            parse_spec(spec, base_dir=path.parent, options=given)
        except OptionError as exc:
            raise doc.error(f"system {system!r}: {exc}", "systems", system, *([exc.key] if exc.key else [])) from None
        except HarnessError as exc:
            raise doc.error(str(exc), "systems", system) from None
        specs[str(system)] = spec
        if given:
            options[str(system)] = {str(k): v for k, v in given.items()}
    return specs, options


def _prompt(doc: YamlDoc) -> PromptTemplate | None:
    """The prompt template of generating systems, validated here so a typo is reported at its line."""
    raw = doc.data.get("prompt")
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise doc.error("'prompt' must be a non-empty string, e.g. 'Rewrite this article:\\n\\n{source}'", "prompt")
    try:
        return parse_template(raw)
    except HarnessError as exc:
        raise doc.error(str(exc), "prompt") from None


@dataclass(frozen=True)
class HumanSpec:
    """``human:``: the human judgements ``harness meta-eval`` correlates the metrics with.

    ``fields`` are numeric columns of each system's candidate rows (a ``file:`` system), one judgement per
    summary; a list-valued ``<field>_annotators`` beside one holds each annotator's rating. When one candidate
    file holds several systems' summaries (one example per summary, as FRANK is shipped), ``document`` and
    ``system`` name the columns that say which document and which system each row belongs to."""

    fields: tuple[str, ...]
    document: str | None = None
    system: str | None = None


_HUMAN_KEYS = ("fields", "document", "system")


def _human(doc: YamlDoc) -> HumanSpec | None:
    """``human: [field, ...]`` or ``human: {fields: [...], document: COLUMN, system: COLUMN}``."""
    raw = doc.data.get("human")
    if raw is None:
        return None
    given = raw if isinstance(raw, dict) else {"fields": raw}
    for key in given:
        if key not in _HUMAN_KEYS:
            raise doc.error(f"unknown human key {key!r}{did_you_mean(str(key), _HUMAN_KEYS)}", "human", key)
    fields = given.get("fields")
    path = ("human", "fields") if isinstance(raw, dict) else ("human",)
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) and f.strip() for f in fields):
        raise doc.error("'human' must list the human-judgement fields, e.g. human: [consistency, relevance]", *path)
    if len(set(fields)) != len(fields):
        raise doc.error("'human' lists a field twice", *path)
    for key in ("document", "system"):
        value = given.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise doc.error(f"human {key!r} must name a column of the candidate rows", "human", key)
    return HumanSpec(tuple(fields), given.get("document"), given.get("system"))


def _gate(doc: YamlDoc, keys: list[str]) -> Gate:
    """The regression gate of ``harness compare`` / ``eval --baseline``: max_drop, min (by metric key) and
    max_count (by finding name METRIC:KIND, or numeric discrepancy kind)."""
    raw = doc.data.get("gate")
    if raw is None:
        return Gate()
    if not isinstance(raw, dict):
        raise doc.error("'gate' must be a mapping, e.g. {max_drop: {numeric_precision: 0.02}}", "gate")
    found: dict[str, dict[str, Any]] = {}
    for section, entries in raw.items():
        if section not in GATE_SECTIONS:
            raise doc.error(f"unknown gate {section!r}{did_you_mean(str(section), GATE_SECTIONS)}", "gate", section)
        if not isinstance(entries, dict) or not entries:
            raise doc.error(f"gate {section!r} must be a non-empty mapping of name: threshold", "gate", section)
        for name, value in entries.items():
            if section != "max_count" and name not in keys:
                raise doc.error(
                    f"gate {section}: {name!r} is not a key of the task's metrics{did_you_mean(str(name), keys)}",
                    "gate",
                    section,
                    name,
                )
            problem = gate_value_problem(section, str(name), value)
            if problem:
                raise doc.error(f"gate {problem}", "gate", section, name)
        found[section] = {str(name): value for name, value in entries.items()}
    return Gate(found.get("max_drop", {}), found.get("min", {}), found.get("max_count", {}))


def _string(doc: YamlDoc, key: str) -> str:
    value = doc.data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise doc.error(f"{key!r} must be a non-empty string", key)
    return value


def _mapping(doc: YamlDoc, key: str) -> dict[Any, Any]:
    value = doc.data.get(key) or {}
    if not isinstance(value, dict):
        raise doc.error(f"{key!r} must be a mapping", key)
    return value


def _metrics(doc: YamlDoc) -> list[MetricSpec]:
    raw = doc.data["metrics"]
    if not isinstance(raw, list) or not raw:
        raise doc.error("'metrics' must be a non-empty list, e.g. [rouge]", "metrics")
    specs: list[MetricSpec] = []
    for index, item in enumerate(raw):
        if isinstance(item, str):
            spec = MetricSpec(item)
        elif isinstance(item, dict) and len(item) == 1:
            ((name, options),) = item.items()
            if not isinstance(options, dict):
                raise doc.error(f"options of metric {name!r} must be a mapping", "metrics", index)
            spec = MetricSpec(str(name), dict(options))
        else:
            raise doc.error("each metric is a name or {name: {option: value}}", "metrics", index)
        if spec.name in [s.name for s in specs]:
            raise doc.error(f"metric {spec.name!r} is listed twice", "metrics", index)
        specs.append(spec)
    return specs


def _metric_keys(doc: YamlDoc, spec: MetricSpec, index: int) -> list[str]:
    try:
        return build_metric(spec.name, spec.options).keys()
    except HarnessError as exc:
        raise doc.error(str(exc), "metrics", index) from None


def _clean_rules(doc: YamlDoc) -> tuple[CleanRule, ...]:
    raw = doc.data.get("clean") or []
    if not isinstance(raw, list):
        raise doc.error("'clean' must be a list of line patterns", "clean")
    rules: list[CleanRule] = []
    for index, item in enumerate(raw):
        if isinstance(item, str):
            name, pattern = item, item
        elif isinstance(item, dict) and set(item) == {"name", "pattern"}:
            name, pattern = str(item["name"]), item["pattern"]
        else:
            raise doc.error("each clean entry is a regex string or {name: ..., pattern: ...}", "clean", index)
        if not isinstance(pattern, str) or not pattern:
            raise doc.error("a clean pattern must be a non-empty string", "clean", index)
        try:
            rules.append(CleanRule(name, re.compile(pattern)))
        except re.error as exc:
            raise doc.error(f"invalid regex {pattern!r} ({exc})", "clean", index) from None
    return tuple(rules)


@dataclass(frozen=True)
class Dataset:
    """A task's examples and a fingerprint of the data they came from."""

    examples: list[Example]
    sha256: str
    location: str


def load_examples(task: Task) -> Dataset:
    """Load and validate the task's data: required fields present, ids unique, sources non-empty."""
    if task.data.startswith("hf:"):
        location, rows, digest = _hf_rows(task.data)
    else:
        path = task.base_dir / task.data
        if not path.name.lower().endswith(TABLE_SUFFIXES):
            raise HarnessError(
                f"{where(task.path)}: data {task.data!r} must be .jsonl, .jsonl.gz, .csv, .parquet or "
                "hf:NAME[:CONFIG]:SPLIT"
            )
        digest = hashlib.sha256(read_bytes(path)).hexdigest()
        location, rows = str(path), read_rows(path)
    examples = _examples(task, location, rows)
    if not examples:
        raise HarnessError(f"{location}: no examples")
    return Dataset(examples, digest, location)


def _examples(task: Task, location: str, rows: list[Row]) -> list[Example]:
    fields = task.fields
    seen: dict[str, int] = {}
    examples: list[Example] = []
    for row in rows:
        at = where(location, row.line)
        for role in ("id", "source"):
            if fields[role] not in row.fields:
                raise HarnessError(
                    f"{at}: missing field {fields[role]!r} ({role}){did_you_mean(fields[role], map(str, row.fields))}"
                )
        example_id = check_id(row.fields[fields["id"]], at, fields["id"])
        if example_id in seen:
            raise HarnessError(f"{at}: duplicate id {example_id!r} (first at line {seen[example_id]})")
        seen[example_id] = row.line
        source = check_source(row.fields[fields["source"]], at, example_id, fields["source"])
        reference = row.fields.get(fields["reference"])
        if reference is not None and not isinstance(reference, str):
            raise HarnessError(f"{at}: example {example_id!r}: field {fields['reference']!r} must be a string")
        examples.append(Example(example_id, source, reference, row.line))
    return examples


def check_id(raw_id: Any, at: str, name: str = "id") -> str:
    """An example id as the harness keys it: a non-empty string or an integer (``harness eval`` and
    ``harness score --pairs`` apply this one rule); ``at`` is the ``file:line`` of the row."""
    if raw_id is None or isinstance(raw_id, (bool, float, list, dict)) or str(raw_id).strip() == "":
        raise HarnessError(f"{at}: field {name!r} must be a non-empty string or integer, got {raw_id!r}")
    return str(raw_id)


def check_source(source: Any, at: str, example_id: str, name: str = "source") -> str:
    """A source text: a string with something in it (one rule for ``harness eval`` and ``harness score``)."""
    if not isinstance(source, str):  # a number or a list is a wrong column, not an empty one
        got = "null" if source is None else type(source).__name__
        raise HarnessError(f"{at}: example {example_id!r}: field {name!r} (source) must be a string, got {got}")
    if not source.strip():
        raise HarnessError(f"{at}: example {example_id!r}: field {name!r} (source) is empty")
    return source


def _hf_rows(spec: str) -> tuple[str, list[Row], str]:
    """``hf:<dataset>[:<config>]:<split>`` through ``datasets.load_dataset``; rows numbered from 1."""
    parts = spec[3:].split(":")
    if len(parts) not in (2, 3) or not all(parts):
        raise HarnessError(f"data {spec!r}: expected hf:<dataset>[:<config>]:<split>")
    name, config, split = (parts[0], None, parts[1]) if len(parts) == 2 else parts
    import datasets  # seconds to import: only for hub data

    try:
        loaded = datasets.load_dataset(name, config, split=split)
    except Exception as exc:  # datasets raises many types (connection, missing config, bad split)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HarnessError(
            f"data {spec!r}: datasets.load_dataset failed: {first}. Offline, download it on a connected "
            "machine first (it is then read from the HF cache) or export it to a local .jsonl file"
        ) from None
    rows = [Row(index + 1, dict(record)) for index, record in enumerate(loaded)]
    return spec, rows, str(getattr(loaded, "_fingerprint", ""))
