"""Run directories: ``DIR/<task>/<system>/<run-id>/{run.json,examples.jsonl}``, written atomically.

A run is written into a hidden temporary folder beside its final place and renamed into place only when
both files are complete, so a crash or Ctrl-C leaves no half-written run; an existing run is never
overwritten. Leaderboards and reports read these files and nothing else; a run whose files they cannot use
(an empty or cut-off ``run.json``, a bad line in ``examples.jsonl``) is a :class:`BrokenRun` that names the
file, the line and what is wrong, never a raw exception text.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.read.textio import read_rows

RUN_FILE = "run.json"
EXAMPLES_FILE = "examples.jsonl"
# A run being scored, or interrupted while it was (harness.parallel.journal): no run.json yet.
PARTIAL_FILE = "partial.json"
_TMP_PREFIX = ".tmp-"


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, unique run id: UTC time to the microsecond plus a random suffix."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S.%fZ}-{secrets.token_hex(3)}"


def write_run(results_dir: Path, task: str, system: str, run: dict[str, Any], examples: list[dict[str, Any]]) -> Path:
    """Write one run atomically and return its directory; ``run['run_id']`` names it."""
    parent = results_dir / task / system
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HarnessError(f"{parent}: cannot create results folder ({exc.strerror})") from None
    final = parent / str(run["run_id"])
    if final.exists():
        raise HarnessError(f"{final}: a run with this id exists already; not overwriting it")
    tmp = parent / f"{_TMP_PREFIX}{final.name}"
    try:
        tmp.mkdir()
        with open(tmp / EXAMPLES_FILE, "w", encoding="utf-8") as out:
            for row in examples:
                out.write(json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        with open(tmp / RUN_FILE, "w", encoding="utf-8") as out:
            json.dump(run, out, ensure_ascii=False, indent=2, allow_nan=False)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.rename(tmp, final)  # atomic on POSIX; fails rather than replace a non-empty folder
    except OSError as exc:
        raise HarnessError(f"{final}: cannot write run ({exc.strerror})") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


@dataclass(frozen=True)
class StoredRun:
    """A run read back from disk."""

    path: Path
    meta: dict[str, Any]

    @property
    def task(self) -> str:
        return str(self.meta["task"]["name"])

    @property
    def system(self) -> str:
        return str(self.meta["system"]["name"])


@dataclass(frozen=True)
class BrokenRun:
    """A run whose files cannot be ranked: ``where`` is the file (``run.json``, ``examples.jsonl:17``) inside
    the run folder ``path``, ``what`` says what is wrong with it. Task and system come from the folder names,
    as the file that would name them may be the broken one."""

    path: Path
    where: str
    what: str

    @property
    def task(self) -> str:
        return self.path.parent.parent.name

    @property
    def system(self) -> str:
        return self.path.parent.name

    @property
    def reason(self) -> str:
        """What is wrong, relative to the run folder: ``examples.jsonl:17: invalid JSON (...)``."""
        return f"{self.where}: {self.what}"

    def __str__(self) -> str:
        return f"{self.path / self.where}: {self.what}"


def meta_problem(meta: Any) -> str | None:
    """What makes a parsed ``run.json`` unusable by leaderboards and reports, or None."""
    if not isinstance(meta, dict):
        return f"expected a JSON object, got {_json_type(meta)}"
    for section in ("task", "system"):
        if not isinstance(meta.get(section), dict) or not isinstance(meta[section].get("name"), str):
            return f"'{section}.name' is missing or not a string"
    means = meta.get("means")
    if not isinstance(means, dict) or not all(_is_number(v) for v in means.values()):
        return "'means' is missing or not an object of numbers"
    examples = meta.get("examples")
    if not isinstance(examples, dict) or not isinstance(examples.get("n"), int):
        return "'examples.n' is missing or not an integer"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _read_meta(path: Path) -> tuple[dict[str, Any] | None, BrokenRun | None]:
    """``run.json`` parsed and checked, or why not (one line, never a raw exception text)."""
    run_dir = path.parent
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, BrokenRun(run_dir, RUN_FILE, f"not valid UTF-8 at byte offset {exc.start}")
    except OSError as exc:
        return None, BrokenRun(run_dir, RUN_FILE, f"cannot read ({exc.strerror})")
    if not text.strip():
        return None, BrokenRun(run_dir, RUN_FILE, "empty file (cut off while it was written?)")
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        # A file that stops before its closing brace was cut off while it was written (a full disk, a kill).
        cut = "" if text.rstrip().endswith("}") else " (cut off?)"
        return None, BrokenRun(
            run_dir, f"{RUN_FILE}:{exc.lineno}", f"invalid JSON ({exc.msg}: column {exc.colno}){cut}"
        )
    problem = meta_problem(meta)
    if problem is not None:
        return None, BrokenRun(run_dir, RUN_FILE, problem)
    return meta, None


def scan_runs(results_dir: Path, task: str | None = None) -> tuple[list[StoredRun], list[BrokenRun], list[str]]:
    """Every complete run under ``results_dir`` (optionally of one task), every run whose ``run.json`` is
    broken, and one line per partial run."""
    if not results_dir.is_dir():
        raise HarnessError(f"{results_dir}: results folder not found (run `harness eval` first)")
    runs: list[StoredRun] = []
    broken: list[BrokenRun] = []
    problems: list[str] = []
    pattern = f"{task}/*/*/{RUN_FILE}" if task else f"*/*/*/{RUN_FILE}"
    for path in sorted(results_dir.glob(pattern)):
        if path.parent.name.startswith(_TMP_PREFIX):
            continue
        meta, problem = _read_meta(path)
        if problem is not None:
            broken.append(problem)
            continue
        assert meta is not None
        runs.append(StoredRun(path.parent, meta))
    # Never ranked as if complete: named, with how to finish it (it may also be a run still being scored).
    partial = f"{task}/*/*/{PARTIAL_FILE}" if task else f"*/*/*/{PARTIAL_FILE}"
    for path in sorted(results_dir.glob(partial)):
        if not (path.parent / RUN_FILE).exists():
            problems.append(
                f"{path.parent}: partial run (interrupted, or still being scored), not ranked; "
                f"complete it with `harness eval --resume {path.parent}`"
            )
    return runs, broken, problems


def read_runs(results_dir: Path, task: str | None = None) -> tuple[list[StoredRun], list[str]]:
    """Every complete run under ``results_dir`` (optionally of one task), and one line per unreadable or
    partial run."""
    runs, broken, problems = scan_runs(results_dir, task)
    return runs, [f"{item.path}: unreadable run ({item.reason})" for item in broken] + problems


def examples_problem(run: StoredRun) -> BrokenRun | None:
    """What keeps a run's ``examples.jsonl`` from being ranked, or None: unreadable lines, an id held twice, a
    scored row without a number for every key of ``means``, or not as many rows as ``run.json`` describes."""
    path = run.path / EXAMPLES_FILE
    try:
        rows = read_rows(path)
    except HarnessError as exc:  # "PATH:LINE: what": keep the line, drop the folder (BrokenRun has it)
        where, _, what = str(exc).removeprefix(f"{run.path}/").partition(": ")
        return BrokenRun(run.path, where, what)
    seen: dict[str, int] = {}
    keys = list(run.meta["means"])
    for row in rows:
        at = f"{EXAMPLES_FILE}:{row.line}"
        example_id = str(row.fields.get("id"))
        if "id" not in row.fields:
            return BrokenRun(run.path, at, "no 'id'")
        if example_id in seen:
            return BrokenRun(run.path, at, f"holds id {example_id!r} twice (first at line {seen[example_id]})")
        seen[example_id] = row.line
        if "error" in row.fields:  # a failed example: no scores, by design
            continue
        for key in keys:
            if not _is_number(row.fields.get(key)):
                return BrokenRun(run.path, at, f"example {example_id!r}: {key!r} is missing or not a number")
    failures = run.meta.get("failures")
    failed = failures.get("n", 0) if isinstance(failures, dict) else 0
    expected = run.meta["examples"]["n"] + (failed if isinstance(failed, int) else 0)
    if len(rows) != expected:
        return BrokenRun(
            run.path, EXAMPLES_FILE, f"holds {len(rows)} examples; run.json describes {expected} (cut off?)"
        )
    return None


def read_examples(run_dir: Path) -> list[dict[str, Any]]:
    """The per-example rows of a run."""
    return [row.fields for row in read_rows(run_dir / EXAMPLES_FILE)]


def examples_by_id(run_dir: Path) -> dict[str, dict[str, Any]]:
    """The per-example rows of a run by id (in file order); an id held twice is an error."""
    rows: dict[str, dict[str, Any]] = {}
    for row in read_examples(run_dir):
        example_id = str(row.get("id"))
        if example_id in rows:
            raise HarnessError(f"{run_dir}: examples.jsonl holds id {example_id!r} twice")
        rows[example_id] = row
    return rows
