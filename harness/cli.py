"""The ``harness`` command: parse arguments, delegate, and own stdout, stderr and exit codes.

Exit codes: 0 success; 1 a :class:`~harness.errors.HarnessError` (bad input, unknown name), printed as one
line on stderr with no traceback; 2 a usage error from typer. The regression gate (``compare``,
``eval --baseline``) keeps 1 for "a gate failed" alone and reports every other error with 2. Heavy
libraries (torch, transformers, datasets, evaluate, nltk) are imported only by the code that needs them, so
``harness --help`` is instant.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from harness.errors import HarnessError, did_you_mean

app = typer.Typer(
    name="harness",
    help="Evaluate rewrites and summaries for fidelity to their source: ROUGE and more, with signatures.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    table = "table"
    md = "md"
    csv = "csv"
    json = "json"


class ScoringBackend(StrEnum):
    pool = "pool"
    ray = "ray"


@contextlib.contextmanager
def _errors(code: int = 1) -> Iterator[None]:
    """The one place a domain error becomes a line on stderr and an exit code: 1, or 2 for the regression
    gate (``compare``, ``eval --baseline``), whose exit code 1 means only "a gate failed"."""
    try:
        yield
    except HarnessError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code) from None
    except KeyboardInterrupt:
        typer.echo(
            "interrupted: finished runs are kept; a run still being scored is kept as partial "
            "(harness eval --resume RUN_DIR completes it)",
            err=True,
        )
        raise typer.Exit(130) from None


@contextlib.contextmanager
def _terminated_as_interrupted() -> Iterator[None]:
    """SIGTERM (``kill``, a CI job's timeout) stops a run as Ctrl-C does: the workers are stopped and every
    row already scored stays in the partial run, ready for ``--resume``. Python's default is to die at once."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():  # signal handlers live in the main thread
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _ProgressBar:
    """Scoring progress on stderr, in examples (one system's example) per second across all workers; shown
    only when stderr is a terminal."""

    def __init__(self) -> None:
        self._bar: Any = None

    def start(self, total: int) -> None:
        import sys

        from tqdm import tqdm

        self._bar = tqdm(total=total, unit="ex", desc="scoring", disable=None, file=sys.stderr, smoothing=0.05)

    def advance(self, pairs: int) -> None:
        if self._bar is not None:
            self._bar.update(pairs)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _metric_specs(metrics: str | None):  # type: ignore[no-untyped-def]
    from harness.tasks import MetricSpec

    if metrics is None:
        return None
    names = [name.strip() for name in metrics.split(",") if name.strip()]
    if not names:
        raise HarnessError("--metrics needs at least one metric name, e.g. --metrics rouge")
    for name in names:
        if names.count(name) > 1:
            raise HarnessError(f"--metrics lists {name!r} twice")
    return tuple(MetricSpec(name) for name in names)


MaxDrop = Annotated[
    list[str] | None,
    typer.Option(
        "--max-drop",
        metavar="KEY=DELTA",
        help="Fail when the whole 95% interval of candidate - baseline on KEY lies below -DELTA. Repeatable.",
    ),
]
Minimum = Annotated[
    list[str] | None,
    typer.Option(
        "--min", metavar="KEY=VALUE", help="Fail when the candidate's mean of KEY is below VALUE. Repeatable."
    ),
]
MaxCount = Annotated[
    list[str] | None,
    typer.Option(
        "--max-count",
        metavar="KIND=N",
        help="Fail when more than N examples have a numeric discrepancy of KIND (e.g. unsupported). Repeatable.",
    ),
]
JUnit = Annotated[Path | None, typer.Option("--junit", help="Also write the gates as JUnit XML to this file.")]


@app.command("eval")
def eval_command(
    task: Annotated[str | None, typer.Argument(help="Task name or task YAML path (default: seeds-paragraphs).")] = None,
    system: Annotated[
        list[str] | None,
        typer.Option(
            "--system",
            help="NAME=SPEC (file:PATH, copy, lead:K, openai:MODEL[@BASE_URL], hf:MODEL, command:CMD), "
            "or NAME of a task default. Repeatable.",
        ),
    ] = None,
    metrics: Annotated[str | None, typer.Option(help="Comma-separated metrics, overriding the task's.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Results folder.")] = Path("results"),
    limit: Annotated[int | None, typer.Option(min=1, help="Score only the first N examples.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap (and any sampling), recorded in every run.")] = 1234,
    resamples: Annotated[int, typer.Option(min=1, help="Bootstrap resamples for the 95% intervals.")] = 1000,
    baseline: Annotated[
        Path | None,
        typer.Option(help="Gate the new run against this run directory (or results folder: the system's newest run)."),
    ] = None,
    max_drop: MaxDrop = None,
    minimum: Minimum = None,
    max_count: MaxCount = None,
    junit: JUnit = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            metavar="KEY=VALUE",
            help="Generation option for every generating system (temperature, max_tokens, seed, system_prompt, "
            "timeout, attempts, backoff, api_key_env, batch_size, device); overrides the task's. Repeatable.",
        ),
    ] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Generation requests (or commands) in flight at once, per system.")
    ] = 4,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the generation cache (DIR/.cache/).")
    ] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Generate again what is cached, and overwrite it in the cache.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Scoring processes (default: every usable core; with ray, every CPU of the cluster)."),
    ] = None,
    backend: Annotated[
        ScoringBackend,
        typer.Option(help="Where scoring runs: a process pool here, or Ray (pip install 'harness[ray]')."),
    ] = ScoringBackend.pool,
    ray_address: Annotated[
        str | None,
        typer.Option(
            help="With --backend ray: join this cluster (auto, HOST:PORT or ray://HOST:PORT); default: local."
        ),
    ] = None,
    max_failures: Annotated[
        int, typer.Option(min=0, help="Lost workers replaced (pool) or tasks retried (ray) before the run stops.")
    ] = 3,
    resume: Annotated[
        Path | None,
        typer.Option(
            help="Complete this interrupted run (and the runs started with it), scoring only what is missing."
        ),
    ] = None,
) -> None:
    """Score systems on a task, write one run per system, and print the task's leaderboard; with --baseline,
    also compare the run with the baseline and apply the gate (exit 1 when it fails, 2 on any other error)."""
    from harness import formats, leaderboard
    from harness.generate.options import GENERATING_KINDS, OptionError, parse_option_flags
    from harness.registry import build_metric
    from harness.runner import RunOptions, run_eval
    from harness.systems import check_system_name, parse_spec
    from harness.tasks import DEFAULT_TASK, find_task, load_task

    if baseline is None and (max_drop or minimum or max_count or junit):
        raise typer.BadParameter("--max-drop, --min, --max-count and --junit need --baseline", param_hint="--baseline")
    with _errors(2 if baseline is not None else 1):
        from harness.parallel import Execution

        execution = Execution(workers, backend.value, ray_address, max_failures)
        if resume is not None:
            settings = {"TASK": task, "--system": system, "--metrics": metrics, "--limit": limit, "--option": option}
            clashes = [flag for flag, value in {**settings, "--baseline": baseline}.items() if value]
            if clashes:
                raise HarnessError(
                    "--resume takes the task, systems, metrics and limit of the run it completes; "
                    f"drop {', '.join(clashes)}"
                )
            _resume(resume, execution, resamples=resamples)
            return
        parsed = load_task(find_task(task or DEFAULT_TASK))
        specs = _metric_specs(metrics)
        if specs is not None:
            primary_ok = any(parsed.primary in build_metric(s.name, s.options).keys() for s in specs)
            if not primary_ok:
                _say(f"note: --metrics does not produce the primary key {parsed.primary!r}; ranking by the first key")
        chosen: dict[str, str] = {}
        base: dict[str, Path] = {}
        if no_cache and refresh:
            raise HarnessError("--no-cache and --refresh contradict each other: --refresh rewrites the cache")
        flags_given = parse_option_flags(option or [])
        task_options: dict[str, dict[str, Any]] = {}
        for item in system or []:
            name, sep, spec = item.partition("=")
            if not sep:
                if name not in parsed.systems:
                    hint = did_you_mean(name, parsed.systems)
                    raise HarnessError(
                        f"--system {name!r}: not a default system of task {parsed.name!r}{hint}; use NAME=SPEC"
                    )
                spec, where_from = parsed.systems[name], parsed.base_dir
                task_options[name] = parsed.system_options.get(name, {})
            else:
                where_from = Path.cwd()
            check_system_name(name)
            if name in chosen:
                raise HarnessError(f"--system {name!r} given twice")
            chosen[name], base[name] = spec, where_from
        if not chosen:
            chosen = dict(parsed.systems)
            base = {name: parsed.base_dir for name in chosen}
            task_options = dict(parsed.system_options)
        if not chosen:
            raise HarnessError(f"task {parsed.name!r} lists no systems: pass --system NAME=SPEC")
        generating = [name for name, spec in chosen.items() if spec.partition(":")[0] in GENERATING_KINDS]
        if flags_given and not generating:
            raise HarnessError(
                "--option sets generation options, but none of the chosen systems generates "
                f"({', '.join(f'{k}:' for k in GENERATING_KINDS)})"
            )
        systems = {}
        for name, spec in chosen.items():
            given = {**task_options.get(name, {}), **(flags_given if name in generating else {})}
            try:
                systems[name] = parse_spec(spec, base_dir=base[name], options=given)
            except OptionError as exc:  # it may come from --option: say which system it was applied to
                raise HarnessError(f"system {name!r} ({spec}): {exc}") from None
        before = None
        if baseline is not None:
            from harness.compare import parse_flags, resolve_run

            if len(systems) != 1:
                raise HarnessError(f"--baseline gates one system; pass one --system (the task has {len(systems)})")
            flags = parse_flags(max_drop or [], minimum or [], max_count or [])
            # Resolved before the run, so a results folder's newest run is the previous one, not this one.
            before = resolve_run(baseline, system=next(iter(systems)), task=parsed.name)
        options = RunOptions(
            results_dir=out,
            limit=limit,
            seed=seed,
            resamples=resamples,
            cache=not no_cache,
            refresh=refresh,
            concurrency=concurrency,
            execution=execution,
        )
        with _terminated_as_interrupted():
            outcomes = run_eval(
                parsed, systems, metric_specs=specs, options=options, progress=_say, meter=_ProgressBar()
            )
        _report_outcomes(outcomes)
        boards, _ = leaderboard.build_boards(out, parsed.name, resamples=resamples, seed=seed)
        typer.echo(formats.render(boards, "table"), nl=False)
        if before is not None:
            from harness.compare import read_run

            gate = parsed.gate.overridden_by(flags)
            passed = _gate(before, read_run(outcomes[0].run_dir), gate, junit, resamples=resamples, seed=seed)
    if before is not None and not passed:
        raise typer.Exit(1)


