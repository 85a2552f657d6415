"""A run directory that fills as results arrive, survives an interruption, and is completed by ``--resume``.

While a run is being scored its directory, ``DIR/<task>/<system>/<run-id>/``, holds:

- ``partial.json``: everything needed to finish it (task file and data hash, system, metrics with their
  signatures, seed, limit, and the other runs of the same ``harness eval``);
- ``candidates.jsonl``: the system's candidates, so a resumed run scores exactly what was started (a
  generating system is not asked again; a candidate file edited since is not read);
- ``examples.jsonl``: the rows scored so far, appended and fsync'ed batch by batch, in input order.

It has no ``run.json``, so leaderboards, reports and comparisons do not take it for a run (they read only
directories with one; :func:`harness.store.store.read_runs` lists it as partial). When every example is written,
``run.json`` is written beside the rows (to a temporary name, then renamed, so it appears whole or not at
all), and ``partial.json`` is removed. A process killed mid-write leaves at most one torn last line,
which is dropped when the run is resumed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from harness.errors import HarnessError
from harness.store.store import EXAMPLES_FILE, PARTIAL_FILE, RUN_FILE

CANDIDATES_FILE = "candidates.jsonl"


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def _dumps(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n"


@dataclass
class Journal:
    """One partial run: its directory, its plan, and the example ids already written."""

    path: Path
    plan: dict[str, Any]
    done: set[str] = field(default_factory=set)
    _out: IO[str] | None = None

    @property
    def system(self) -> str:
        return str(self.plan["system"]["name"])

    def append(self, rows: Iterable[dict[str, Any]]) -> None:
        """Append rows (not yet durable: :meth:`sync` after each batch)."""
        if self._out is None:
            # Open for the whole run (closed by close()): rows are appended batch by batch.
            self._out = open(self.path / EXAMPLES_FILE, "a", encoding="utf-8")  # noqa: SIM115
        for row in rows:
            self._out.write(_dumps(row))
            self.done.add(str(row["id"]))

    def sync(self) -> None:
        """Make what was appended durable: a crash after this loses none of it."""
        if self._out is not None:
            self._out.flush()
            os.fsync(self._out.fileno())

    def close(self) -> None:
        if self._out is not None:
            self.sync()
            self._out.close()
            self._out = None

    def rows(self) -> Iterator[dict[str, Any]]:
        """The rows written so far, read back one at a time (the driver never holds them all)."""
        self.close()
        with open(self.path / EXAMPLES_FILE, encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)

    def candidates(self) -> tuple[dict[str, str], dict[str, str]]:
        """The candidates the run was started with (id -> text), and the generation failures (id -> message)."""
        texts: dict[str, str] = {}
        with open(self.path / CANDIDATES_FILE, encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                texts[str(record["id"])] = str(record["candidate"])
        return texts, {str(k): str(v) for k, v in self.plan.get("generation_failures", {}).items()}

    def finish(self, run: dict[str, Any], *, written: list[str], order: list[str], keep_candidates: bool) -> Path:
        """Complete the run: rows in input order (``written``: the ids as the file holds them), then
        ``run.json`` (atomically), then drop the plan."""
        self.close()
        if written != order:
            if sorted(written) != sorted(order):
                missing = sorted(set(order) - set(written))[:5]
                raise HarnessError(f"{self.path}: examples.jsonl lacks ids {missing} (or holds others)")
            self._reorder(order)
        if not keep_candidates:
            (self.path / CANDIDATES_FILE).unlink(missing_ok=True)
        text = json.dumps(run, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        try:
            _write_atomically(self.path / RUN_FILE, text)
        except OSError as exc:
            raise HarnessError(f"{self.path}: cannot write run ({exc.strerror})") from None
        (self.path / PARTIAL_FILE).unlink(missing_ok=True)
        return self.path

    def _reorder(self, order: list[str]) -> None:
        """Rows written out of input order (rows of an older partial run resumed in a different order)."""
        rank = {example_id: index for index, example_id in enumerate(order)}
        rows = sorted(self.rows(), key=lambda row: rank[str(row["id"])])
        _write_atomically(self.path / EXAMPLES_FILE, "".join(_dumps(row) for row in rows))


def candidates_text(candidates: Iterable[tuple[str, str]]) -> str:
    """``candidates.jsonl`` as written: one ``{"id", "candidate"}`` line per example, in input order."""
    return "".join(_dumps({"id": example_id, "candidate": text}) for example_id, text in candidates)


def start(parent: Path, run_id: str, plan: dict[str, Any], candidates: str) -> Journal:
    """Create the partial run ``parent/run_id`` with its plan and candidates (:func:`candidates_text`), no rows."""
    path = parent / run_id
    try:
        parent.mkdir(parents=True, exist_ok=True)
        path.mkdir()
        _write_atomically(path / CANDIDATES_FILE, candidates)
        (path / EXAMPLES_FILE).touch()
        # Written last: a directory with partial.json has everything needed to resume it.
        _write_atomically(path / PARTIAL_FILE, json.dumps(plan, ensure_ascii=False, indent=2) + "\n")
    except FileExistsError:
        raise HarnessError(f"{path}: a run with this id exists already; not overwriting it") from None
    except OSError as exc:
        raise HarnessError(f"{path}: cannot create run ({exc.strerror})") from None
    return Journal(path, plan)


def is_partial(path: Path) -> bool:
    """A run directory that was started and not completed."""
    return (path / PARTIAL_FILE).is_file() and not (path / RUN_FILE).is_file()


def reopen(path: Path) -> Journal:
    """A partial run to resume: its plan and the ids already written (a torn last line is dropped)."""
    if (path / RUN_FILE).is_file():
        raise HarnessError(f"{path}: this run is complete (it has {RUN_FILE}); nothing to resume")
    if not (path / PARTIAL_FILE).is_file():
        raise HarnessError(f"{path}: not a partial run (no {PARTIAL_FILE}); give the folder of an interrupted run")
    try:
        plan = json.loads((path / PARTIAL_FILE).read_text(encoding="utf-8"))
        done = _repair(path / EXAMPLES_FILE)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarnessError(f"{path}: unreadable partial run ({type(exc).__name__}: {exc})") from None
    return Journal(path, plan, done)


def _repair(path: Path) -> set[str]:
    """Ids of the complete rows; a last line cut short by a kill (no newline, or not JSON) is removed."""
    if not path.exists():
        path.touch()
        return set()
    done: set[str] = set()
    good = 0
    with open(path, "rb") as handle:
        for line in handle:
            try:
                row = json.loads(line) if line.endswith(b"\n") else None
            except json.JSONDecodeError:
                row = None
            if row is None:
                break  # only the last line can be torn: rows are appended, and fsync'ed batch by batch
            done.add(str(row["id"]))
            good += len(line)
    if good != path.stat().st_size:
        os.truncate(path, good)
    return done
