"""``harness probe`` without the CLI: perturb a task's candidates, score them, and fill the probe x metric matrix.

Items. The probed candidates are those of the task's first ``file:`` system (its first system when it has
none, the sources themselves when it has no system; systems that generate their candidates with a model are
left out), one per example; ``n`` picks that many examples at random
(seeded) and keeps their order. Every probe is applied to every item with its own generator,
``numpy.random.default_rng([seed, crc32(probe name), item position])``, so a probe's edits do not depend on
which other probes or metrics run.

Margins. An item counts as *moved* on a key when the perturbed candidate's score differs from the original's
by more than the key's margin. For a count (a key whose upper bound is infinite) the margin is one flag: a
difference of at least 1. Otherwise it is half the key's standard deviation across systems on the same
items: the task's systems are all scored on the items, and the per-item sample variances across systems are
averaged (pooled) before the square root, so the margin is the typical spread between systems on one example,
not the spread between examples. With a single system the fallback is half the standard deviation across
items of that system's scores, and with a single item, 0 (any change counts).

Rates. For each (probe, key) with an expectation, the share of the probe's items on which the key behaved as
expected (:mod:`harness.probe.base`): ``worse`` / ``better`` beyond the margin, ``same`` within it, or
``not_worse``. Its 95% interval is the percentile bootstrap over items of those per-item successes
(:func:`harness.rank.stats.bootstrap_intervals`, seeded; the successes are paired differences, perturbed minus
original on the same item); the mean difference and its paired bootstrap interval are reported with it.

Detection. A probe's *detection rate* is over its designated keys: for an error probe, the share of items on
which at least one designated key moved the expected way; for an invariance probe, the share on which every
designated key stayed within its margin. ``--fail-under RATE`` fails when a probe with designated keys among
the probed metrics and at least one item has a detection rate below RATE; probes without are not gated.
A *blind spot* is an error probe that no key catches, i.e. no key moved the expected way on at least half of
its items.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harness.errors import HarnessError
from harness.generate.systems import candidates_for, parse_spec
from harness.probe.base import Perturbation, Probe, all_probes
from harness.rank import stats
from harness.read.cleaning import clean_text
from harness.read.tasks import MetricSpec, Task, load_examples
from harness.scoring.registry import Metric, build_metric, check_scores, metric_class, metric_names

CATCH = 0.5  # a key "catches" a probe when it moves the expected way on at least this share of items
VERSION = "1"


@dataclass(frozen=True)
class KeyInfo:
    """A probed metric key: its metric, registered direction, whether it is a count, and its margin."""

    key: str
    metric: str
    direction: str
    count: bool
    margin: float
    margin_from: str  # across-systems | across-items | single-item | one-flag


@dataclass
class Cell:
    """One (probe, key): expectation, success rate with its interval, and the mean score difference."""

    expected: str
    n: int
    rate: float | None = None
    low: float | None = None
    high: float | None = None
    delta: float | None = None
    delta_low: float | None = None
    delta_high: float | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ProbeResult:
    """One probe over the items: its cells, detection rate over designated keys, and what it edited."""

    name: str
    description: str
    frank: str | None
    kind: str
    n: int
    designated: list[str]
    cells: dict[str, Cell]
    detection: Cell | None
    items: list[dict[str, Any]] = field(default_factory=list)

    def caught_by(self) -> list[str]:
        """Keys that moved the expected way on at least :data:`CATCH` of the items."""
        return [k for k, c in self.cells.items() if c.rate is not None and c.rate >= CATCH]


@dataclass
class ProbeRun:
    """The whole matrix and how it was made."""

    task: str
    task_version: int | str
    seed: int
    resamples: int
    probed_system: str
    margin_systems: list[str]
    items: list[str]
    metrics: dict[str, str]  # name -> signature
    keys: dict[str, KeyInfo]
    probes: list[ProbeResult]

    def blind_spots(self) -> list[str]:
        """Error probes with items that no key catches."""
        return [p.name for p in self.probes if p.kind == "error" and p.n and not p.caught_by()]

    def invariance_breaks(self) -> dict[str, list[str]]:
        """Invariance probe -> its designated keys that moved on some item."""
        out = {}
        for p in self.probes:
            if p.kind == "invariance" and p.n:
                moved = [k for k in p.designated if (p.cells[k].rate or 0.0) < 1.0]
                if moved:
                    out[p.name] = moved
        return out

    def failures(self, rate: float) -> list[str]:
        """Probes whose detection rate over their designated keys is below ``rate`` (for --fail-under)."""
        return [
            f"{p.name}: {p.detection.rate:.2f} < {rate:g} ({', '.join(p.designated)})"
            for p in self.probes
            if p.detection is not None and p.detection.rate is not None and p.detection.rate < rate
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "probe_version": VERSION,
            "task": self.task,
            "task_version": self.task_version,
            "seed": self.seed,
            "bootstrap": {"method": "percentile", "level": stats.DEFAULT_LEVEL, "resamples": self.resamples},
            "catch_threshold": CATCH,
            "probed_system": self.probed_system,
            "margin_systems": self.margin_systems,
            "items": self.items,
            "metrics": self.metrics,
            "keys": {k: dict(v.__dict__) for k, v in self.keys.items()},
            "probes": [
                {
                    "name": p.name,
                    "description": p.description,
                    "frank": p.frank,
                    "kind": p.kind,
                    "n": p.n,
                    "designated": p.designated,
                    "detection": p.detection.to_json() if p.detection else None,
                    "caught_by": p.caught_by(),
                    "cells": {k: c.to_json() for k, c in p.cells.items()},
                    "edits": p.items,
                }
                for p in self.probes
            ],
            "blind_spots": self.blind_spots(),
            "invariance_breaks": self.invariance_breaks(),
        }


def _metrics(
    task: Task,
    specs: tuple[MetricSpec, ...] | None,
    flags: dict[str, dict[str, Any]] | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> list[Metric]:
    """The probed metrics: ``specs``, or every registered metric that is configured (a metric whose required
    options, such as nli's model, nobody set is left out with a note); with the task's options where it sets
    them, and ``flags`` (``--metric-option``) over both."""
    options = {spec.name: spec.options for spec in task.metrics}
    flags = flags or {}
    if specs:
        return [
            build_metric(spec.name, {**(spec.options or options.get(spec.name) or {}), **flags.get(spec.name, {})})
            for spec in specs
        ]
    built = []
    for name in metric_names():
        given = {**options.get(name, {}), **flags.get(name, {})}
        missing = [option for option in metric_class(name).required_options if given.get(option) is None]
        if missing:
            needs = ", ".join(missing)
            progress(f"note: metric {name!r} left out: it needs {needs} (--metric-option {name}.KEY=VALUE)")
            continue
        built.append(build_metric(name, given))
    return built


def _score(metrics: list[Metric], sources: list[str], candidates: list[str]) -> dict[str, list[float]]:
    """key -> one value per pair."""
    out: dict[str, list[float]] = {}
    for metric in metrics:
        rows = metric.score(sources=sources, candidates=candidates)
        check_scores(metric, rows)
        for key in metric.keys():
            out[key] = [row[key] for row in rows]
    return out


def _margin(per_system: list[list[float]], count: bool) -> tuple[float, str]:
    """Half the pooled across-systems SD of a key on the items (see the module docstring)."""
    if count:
        return 1.0, "one-flag"
    values = np.asarray(per_system, dtype=np.float64)  # systems x items
    if values.shape[0] >= 2:
        return 0.5 * math.sqrt(float(np.mean(np.var(values, axis=0, ddof=1)))), "across-systems"
    if values.shape[1] >= 2:
        return 0.5 * float(np.std(values[0], ddof=1)), "across-items"
    return 0.0, "single-item"


def success(expected: str, info: KeyInfo, base: float, new: float) -> bool:
    """Whether one item behaved as expected on one key."""
    gain = new - base if info.direction == "higher" else base - new  # > 0: better

    def beyond(change: float) -> bool:
        # Counts are integers: "one flag" means a change of at least 1 (with room for float sums).
        return change >= 1.0 - 1e-9 if info.count else change > info.margin

    if expected == "worse":
        return beyond(-gain)
    if expected == "better":
        return beyond(gain)
    if expected == "same":
        return not beyond(abs(gain))
    if expected == "not_worse":
        return not beyond(-gain)
    raise ValueError(f"unknown expectation {expected!r}")


def _cell(expected: str, hits: list[bool], deltas: list[float] | None, resamples: int, seed: int) -> Cell:
    """The success rate and (given ``deltas``) the mean difference, each with its bootstrap interval; the two
    share their resamples (same seed, same items), so they are one paired bootstrap."""
    cell = Cell(expected, len(hits))
    if hits:
        (rate,) = stats.bootstrap_intervals([float(h) for h in hits], resamples=resamples, seed=seed)
        cell.rate, cell.low, cell.high = rate.mean, rate.low, rate.high
    if hits and deltas is not None:
        (delta,) = stats.bootstrap_intervals(deltas, resamples=resamples, seed=seed)
        cell.delta, cell.delta_low, cell.delta_high = delta.mean, delta.low, delta.high
    return cell


def run_probes(
    task: Task,
    *,
    metric_specs: tuple[MetricSpec, ...] | None = None,
    metric_options: dict[str, dict[str, Any]] | None = None,
    n: int | None = None,
    seed: int = 1234,
    resamples: int = stats.DEFAULT_RESAMPLES,
    progress: Callable[[str], None] = lambda message: None,
) -> ProbeRun:
    """Probe every metric on ``task``; see the module docstring for the definitions."""
    dataset = load_examples(task)
    examples = dataset.examples
    if n is not None and n < len(examples):
        chosen = sorted(int(i) for i in np.random.default_rng(seed).choice(len(examples), size=n, replace=False))
        examples = [examples[i] for i in chosen]
    ids = [e.id for e in examples]
    sources = [clean_text(e.source, task.clean)[0] for e in examples]
    all_ids = [e.id for e in dataset.examples]
    candidates: dict[str, list[str]] = {}
    for name, spec in task.systems.items():
        parsed = parse_spec(spec, base_dir=task.base_dir, options=task.system_options.get(name))
        if parsed.generator is not None:  # probing measures metrics: no model is called to make candidates
            progress(f"note: system {name!r} generates its candidates; left out of the probe")
            continue
        texts = candidates_for(parsed, examples, all_ids).texts
        candidates[name] = [clean_text(texts[i], task.clean)[0] for i in ids]
    files = [name for name in candidates if task.systems[name].startswith("file:")]
    probed = (files or list(candidates) or ["(source)"])[0]
    base_texts = candidates.get(probed, sources)

    metrics = _metrics(task, metric_specs, metric_options, progress)
    progress(f"scoring {len(candidates) or 1} systems on {len(ids)} items of {task.name} for the margins")
    system_scores = {name: _score(metrics, sources, texts) for name, texts in candidates.items()}
    base = system_scores.get(probed) or _score(metrics, sources, base_texts)
    keys: dict[str, KeyInfo] = {}
    directions: dict[str, str] = {}
    for metric in metrics:
        for key in metric.keys():
            directions[key] = metric.direction(key)
            per_system = [s[key] for s in system_scores.values()] or [base[key]]
            # A count is unbounded above and whole-numbered (flags, quotes); a density is unbounded but not a count.
            count = math.isinf(metric.bounds(key)[1]) and all(float(v).is_integer() for v in np.ravel(per_system))
            margin, how = _margin(per_system, count)
            keys[key] = KeyInfo(key, metric.name, metric.direction(key), count, margin, how)

    probes = all_probes()
    made: list[tuple[Probe, list[tuple[int, Perturbation]]]] = []
    for probe in probes:
        stream = zlib.crc32(probe.name.encode())
        found = []
        for index, (candidate, source) in enumerate(zip(base_texts, sources)):
            rng = np.random.default_rng([seed, stream, index])
            perturbation = probe.perturb(candidate, source=source, rng=rng, keys=directions)
            if perturbation is not None:
                found.append((index, perturbation))
        made.append((probe, found))
    pairs = [(sources[i], p.text) for _, found in made for i, p in found]
    progress(f"scoring {len(pairs)} perturbed candidates ({len(probes)} probes) with {len(metrics)} metrics")
    scored = _score(metrics, [s for s, _ in pairs], [c for _, c in pairs]) if pairs else {}

    results: list[ProbeResult] = []
    at = 0
    for probe, found in made:
        rows = range(at, at + len(found))
        at += len(found)
        expected = found[0][1].expected if found else probe.expectations(directions)
        cells = {}
        for key, expectation in expected.items():
            info = keys[key]
            hits = [success(expectation, info, base[key][i], scored[key][r]) for (i, _), r in zip(found, rows)]
            deltas = [scored[key][r] - base[key][i] for (i, _), r in zip(found, rows)]
            cells[key] = _cell(expectation, hits, deltas, resamples, seed)
        designated = [k for k in probe.designated_keys(directions) if k in expected]
        detection = None
        if designated:
            every = probe.kind == "invariance"
            per_item = []
            for (i, _), r in zip(found, rows):
                moved = [success(expected[k], keys[k], base[k][i], scored[k][r]) for k in designated]
                per_item.append(all(moved) if every else any(moved))
            detection = _cell("all same" if every else "any worse", per_item, None, resamples, seed)
        edits = [{"id": ids[i], "note": p.note, "edits": [e.as_json(base_texts[i]) for e in p.edits]} for i, p in found]
        results.append(
            ProbeResult(
                probe.name, probe.description, probe.frank, probe.kind, len(found), designated, cells, detection, edits
            )
        )
    return ProbeRun(
        task=task.name,
        task_version=task.version,
        seed=seed,
        resamples=resamples,
        probed_system=probed,
        margin_systems=list(candidates),
        items=ids,
        metrics={m.name: m.signature() for m in metrics},
        keys=keys,
        probes=results,
    )


def check_rate(rate: float | None) -> None:
    """``--fail-under`` takes a share in [0, 1]."""
    if rate is not None and not 0.0 <= rate <= 1.0:
        raise HarnessError(f"--fail-under must be a share between 0 and 1, got {rate}")