def _report_outcomes(outcomes: list[Any]) -> None:
    """Where each run was written, and what was flagged or left out of its scores."""
    for outcome in outcomes:
        _say(f"wrote {outcome.run_dir}")
        if outcome.empty_candidates:
            _say(
                f"warning: {outcome.system}: {len(outcome.empty_candidates)} empty candidates scored and flagged: "
                + ", ".join(outcome.empty_candidates[:5])
            )
        attempted = len(outcome.failures) + len(outcome.metric_failures) + outcome.n_examples
        if outcome.failures:
            first_id, first = next(iter(outcome.failures.items()))
            _say(
                f"warning: {outcome.system}: {len(outcome.failures)} of {attempted} examples failed to generate "
                f"and are not scored (run.json: failures); {first_id!r}: {first}"
            )
        if outcome.metric_failures:
            first_id, first = next(iter(outcome.metric_failures.items()))
            _say(
                f"warning: {outcome.system}: a metric failed on {len(outcome.metric_failures)} of {attempted} "
                f"examples, which are not scored (run.json: failures); {first_id!r}: {first}"
            )


def _resume(run_dir: Path, execution: Any, *, resamples: int) -> None:
    """``harness eval --resume RUN_DIR``: finish the interrupted runs and print their task's leaderboard."""
    from harness import formats, leaderboard
    from harness.runner import resume_eval

    with _terminated_as_interrupted():
        outcomes = resume_eval(run_dir, execution=execution, progress=_say, meter=_ProgressBar())
    _report_outcomes(outcomes)
    results = run_dir.resolve().parents[2]
    boards, _ = leaderboard.build_boards(results, run_dir.resolve().parents[1].name, resamples=resamples)
    typer.echo(formats.render(boards, "table"), nl=False)


