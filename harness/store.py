"""Run directories: ``DIR/<task>/<system>/<run-id>/{run.json,examples.jsonl}``, written atomically.

A run is written into a hidden temporary folder beside its final place and renamed into place only when
both files are complete, so a crash or Ctrl-C leaves no half-written run; an existing run is never
overwritten. Leaderboards and reports read these files and nothing else.
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
from harness.textio import read_rows

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


def read_runs(results_dir: Path, task: str | None = None) -> tuple[list[StoredRun], list[str]]:
    """Every complete run under ``results_dir`` (optionally of one task), and one line per unreadable run."""
    if not results_dir.is_dir():
        raise HarnessError(f"{results_dir}: results folder not found (run `harness eval` first)")
    runs: list[StoredRun] = []
    problems: list[str] = []
    pattern = f"{task}/*/*/{RUN_FILE}" if task else f"*/*/*/{RUN_FILE}"
    for path in sorted(results_dir.glob(pattern)):
        if path.parent.name.startswith(_TMP_PREFIX):
            continue
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            str(meta["task"]["name"]), str(meta["system"]["name"]), dict(meta["means"])
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            problems.append(f"{path}: unreadable run ({type(exc).__name__}: {exc})")
            continue
        runs.append(StoredRun(path.parent, meta))
    # Never ranked as if complete: named, with how to finish it (it may also be a run still being scored).
    partial = f"{task}/*/*/{PARTIAL_FILE}" if task else f"*/*/*/{PARTIAL_FILE}"
    for path in sorted(results_dir.glob(partial)):
        if not (path.parent / RUN_FILE).exists():
            problems.append(
                f"{path.parent}: partial run (interrupted, or still being scored), not ranked; "
                f"complete it with `harness eval --resume {path.parent}`"
            )
    return runs, problems


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
