"""The human-judged datasets ``harness meta-eval`` knows, and how their scores are gathered from runs.

A dataset is a task with a ``human:`` field list (:class:`harness.read.tasks.HumanSpec`). The human judgements are
columns of each system's candidate rows; the metric scores come from the runs ``harness eval`` writes, so
scoring happens once: a (system, metric) pair without a usable run is scored by :func:`harness.scoring.runner.run_eval`
into the results folder, and every later meta-evaluation only recomputes statistics. A run is usable when it
is of the same task version and data, scored the system's current candidate file, covers every example, and
(for a metric the task or the user names) has the metric's current signature.

The four shipped datasets (derived by ``data/metaeval/derive.py``) have fixed names and defaults:
``summeval`` (expert consistency), ``realsumm-abs`` and ``realsumm-ext`` (LitePyramid recall), ``frank``
(Factuality, on the ``test`` split; its error-type columns also give the binary ROC-AUC view). Any other task
with a ``human:`` list can be named too, with its first human field as the default aspect.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from harness.errors import HarnessError, did_you_mean, where
from harness.metaeval.levels import GLOBAL, PARTIAL, SUMMARY, SYSTEM
from harness.read.tasks import MetricSpec, Task, find_task, load_examples, load_task
from harness.read.textio import read_bytes, read_rows
from harness.store.store import StoredRun, examples_by_id, read_runs

FRANK_ERRORS = ("RelE", "EntE", "CircE", "OutE", "GramE", "CorefE", "LinkE", "Other")


@dataclass(frozen=True)
class DatasetInfo:
    """A named dataset: its task, default aspect (human field) and levels, and dataset-specific views."""

    name: str
    task: str
    aspect: str
    levels: tuple[str, ...] = (SUMMARY, SYSTEM, GLOBAL)
    split_field: str | None = None
    split: str | None = None  # the split reported by default
    binary: tuple[str, ...] = ()  # human fields that are FRANK-style labels (1 = free of that error)
    notes: tuple[str, ...] = ()


DATASETS = {
    "summeval": DatasetInfo(
        "summeval",
        "summeval",
        "consistency",
        notes=("human scores: the mean of 3 experts' 1-5 ratings (Fabbri et al. 2021)",),
    ),
    "realsumm-abs": DatasetInfo(
        "realsumm-abs",
        "realsumm-abs",
        "litepyramid",
        notes=(
            "bart is the extractive BART, identical (text and scores) in realsumm-ext (neulab/REALSumm issue #3); "
            "kept here as the published correlations on this set keep it",
        ),
    ),
    "realsumm-ext": DatasetInfo("realsumm-ext", "realsumm-ext", "litepyramid"),
    "frank": DatasetInfo(
        "frank",
        "frank",
        "factuality",
        levels=(PARTIAL, SUMMARY, GLOBAL),
        split_field="split",
        split="test",
        binary=("factuality", *FRANK_ERRORS),
        notes=(
            "FRANK's authors tune on 'valid' and report 'test' (--split valid|all for the others); CNN/DM "
            "documents were summarised by 5 systems, XSum documents by 4 others",
        ),
    ),
}


def resolve(name: str) -> DatasetInfo:
    """A dataset by name, or a task (name or path) that lists human judgements."""
    if name in DATASETS:
        return DATASETS[name]
    try:
        path = find_task(name)
    except HarnessError as exc:
        raise HarnessError(f"unknown dataset {name!r}{did_you_mean(name, DATASETS)} ({exc})") from None
    task = load_task(path)
    if task.human is None:
        raise HarnessError(
            f"task {task.name!r} ({path}) has no human judgements: meta-eval needs a 'human:' field list "
            f"naming numeric columns of the candidate rows; the known datasets are {', '.join(DATASETS)}"
        )
    return DatasetInfo(task.name, str(path), task.human.fields[0])


@dataclass(frozen=True)
class Key:
    """One score key of a metric, oriented so that higher always means better."""

    name: str
    metric: str
    orientation: float  # -1.0 for a key where lower is better


@dataclass
class Scores:
    """Everything meta-evaluation needs of one dataset: a documents x systems matrix per key and per human
    field (NaN where a system did not summarise a document) and where the numbers came from."""

    info: DatasetInfo
    task: Task
    documents: list[str]
    systems: list[str]
    keys: list[Key]
    metric: dict[str, NDArray[np.float64]]  # key -> (n, m), oriented
    human: dict[str, NDArray[np.float64]]  # field -> (n, m)
    annotators: dict[str, NDArray[np.float64]]  # field -> (A, n, m): each annotator's rating
    present: NDArray[np.bool_]
    signatures: dict[str, str]
    data: dict[str, Any]
    split: str | None
    excluded: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def score_keys(metric: str, directions: dict[str, str]) -> tuple[list[Key], dict[str, str]]:
    """A metric's keys with a better direction, oriented (lower is better: negated), and the others with the
    reason they are left out; a metric with none is an error."""
    keys = [Key(key, metric, -1.0 if d == "lower" else 1.0) for key, d in directions.items() if d != "none"]
    if not keys:
        raise HarnessError(
            f"metric {metric!r} has no score keys with a better direction ({', '.join(directions) or 'no keys'}): "
            "meta-evaluation correlates scores, where higher (or lower) means more faithful"
        )
    reason = "a count or descriptive statistic (no better direction), not a score"
    return keys, {key: reason for key, d in directions.items() if d == "none"}


def _sha(path: Path) -> str:
    return hashlib.sha256(read_bytes(path)).hexdigest()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _candidate_rows(task: Task) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, str], list[str]]:
    """Each file: system's candidate rows by id, the files' sha256, and notes on systems without a file."""
    from harness.generate.systems import parse_spec

    rows: dict[str, dict[str, dict[str, Any]]] = {}
    digests: dict[str, str] = {}
    notes = []
    for name, spec in task.systems.items():
        parsed = parse_spec(spec, base_dir=task.base_dir)
        if parsed.kind != "file" or parsed.path is None:
            notes.append(f"system {name} ({spec}) has no candidate file, so no human judgements: left out")
            continue
        file = str(parsed.path)
        found = read_rows(parsed.path)
        rows[name] = {str(r.fields.get("id")): {**r.fields, "_file": file, "_line": r.line} for r in found}
        digests[name] = _sha(parsed.path)
    if not rows:
        raise HarnessError(f"task {task.name!r}: no system has a candidate file holding human judgements")
    return rows, digests, notes


def _usable(run: StoredRun, task: Task, data_sha: str, n_examples: int, candidates_sha: str) -> bool:
    meta = run.meta
    return (
        meta["task"].get("version") == task.version
        and meta["task"].get("data_sha256") == data_sha
        and meta["system"].get("candidates_sha256") == candidates_sha
        and meta.get("examples", {}).get("n") == n_examples
        and not (meta.get("failures") or {}).get("ids")
    )


def metric_specs(
    task: Task, names: list[str] | None, flags: dict[str, dict[str, Any]] | None = None
) -> list[MetricSpec]:
    """The metrics named by --metrics (with the task's options where the task lists them), else the task's;
    ``flags`` (``--metric-option``) over their options."""
    from harness.scoring.metric_options import apply_metric_options

    if names is None:
        chosen, by = list(task.metrics), f"task {task.name!r}"
    else:
        listed = {spec.name: spec for spec in task.metrics}
        chosen, by = [listed.get(name, MetricSpec(name)) for name in names], "--metrics"
    return list(apply_metric_options(chosen, flags or {}, chosen_by=by))


def gather(
    info: DatasetInfo,
    *,
    results_dir: Path,
    metric_names: list[str] | None = None,
    metric_options: dict[str, dict[str, Any]] | None = None,
    split: str | None = None,
    seed: int = 1234,
    progress: Callable[[str], None] = lambda message: None,
) -> Scores:
    """Load the dataset's task and human judgements, score what is missing, and build the matrices."""
    from harness.generate.systems import parse_spec
    from harness.scoring.registry import build_metric
    from harness.scoring.runner import RunOptions, run_eval

    task = load_task(find_task(info.task))
    if task.human is None:
        raise HarnessError(f"task {task.name!r} has no human judgements ('human:' field list)")
    dataset = load_examples(task)
    candidates, digests, notes = _candidate_rows(task)
    # Which summaries are used (and whether there are enough systems) is known before anything is scored.
    layout = _layout(info, task, dataset, candidates, split)
    specs = metric_specs(task, metric_names, metric_options)
    built = {spec.name: build_metric(spec.name, spec.options) for spec in specs}
    # A metric with nothing to correlate is refused now, before minutes of scoring, not when its run is read.
    for name, metric in built.items():
        score_keys(name, {key: metric.direction(key) for key in metric.keys()})
    wanted = {name: metric.signature() for name, metric in built.items()}

    def usable_runs() -> dict[str, list[StoredRun]]:
        if not results_dir.is_dir():
            return {}
        runs, _ = read_runs(results_dir, task.name)
        found: dict[str, list[StoredRun]] = {}
        for run in runs:
            system = run.system
            if system in digests and _usable(run, task, dataset.sha256, len(dataset.examples), digests[system]):
                found.setdefault(system, []).append(run)
        for system_runs in found.values():
            system_runs.sort(key=lambda r: str(r.meta.get("started_at", "")), reverse=True)
        return found

    def newest(runs: list[StoredRun], metric: str, signature: str | None) -> StoredRun | None:
        for run in runs:
            recorded = run.meta.get("signatures", {}).get(metric)
            if recorded is not None and (signature is None or recorded == signature):
                return run
        return None

    runs = usable_runs()
    missing: dict[tuple[str, ...], list[str]] = {}
    for system in digests:
        lacking = tuple(name for name, sig in wanted.items() if newest(runs.get(system, []), name, sig) is None)
        if lacking:
            missing.setdefault(lacking, []).append(system)
    options = RunOptions(results_dir=results_dir, seed=seed)
    for lacking, systems in missing.items():
        chosen = tuple(spec for spec in specs if spec.name in lacking)
        plural = "s" if len(systems) != 1 else ""
        progress(
            f"{info.name}: scoring {len(systems)} system{plural} with {', '.join(lacking)} (harness eval {task.name})"
        )
        parsed = {name: parse_spec(task.systems[name], base_dir=task.base_dir) for name in systems}
        run_eval(task, parsed, metric_specs=chosen, options=options, progress=progress)
    runs = usable_runs()

    if metric_names is None:
        # Every other metric that each system has a usable run of, with one signature throughout.
        others = sorted({m for rs in runs.values() for r in rs for m in r.meta.get("signatures", {})} - set(wanted))
        for name in others:
            chosen_runs = [newest(runs.get(system, []), name, None) for system in digests]
            signatures = {r.meta["signatures"][name] for r in chosen_runs if r is not None}
            if None in chosen_runs or len(signatures) != 1:
                notes.append(f"metric {name}: not every system has a run of it with one signature; left out")
            else:
                wanted[name] = signatures.pop()

    return _matrices(info, task, dataset, candidates, digests, runs, wanted, newest, layout, notes)


Layout = tuple[list[str], list[str], dict[tuple[str, str], tuple[str, str]], str | None]


def _layout(
    info: DatasetInfo, task: Task, dataset: Any, candidates: dict[str, dict[str, dict[str, Any]]], split: str | None
) -> Layout:
    """The documents, the systems, each (document, system) cell's (harness system, example id), and the split."""
    assert task.human is not None
    human_spec = task.human
    chosen_split = split if split is not None else info.split
    if split is not None and info.split_field is None:
        raise HarnessError(f"dataset {info.name!r} has no splits; --split applies to frank")
    if chosen_split == "all":
        chosen_split = None
    documents: list[str] = []
    systems: list[str] = []
    cells: dict[tuple[str, str], tuple[str, str]] = {}  # (doc, system) -> (harness system, example id)
    for system, rows in candidates.items():
        for example in dataset.examples:
            if example.id not in rows:
                continue
            row = rows[example.id]
            if chosen_split is not None and info.split_field is not None:
                value = row.get(info.split_field)
                if value is None:
                    raise HarnessError(f"{where(row['_file'], row['_line'])}: no {info.split_field!r} field")
                if str(value) != chosen_split:
                    continue
            for column in (human_spec.document, human_spec.system):
                if column is not None and column not in row:
                    raise HarnessError(f"{where(row['_file'], row['_line'])}: no {column!r} field (task 'human:')")
            doc = str(row[human_spec.document]) if human_spec.document else example.id
            name = str(row[human_spec.system]) if human_spec.system else system
            if (doc, name) in cells:
                raise HarnessError(f"{info.name}: document {doc!r} has two summaries by system {name!r}")
            cells[(doc, name)] = (system, example.id)
            if doc not in documents:
                documents.append(doc)
            if name not in systems:
                systems.append(name)
    if not cells:
        raise HarnessError(f"{info.name}: no summaries{f' in split {chosen_split!r}' if chosen_split else ''}")
    if len(systems) < 3:
        raise HarnessError(
            f"{info.name}: {len(systems)} systems ({', '.join(systems)}); correlating metrics with people "
            "across systems needs at least 3"
        )

    return documents, systems, cells, chosen_split


def _matrices(
    info: DatasetInfo,
    task: Task,
    dataset: Any,
    candidates: dict[str, dict[str, dict[str, Any]]],
    digests: dict[str, str],
    runs: dict[str, list[StoredRun]],
    wanted: dict[str, str],
    newest: Callable[[list[StoredRun], str, str | None], StoredRun | None],
    layout: Layout,
    notes: list[str],
) -> Scores:
    assert task.human is not None
    human_spec = task.human
    documents, systems, cells, chosen_split = layout
    keys: list[Key] = []
    excluded: dict[str, str] = {}
    scores: dict[tuple[str, str], dict[str, Any]] = {}  # (system, example id) -> row of scores
    for metric, signature in wanted.items():
        chosen = {system: newest(runs.get(system, []), metric, signature) for system in digests}
        for system, run in chosen.items():
            if run is None:
                raise HarnessError(f"{info.name}: no usable run of {system} with {metric} after scoring it")
        first = next(r for r in chosen.values() if r is not None)
        mine, left_out = score_keys(metric, first.meta.get("metrics", {}).get(metric, {}).get("directions", {}))
        keys += mine
        excluded.update(left_out)
        for system, run in chosen.items():
            assert run is not None
            for example_id, row in examples_by_id(run.path).items():
                scores.setdefault((system, example_id), {}).update({k.name: row.get(k.name) for k in mine})

    doc_index = {d: i for i, d in enumerate(documents)}
    sys_index = {s: j for j, s in enumerate(systems)}
    shape = (len(documents), len(systems))
    present = np.zeros(shape, dtype=bool)
    values = {k.name: np.full(shape, np.nan) for k in keys}
    human = {f: np.full(shape, np.nan) for f in human_spec.fields}
    annotator_rows: dict[str, dict[tuple[int, int], list[float]]] = {f: {} for f in human_spec.fields}
    for (doc, name), (system, example_id) in cells.items():
        i, j = doc_index[doc], sys_index[name]
        present[i, j] = True
        row = candidates[system][example_id]
        for f in human_spec.fields:
            value = _number(row.get(f))
            if value is None:
                raise HarnessError(
                    f"{where(row['_file'], row['_line'])}: example {example_id!r}: human field {f!r} must be a number, "
                    f"got {row.get(f)!r}"
                )
            human[f][i, j] = value
            ratings = row.get(f"{f}_annotators")
            if isinstance(ratings, list) and ratings and all(_number(r) is not None for r in ratings):
                annotator_rows[f][(i, j)] = [float(r) for r in ratings]
        scored = scores.get((system, example_id), {})
        for k in keys:
            value = _number(scored.get(k.name))
            if value is None:
                raise HarnessError(f"{info.name}: run of {system} has no {k.name} for example {example_id!r}")
            values[k.name][i, j] = k.orientation * value

    annotators: dict[str, NDArray[np.float64]] = {}
    for f, found in annotator_rows.items():
        lengths = {len(r) for r in found.values()}
        if len(found) == int(present.sum()) and len(lengths) == 1 and lengths.pop() >= 2:
            stacked = np.full((len(next(iter(found.values()))), *shape), np.nan)
            for (i, j), ratings in found.items():
                stacked[:, i, j] = ratings
            annotators[f] = stacked

    data = {
        "task_data_sha256": dataset.sha256,
        "candidates_sha256": dict(sorted(digests.items())),
        "sha256": hashlib.sha256(
            "\n".join([dataset.sha256, *(f"{s}:{d}" for s, d in sorted(digests.items()))]).encode()
        ).hexdigest(),
    }
    return Scores(
        info,
        task,
        documents,
        systems,
        keys,
        values,
        human,
        annotators,
        present,
        dict(wanted),
        data,
        chosen_split,
        excluded,
        [*info.notes, *notes],
    )