def _gate(before: Any, after: Any, gate: Any, junit: Path | None, *, resamples: int, seed: int) -> bool:
    """Compare, print the Markdown summary (and append it to $GITHUB_STEP_SUMMARY), write JUnit; True if passed."""
    import os
    import time

    from harness.compare import compare_runs, default_gate, evaluate_gate
    from harness.junit import to_junit, to_markdown

    started = time.perf_counter()
    comparison = compare_runs(before, after, resamples=resamples, seed=seed)
    results = evaluate_gate(comparison, default_gate(comparison) if gate.empty else gate)
    summary = to_markdown(comparison, results)
    typer.echo(summary, nl=False)
    targets = [(Path(os.environ["GITHUB_STEP_SUMMARY"]), "a")] if os.environ.get("GITHUB_STEP_SUMMARY") else []
    if junit is not None:
        targets.append((junit, "w"))
    for path, mode in targets:
        text = summary if mode == "a" else to_junit(comparison, results, seconds=time.perf_counter() - started)
        try:
            with open(path, mode, encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise HarnessError(f"{path}: cannot write ({exc.strerror})") from None
    failed = [r.name for r in results if not r.passed]
    _say(f"gate failed: {', '.join(failed)}" if failed else f"gate passed ({len(results)} checks)")
    return not failed


@app.command("compare")
def compare_command(
    baseline: Annotated[Path, typer.Argument(help="The baseline: a run directory, or a results folder (--system).")],
    candidate: Annotated[Path, typer.Argument(help="The candidate: a run directory, or a results folder (--system).")],
    system: Annotated[
        list[str] | None,
        typer.Option(
            help="System whose newest run a results folder stands for; give it twice for baseline, candidate."
        ),
    ] = None,
    task: Annotated[str | None, typer.Option(help="Task of the runs looked up with --system.")] = None,
    max_drop: MaxDrop = None,
    minimum: Minimum = None,
    max_count: MaxCount = None,
    junit: JUnit = None,
    resamples: Annotated[int, typer.Option(min=1, help="Bootstrap resamples and permutation shuffles.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap and the permutation test.")] = 1234,
) -> None:
    """Paired differences (candidate - baseline) on the common examples, and the regression gate.

    Exit codes: 0 every gate passed, 1 a gate failed, 2 a usage or configuration error."""
    from harness.compare import parse_flags, resolve_run, task_gate

    with _errors(2):
        names = system or []
        if len(names) > 2:
            raise HarnessError("--system is given once (both sides) or twice (baseline, then candidate)")
        before = resolve_run(baseline, system=names[0] if names else None, task=task)
        after = resolve_run(candidate, system=names[-1] if names else None, task=task)
        flags = parse_flags(max_drop or [], minimum or [], max_count or [])
        from_task, note = task_gate(after)
        if note:
            _say(f"note: {note}")
        passed = _gate(before, after, from_task.overridden_by(flags), junit, resamples=resamples, seed=seed)
    if not passed:
        raise typer.Exit(1)


@app.command("score")
def score_command(
    source_file: Annotated[Path | None, typer.Argument(help="The original text (UTF-8).")] = None,
    candidate_file: Annotated[Path | None, typer.Argument(help="The rewrite to score (UTF-8).")] = None,
    metrics: Annotated[str, typer.Option(help="Comma-separated metrics.")] = "rouge",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    pairs: Annotated[
        Path | None, typer.Option(help="JSONL with id, source, candidate: one JSON line out per pair.")
    ] = None,
) -> None:
    """Score one candidate file against one source file, or every pair of a JSONL file."""
    from harness.scoring import score
    from harness.textio import read_rows, read_text

    with _errors():
        names = [spec.name for spec in _metric_specs(metrics) or ()]
        if pairs is not None:
            if source_file or candidate_file:
                raise HarnessError("give either SOURCE_FILE CANDIDATE_FILE or --pairs, not both")
            ids, sources, candidates = [], [], []
            for row in read_rows(pairs):
                for column in ("id", "source", "candidate"):
                    if not isinstance(row.fields.get(column), (str, int)) or isinstance(row.fields.get(column), bool):
                        raise HarnessError(f"{pairs}:{row.line}: field {column!r} missing or not a string")
                ids.append(row.fields["id"])
                sources.append(str(row.fields["source"]))
                candidates.append(str(row.fields["candidate"]))
            found_all = score(sources=sources, candidates=candidates, metrics=names, details=True)
            for example_id, found in zip(ids, found_all):
                typer.echo(json.dumps({"id": example_id, **_drop_empty_details(found)}, ensure_ascii=False))
            return
        if source_file is None or candidate_file is None:
            raise HarnessError("give SOURCE_FILE and CANDIDATE_FILE, or --pairs PAIRS.jsonl")
        texts = {"sources": [read_text(source_file)], "candidates": [read_text(candidate_file)]}
        found = _drop_empty_details(score(**texts, metrics=names, details=True)[0])
        if as_json:
            typer.echo(json.dumps(found, ensure_ascii=False))
        else:
            details = found.pop("details", None)
            width = max(map(len, found))
            for key, value in found.items():
                typer.echo(f"{key.ljust(width)}  {value:.4f}")
            if details:
                typer.echo("details: " + json.dumps(details, ensure_ascii=False, indent=2))


def _drop_empty_details(found: dict[str, Any]) -> dict[str, Any]:
    """Keep ``details`` in the output only where a metric gave some (ROUGE gives none)."""
    if not found.get("details"):
        found.pop("details", None)
    return found


@app.command("leaderboard")
def leaderboard_command(
    results: Annotated[Path, typer.Option(help="Results folder written by `harness eval`.")] = Path("results"),
    task: Annotated[str | None, typer.Option(help="Only this task.")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    resamples: Annotated[int, typer.Option(min=1, help="Shuffles of the paired significance test.")] = 1000,
    seed: Annotated[int | None, typer.Option(help="Seed of the significance test (default: the runs' own).")] = None,
    alpha: Annotated[float, typer.Option(min=0.0, max=1.0, help="Significance level, after Holm's correction.")] = 0.05,
    keys: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated keys or metric names to show, e.g. rouge,bertscore_f (default: the table shows "
            "the primary and each metric's headline keys; md, csv and json show every key)."
        ),
    ] = None,
) -> None:
    """Leaderboards from the run files: the latest run per system, comparable runs only, with 95% intervals
    and the systems not significantly different from the best marked per key."""
    from harness import formats, leaderboard

    with _errors():
        boards, problems = leaderboard.build_boards(results, task, resamples=resamples, seed=seed, alpha=alpha)
        for problem in problems:
            _say(f"warning: {problem}")
        if not boards:
            raise HarnessError(f"{results}: no runs found (run `harness eval` first)")
        names = None if keys is None else [name.strip() for name in keys.split(",") if name.strip()]
        if names is not None:
            leaderboard.check_key_names(boards, names)
        if fmt in (Format.json, Format.csv):
            for board in boards:
                for run, reason in board.excluded:
                    _say(f"note: {board.task}: not ranked: {run.system} ({run.path}): {reason}")
        typer.echo(formats.render(boards, fmt.value, names), nl=False)


@app.command("report")
def report_command(
    results: Annotated[Path, typer.Option(help="Results folder written by `harness eval`.")] = Path("results"),
    task: Annotated[str | None, typer.Option(help="Only this task.")] = None,
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write (self-contained).")] = Path("report.html"),
    markdown: Annotated[
        Path | None, typer.Option(help="Also write the leaderboards and worst examples as Markdown to this file.")
    ] = None,
    resamples: Annotated[int, typer.Option(min=1, help="Shuffles of the paired significance test.")] = 1000,
    seed: Annotated[int | None, typer.Option(help="Seed of the significance test (default: the runs' own).")] = None,
    alpha: Annotated[float, typer.Option(min=0.0, max=1.0, help="Significance level, after Holm's correction.")] = 0.05,
) -> None:
    """One self-contained HTML page: leaderboards, plots, and every example beside its source."""
    from harness.report import build_report, render_html, render_markdown, write

    with _errors():
        report = build_report(results, task, resamples=resamples, seed=seed, alpha=alpha)
        for problem in report.problems:
            _say(f"warning: {problem}")
        for item in report.boards:
            if item.note:
                _say(f"note: {item.board.task}: sources not shown: {item.note}")
        write(out, render_html(report))
        _say(f"wrote {out}")
        if markdown is not None:
            write(markdown, render_markdown(report))
            _say(f"wrote {markdown}")


class ProbeFormat(StrEnum):
    table = "table"
    md = "md"
    json = "json"


@app.command("probe")
def probe_command(
    task: Annotated[str | None, typer.Argument(help="Task name or task YAML path (default: seeds-paragraphs).")] = None,
    metrics: Annotated[str | None, typer.Option(help="Comma-separated metrics (default: every installed one).")] = None,
    n: Annotated[int | None, typer.Option("--n", min=1, help="Probe N examples, drawn with the seed.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the probes' edits, the sampling and the bootstrap.")] = 1234,
    fmt: Annotated[ProbeFormat, typer.Option("--format", help="Output format.")] = ProbeFormat.table,
    fail_under: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Exit 1 when a probe's detection rate on its designated keys is below."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Results folder; the matrix is saved for harness report.")] = Path(
        "results"
    ),
) -> None:
    """Perturb candidates in controlled ways (numbers, entities, negation, hedges, quotes, order, truncation,
    invariances) and show, for every probe and metric key, how often the metric moved the expected way.

    Exit codes: 0 done, 1 a probe below --fail-under, 2 any other error when --fail-under is given (else 1)."""
    from harness.probe.render import render, save
    from harness.probe.runner import run_probes
    from harness.store import new_run_id
    from harness.tasks import DEFAULT_TASK, find_task, load_task

    with _errors(2 if fail_under is not None else 1):
        parsed = load_task(find_task(task or DEFAULT_TASK))
        result = run_probes(parsed, metric_specs=_metric_specs(metrics), n=n, seed=seed, progress=_say)
        data = result.to_json()
        _say(f"wrote {save(data, out, new_run_id())}")
        typer.echo(render(data, fmt.value), nl=False)
        failures = result.failures(fail_under) if fail_under is not None else []
    for failure in failures:
        _say(f"probe below --fail-under: {failure}")
    if failures:
        raise typer.Exit(1)


