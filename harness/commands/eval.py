"""The work behind ``harness eval``: what a command line asks to be evaluated, and what a finished run says.

:func:`plan_eval` turns the flags into an :class:`EvalPlan` (the task, its metric specs, the systems to run and,
with ``--baseline``, the run to gate against), checking them in the order the command always has, so the first
mistake on a command line is the one reported. :func:`outcome_warnings` words what a run flagged or left out.
Running the plan is :func:`harness.scoring.runner.run_eval`; printing is :mod:`harness.cli`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.commands.common import metric_specs, with_metric_options
from harness.errors import HarnessError, did_you_mean
from harness.gate.compare import resolve_run
from harness.gate.config import Gate, parse_flags
from harness.generate.options import GENERATING_KINDS, OptionError, parse_option_flags
from harness.generate.systems import SystemSpec, check_system_name, parse_spec
from harness.read.tasks import DEFAULT_TASK, MetricSpec, Task, find_task, load_task
from harness.scoring.registry import build_metric
from harness.scoring.runner import RunOutcome
from harness.store.store import StoredRun

_SHOWN = 5  # example ids named in a warning


@dataclass(frozen=True)
class GateFlags:
    """``--max-drop``, ``--min`` and ``--max-count`` as given (``KEY=VALUE`` strings)."""

    max_drop: list[str] = field(default_factory=list)
    minimum: list[str] = field(default_factory=list)
    max_count: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EvalPlan:
    """What one ``harness eval`` runs: ``metric_specs`` None means the task's own; ``baseline`` is set with
    ``--baseline``, and ``gate`` is then the task's gate with the flags' thresholds over it."""

    task: Task
    metric_specs: tuple[MetricSpec, ...] | None
    systems: dict[str, SystemSpec]
    baseline: StoredRun | None = None
    gate: Gate = field(default_factory=Gate)


def check_resume_flags(given: Mapping[str, Any]) -> None:
    """``--resume`` completes a run as it was started: a flag that would change it is an error."""
    clashes = [flag for flag, value in given.items() if value]
    if clashes:
        raise HarnessError(
            f"--resume takes the task, systems, metrics and limit of the run it completes; drop {', '.join(clashes)}"
        )


def plan_eval(
    task: str | None,
    *,
    systems: list[str],
    metrics: str | None,
    metric_options: list[str],
    generation_options: list[str],
    no_cache: bool,
    refresh: bool,
    baseline: Path | None,
    gate_flags: GateFlags,
    note: Callable[[str], None],
) -> EvalPlan:
    """Load the task and check every flag against it; ``note`` hears what is worth saying but not an error."""
    parsed = load_task(find_task(task or DEFAULT_TASK))
    specs = with_metric_options(metric_specs(metrics), metric_options, parsed)
    if specs is not None and not any(parsed.primary in build_metric(s.name, s.options).keys() for s in specs):
        note(f"note: --metrics does not produce the primary key {parsed.primary!r}; ranking by the first key")
    if no_cache and refresh:
        raise HarnessError("--no-cache and --refresh contradict each other: --refresh rewrites the cache")
    chosen = choose_systems(parsed, systems, parse_option_flags(generation_options))
    if baseline is None:
        return EvalPlan(parsed, specs, chosen)
    if len(chosen) != 1:
        raise HarnessError(f"--baseline gates one system; pass one --system (the task has {len(chosen)})")
    flags = parse_flags(gate_flags.max_drop, gate_flags.minimum, gate_flags.max_count)
    # Resolved before the run, so a results folder's newest run is the previous one, not this one.
    before = resolve_run(baseline, system=next(iter(chosen)), task=parsed.name)
    return EvalPlan(parsed, specs, chosen, before, parsed.gate.overridden_by(flags))


def choose_systems(task: Task, items: list[str], flags: dict[str, Any]) -> dict[str, SystemSpec]:
    """The systems of ``--system NAME`` (a task default) / ``--system NAME=SPEC`` (the task's own when none is
    given), parsed with their generation options: the task's, with the ``--option`` flags over them."""
    chosen, base, options = _named_systems(task, items)
    if not chosen:
        raise HarnessError(f"task {task.name!r} lists no systems: pass --system NAME=SPEC")
    generating = [name for name, spec in chosen.items() if spec.partition(":")[0] in GENERATING_KINDS]
    if flags and not generating:
        raise HarnessError(
            "--option sets generation options, but none of the chosen systems generates "
            f"({', '.join(f'{k}:' for k in GENERATING_KINDS)})"
        )
    systems = {}
    for name, spec in chosen.items():
        given = {**options.get(name, {}), **(flags if name in generating else {})}
        try:
            systems[name] = parse_spec(spec, base_dir=base[name], options=given)
        except OptionError as exc:  # it may come from --option: say which system it was applied to
            raise HarnessError(f"system {name!r} ({spec}): {exc}") from None
    return systems


def _named_systems(task: Task, items: list[str]) -> tuple[dict[str, str], dict[str, Path], dict[str, dict[str, Any]]]:
    """Name -> spec, the folder its relative paths resolve against (the task's for a task default, the current
    one for NAME=SPEC), and the task's generation options for it; the task's systems when ``items`` is empty."""
    chosen: dict[str, str] = {}
    base: dict[str, Path] = {}
    options: dict[str, dict[str, Any]] = {}
    for item in items:
        name, sep, spec = item.partition("=")
        if not sep:
            if name not in task.systems:
                hint = did_you_mean(name, task.systems)
                raise HarnessError(
                    f"--system {name!r}: not a default system of task {task.name!r}{hint}; use NAME=SPEC"
                )
            spec, where_from = task.systems[name], task.base_dir
            options[name] = task.system_options.get(name, {})
        else:
            where_from = Path.cwd()
        check_system_name(name)
        if name in chosen:
            raise HarnessError(f"--system {name!r} given twice")
        chosen[name], base[name] = spec, where_from
    if not chosen:
        return dict(task.systems), {name: task.base_dir for name in task.systems}, dict(task.system_options)
    return chosen, base, options


def outcome_warnings(outcome: RunOutcome) -> list[str]:
    """What a written run flagged or left out of its scores, one warning line each."""
    warnings = []
    if outcome.empty_candidates:
        warnings.append(
            f"warning: {outcome.system}: {len(outcome.empty_candidates)} empty candidates scored and flagged: "
            + ", ".join(outcome.empty_candidates[:_SHOWN])
        )
    attempted = len(outcome.failures) + len(outcome.metric_failures) + len(outcome.missing) + outcome.n_examples
    if outcome.failures:
        first_id, first = next(iter(outcome.failures.items()))
        warnings.append(
            f"warning: {outcome.system}: {len(outcome.failures)} of {attempted} examples failed to generate "
            f"and are not scored (run.json: failures); {first_id!r}: {first}"
        )
    if outcome.missing:
        ids = list(outcome.missing)
        shown = ", ".join(map(repr, ids[:_SHOWN])) + (f", ... ({len(ids) - _SHOWN} more)" if len(ids) > _SHOWN else "")
        warnings.append(
            f"warning: {outcome.system}: {len(ids)} of {attempted} examples have no candidate and are not "
            f"scored (run.json: failures, stage 'missing'): {shown}"
        )
    if outcome.metric_failures:
        first_id, first = next(iter(outcome.metric_failures.items()))
        warnings.append(
            f"warning: {outcome.system}: a metric failed on {len(outcome.metric_failures)} of {attempted} "
            f"examples, which are not scored (run.json: failures); {first_id!r}: {first}"
        )
    return warnings