class MetaFormat(StrEnum):
    table = "table"
    md = "md"
    json = "json"


@app.command("meta-eval")
def meta_eval_command(
    dataset: Annotated[
        str,
        typer.Argument(
            help="summeval, realsumm-abs, realsumm-ext, frank, all (default), or a task that lists 'human:' fields."
        ),
    ] = "all",
    metrics: Annotated[
        str | None,
        typer.Option(help="Comma-separated metrics (default: the task's, and every metric each system has runs of)."),
    ] = None,
    aspect: Annotated[
        str | None,
        typer.Option(help="Human judgement: consistency, relevance, litepyramid, factuality (default: the set's)."),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option(help="Comma-separated levels: summary, system, global, partial (default: the dataset's)."),
    ] = None,
    resamples: Annotated[int, typer.Option(min=1, help="Bootstrap resamples (permutations: at least as many).")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap and the permutation tests.")] = 1234,
    fmt: Annotated[MetaFormat, typer.Option("--format", help="Output format.")] = MetaFormat.table,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write metaeval.json and metaeval.html into this folder.")
    ] = None,
    results: Annotated[
        Path, typer.Option(help="Results folder: runs are read from it, and missing scores are written to it.")
    ] = Path("results"),
    split: Annotated[str | None, typer.Option(help="FRANK's split: test (default), valid or all.")] = None,
) -> None:
    """How far each metric agrees with human judgements: correlations at the summary, system and global levels
    (FRANK: partial correlation and ROC-AUC), bootstrap intervals, permutation tests and significance clusters.
    Scores come from runs in --results; what is missing is scored first (harness eval)."""
    from harness.metaeval.formats import render
    from harness.metaeval.run import meta_evaluate, write_outputs

    with _errors():
        doc = meta_evaluate(
            dataset,
            results_dir=results,
            metrics=metrics,
            aspect=aspect,
            level=level,
            resamples=resamples,
            seed=seed,
            split=split,
            progress=_say,
        )
        typer.echo(render(doc, fmt.value), nl=False)
        if out is not None:
            for path in write_outputs(doc, out):
                _say(f"wrote {path}")


@app.command("tasks")
def tasks_command() -> None:
    """List the tasks found in ./tasks and the built-in tasks folder."""
    from harness.tasks import available_tasks, load_task

    with _errors():
        for name, path in available_tasks().items():
            try:
                task = load_task(path)
                typer.echo(f"{name}\tv{task.version}\t{task.kind}\tprimary={task.primary}\t{path}")
            except HarnessError as exc:
                typer.echo(f"{name}\tINVALID\t{exc}")


@app.command("metrics")
def metrics_command() -> None:
    """List the registered metrics with their keys and default signatures."""
    from harness.registry import build_metric, metric_names

    with _errors():
        for name in metric_names():
            metric = build_metric(name)
            typer.echo(f"{name}: {metric.description}")
            typer.echo(f"  keys: {' '.join(metric.keys())}")
            typer.echo(f"  signature: {metric.signature()}")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
