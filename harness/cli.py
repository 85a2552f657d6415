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
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from harness.errors import HarnessError

if TYPE_CHECKING:  # for annotations only: the modules are imported where used, so --help stays instant
    from harness.gate.config import Gate
    from harness.parallel import Execution
    from harness.scoring.runner import RunOutcome
    from harness.store.store import StoredRun

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
    only when stderr is a terminal, and never with ``--quiet`` (``enabled`` False)."""

    def __init__(self, enabled: bool = True) -> None:
        self._bar: Any = None
        self._enabled = enabled

    def start(self, total: int) -> None:
        import sys

        from tqdm import tqdm

        if not self._enabled:
            return

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


def _silent(message: str) -> None:
    """The progress callback of ``--quiet``: warnings, errors and written paths are still said."""


def _library_bars(quiet: bool) -> None:
    """Keep the model libraries' own bars ("Loading weights 0%...100%", downloads) out of a log that is not a
    terminal, and out of a terminal with ``--quiet``. Set in the environment before the libraries are imported
    (here and in the scoring workers, which inherit it); switched off directly where they already are. A
    user's own HF_HUB_DISABLE_PROGRESS_BARS wins."""
    import os
    import sys

    if not quiet and sys.stderr.isatty():
        return
    if os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1") != "1":
        return
    if "huggingface_hub" in sys.modules:
        from huggingface_hub.utils.tqdm import disable_progress_bars

        disable_progress_bars()
    if "transformers" in sys.modules:  # it copied the hub's setting when it was imported
        import transformers.utils.logging

        transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]


def _shown(path: Path) -> str:
    """A written path in one form, whatever form it was reached by: relative to the current folder when it is
    inside it, absolute otherwise (``eval`` and ``eval --resume`` print their runs alike)."""
    full = path.resolve()
    try:
        return str(full.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(full)


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
        metavar="NAME=N",
        help="Fail when more than N examples have the finding NAME (METRIC:KIND, e.g. quotes:fabricated or "
        "numeric:scale; a bare numeric discrepancy kind such as unsupported also works). Repeatable.",
    ),
]
SkipBroken = Annotated[
    bool,
    typer.Option(
        "--skip-broken",
        help="Rank the other runs when a run's run.json or examples.jsonl is broken, listing it as not ranked "
        "(default: exit 1 naming the broken file).",
    ),
]
JUnit = Annotated[Path | None, typer.Option("--junit", help="Also write the gates as JUnit XML to this file.")]
MetricOption = Annotated[
    list[str] | None,
    typer.Option(
        "--metric-option",
        metavar="NAME.KEY=VALUE",
        help="A metric's option, over the task's (VALUE read as YAML), e.g. judge.model=command:./judge.sh or "
        "rouge.use_stemmer=false. Repeatable.",
    ),
]

# The options of ``harness eval``, named here so that eval_command's signature is one line per flag.
TaskName = Annotated[str | None, typer.Argument(help="Task name or task YAML path (default: seeds-paragraphs).")]
Systems = Annotated[
    list[str] | None,
    typer.Option(
        "--system",
        help="NAME=SPEC (file:PATH, copy, lead:K, openai:MODEL[@BASE_URL], hf:MODEL, command:CMD), "
        "or NAME of a task default. Repeatable.",
    ),
]
Metrics = Annotated[str | None, typer.Option(help="Comma-separated metrics, overriding the task's.")]
ResultsOut = Annotated[Path, typer.Option("--out", help="Results folder.")]
Limit = Annotated[int | None, typer.Option(min=1, help="Score only the first N examples.")]
EvalSeed = Annotated[int, typer.Option(help="Seed of the bootstrap (and any sampling), recorded in every run.")]
EvalResamples = Annotated[int, typer.Option(min=1, help="Bootstrap resamples for the 95% intervals.")]
Baseline = Annotated[
    Path | None,
    typer.Option(help="Gate the new run against this run directory (or results folder: the system's newest run)."),
]
GenerationOption = Annotated[
    list[str] | None,
    typer.Option(
        "--option",
        metavar="KEY=VALUE",
        help="Generation option for every generating system (temperature, max_tokens, seed, system_prompt, "
        "timeout, attempts, backoff, api_key_env, batch_size, device); overrides the task's. Repeatable.",
    ),
]
Concurrency = Annotated[
    int, typer.Option(min=1, help="Generation requests (or commands) in flight at once, per system.")
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the generation cache (DIR/.cache/).")]
Refresh = Annotated[
    bool, typer.Option("--refresh", help="Generate again what is cached, and overwrite it in the cache.")
]
Workers = Annotated[
    int | None,
    typer.Option(min=1, help="Scoring processes (default: every usable core; with ray, every CPU of the cluster)."),
]
Backend = Annotated[
    ScoringBackend,
    # "\\[": typer renders help as rich markup, where a bare [ray] is a style tag and vanishes.
    typer.Option(help="Where scoring runs: a process pool here, or Ray (pip install 'harness\\[ray]')."),
]
RayAddress = Annotated[
    str | None,
    typer.Option(help="With --backend ray: join this cluster (auto, HOST:PORT or ray://HOST:PORT); default: local."),
]
MaxFailures = Annotated[
    int, typer.Option(min=0, help="Lost workers replaced (pool) or tasks retried (ray) before the run stops.")
]
Resume = Annotated[
    Path | None,
    typer.Option(help="Complete this interrupted run (and the runs started with it), scoring only what is missing."),
]
Quiet = Annotated[
    bool,
    typer.Option(
        "--quiet", help="No progress bars and no progress lines (warnings, errors and written runs still show)."
    ),
]
AllowMissing = Annotated[
    bool,
    typer.Option(
        "--allow-missing",
        help="A file: system may lack some task ids (a generated run's candidates.jsonl lacks those that "
        "failed): score the others, and count and name the missing ones in run.json's failures.",
    ),
]


@dataclass(frozen=True)
class _EvalFlags:
    """``harness eval``'s parameters, by name: :func:`eval_command` passes its ``locals()``, so a parameter
    added there and not here (or the reverse) is a TypeError on the first run, not a silently dropped flag."""

    task: str | None
    system: list[str] | None
    metrics: str | None
    out: Path
    limit: int | None
    seed: int
    resamples: int
    baseline: Path | None
    max_drop: list[str] | None
    minimum: list[str] | None
    max_count: list[str] | None
    junit: Path | None
    metric_option: list[str] | None
    option: list[str] | None
    concurrency: int
    no_cache: bool
    refresh: bool
    workers: int | None
    backend: ScoringBackend
    ray_address: str | None
    max_failures: int
    resume: Path | None
    quiet: bool
    allow_missing: bool


@app.command("eval")
def eval_command(
    task: TaskName = None,
    system: Systems = None,
    metrics: Metrics = None,
    out: ResultsOut = Path("results"),
    limit: Limit = None,
    seed: EvalSeed = 1234,
    resamples: EvalResamples = 1000,
    baseline: Baseline = None,
    max_drop: MaxDrop = None,
    minimum: Minimum = None,
    max_count: MaxCount = None,
    junit: JUnit = None,
    metric_option: MetricOption = None,
    option: GenerationOption = None,
    concurrency: Concurrency = 4,
    no_cache: NoCache = False,
    refresh: Refresh = False,
    workers: Workers = None,
    backend: Backend = ScoringBackend.pool,
    ray_address: RayAddress = None,
    max_failures: MaxFailures = 3,
    resume: Resume = None,
    quiet: Quiet = False,
    allow_missing: AllowMissing = False,
) -> None:
    """Score systems on a task, write one run per system, and print the task's leaderboard; with --baseline,
    also compare the run with the baseline and apply the gate (exit 1 when it fails, 2 on any other error)."""
    flags = _EvalFlags(**locals())
    if baseline is None and (max_drop or minimum or max_count or junit):
        raise typer.BadParameter("--max-drop, --min, --max-count and --junit need --baseline", param_hint="--baseline")
    with _errors(2 if baseline is not None else 1):
        passed = _resume(resume, flags) if resume is not None else _eval(flags)
    if not passed:
        raise typer.Exit(1)


def _execution(flags: _EvalFlags) -> Execution:
    """Where scoring runs (checked before anything else), with the model libraries' bars set for the log."""
    from harness.parallel import Execution

    _library_bars(flags.quiet)
    return Execution(flags.workers, flags.backend.value, flags.ray_address, flags.max_failures)


def _eval(flags: _EvalFlags) -> bool:
    """``harness eval`` without ``--resume``: plan, run, report, rank, and gate; False when the gate failed."""
    from harness.commands.eval import GateFlags, plan_eval
    from harness.gate.compare import read_run
    from harness.scoring.runner import RunOptions, run_eval

    execution = _execution(flags)
    plan = plan_eval(
        flags.task,
        systems=flags.system or [],
        metrics=flags.metrics,
        metric_options=flags.metric_option or [],
        generation_options=flags.option or [],
        no_cache=flags.no_cache,
        refresh=flags.refresh,
        baseline=flags.baseline,
        gate_flags=GateFlags(flags.max_drop or [], flags.minimum or [], flags.max_count or []),
        note=_say,
    )
    options = RunOptions(
        results_dir=flags.out,
        limit=flags.limit,
        seed=flags.seed,
        resamples=flags.resamples,
        cache=not flags.no_cache,
        refresh=flags.refresh,
        concurrency=flags.concurrency,
        execution=execution,
        allow_missing=flags.allow_missing,
        progress_bar=False if flags.quiet else None,
    )
    with _terminated_as_interrupted():
        outcomes = run_eval(
            plan.task,
            plan.systems,
            metric_specs=plan.metric_specs,
            options=options,
            progress=_silent if flags.quiet else _say,
            meter=_ProgressBar(enabled=not flags.quiet),
        )
    _report_outcomes(outcomes)
    # The runs are written: an unrelated broken run in the folder is listed as not ranked, not an error.
    _print_leaderboard(flags.out, plan.task.name, resamples=flags.resamples, seed=flags.seed)
    if plan.baseline is None:
        return True
    after = read_run(outcomes[0].run_dir)
    return _gate(plan.baseline, after, plan.gate, flags.junit, resamples=flags.resamples, seed=flags.seed)


def _resume(run_dir: Path, flags: _EvalFlags) -> bool:
    """``harness eval --resume RUN_DIR``: finish the interrupted runs and print their task's leaderboard."""
    from harness.commands.eval import check_resume_flags
    from harness.scoring.runner import resume_eval

    execution = _execution(flags)
    given = {"TASK": flags.task, "--system": flags.system, "--metrics": flags.metrics, "--limit": flags.limit}
    given |= {"--option": flags.option, "--allow-missing": flags.allow_missing}
    check_resume_flags({**given, "--metric-option": flags.metric_option, "--baseline": flags.baseline})
    with _terminated_as_interrupted():
        outcomes = resume_eval(
            run_dir,
            execution=execution,
            progress=_silent if flags.quiet else _say,
            meter=_ProgressBar(enabled=not flags.quiet),
        )
    _report_outcomes(outcomes)
    _print_leaderboard(run_dir.resolve().parents[2], run_dir.resolve().parents[1].name, resamples=flags.resamples)
    return True


def _report_outcomes(outcomes: list[RunOutcome]) -> None:
    """Where each run was written, and what was flagged or left out of its scores."""
    from harness.commands.eval import outcome_warnings

    for outcome in outcomes:
        _say(f"wrote {_shown(outcome.run_dir)} ({outcome.n_examples} examples scored)")
        for warning in outcome_warnings(outcome):
            _say(warning)


def _print_leaderboard(results: Path, task: str, *, resamples: int, seed: int | None = None) -> None:
    """The task's leaderboard after a run; a broken run in the folder is listed as not ranked."""
    from harness.rank import formats, leaderboard

    boards, _ = leaderboard.build_boards(results, task, resamples=resamples, seed=seed, skip_broken=True)
    typer.echo(formats.render(boards, "table"), nl=False)


def _gate(before: StoredRun, after: StoredRun, gate: Gate, junit: Path | None, *, resamples: int, seed: int) -> bool:
    """Compare, print the Markdown summary (and append it to $GITHUB_STEP_SUMMARY), write JUnit; True if passed."""
    from harness.commands.gate import decide, write_reports

    verdict = decide(before, after, gate, resamples=resamples, seed=seed)
    typer.echo(verdict.summary, nl=False)
    write_reports(verdict, junit)
    _say(verdict.message)
    return not verdict.failed


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
    from harness.gate.compare import resolve_run, task_gate
    from harness.gate.config import parse_flags

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
    metric_option: MetricOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    pairs: Annotated[
        Path | None, typer.Option(help="JSONL with id, source, candidate: one JSON line out per pair.")
    ] = None,
) -> None:
    """Score one candidate file against one source file, or every pair of a JSONL file."""
    from harness.commands.common import metric_specs, with_metric_options
    from harness.commands.score import drop_empty_details, read_pair_files, read_pairs
    from harness.scoring.api import score
    from harness.scoring.registry import build_metric

    with _errors():
        _library_bars(False)
        specs = with_metric_options(metric_specs(metrics) or (), metric_option, None) or ()
        names = [build_metric(spec.name, spec.options) for spec in specs]
        if pairs is not None:
            if source_file or candidate_file:
                raise HarnessError("give either SOURCE_FILE CANDIDATE_FILE or --pairs, not both")
            found = read_pairs(pairs)
            scored = score(sources=found.sources, candidates=found.candidates, metrics=names, details=True)
            for example_id, row in zip(found.ids, scored):
                typer.echo(json.dumps({"id": example_id, **drop_empty_details(row)}, ensure_ascii=False))
            return
        if source_file is None or candidate_file is None:
            raise HarnessError("give SOURCE_FILE and CANDIDATE_FILE, or --pairs PAIRS.jsonl")
        source, candidate = read_pair_files(source_file, candidate_file)
        _print_scores(
            drop_empty_details(score(sources=[source], candidates=[candidate], metrics=names, details=True)[0]), as_json
        )


def _print_scores(found: dict[str, Any], as_json: bool) -> None:
    """One example's scores: a JSON line, or a key-value table with the metrics' details as indented JSON."""
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False))
        return
    details = found.pop("details", None)
    width = max(map(len, found))
    for key, value in found.items():
        typer.echo(f"{key.ljust(width)}  {value:.4f}")
    if details:
        typer.echo("details: " + json.dumps(details, ensure_ascii=False, indent=2))


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
    skip_broken: SkipBroken = False,
) -> None:
    """Leaderboards from the run files: the latest run per system, comparable runs only, with 95% intervals
    and the systems not significantly different from the best marked per key."""
    from harness.rank import formats, leaderboard

    with _errors():
        boards, problems = leaderboard.build_boards(
            results, task, resamples=resamples, seed=seed, alpha=alpha, skip_broken=skip_broken
        )
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
                for item in board.broken:
                    _say(f"note: {board.task}: not ranked: {item.system} ({item.path}): {item.reason}")
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
    skip_broken: SkipBroken = False,
) -> None:
    """One self-contained HTML page: leaderboards, plots, and every example beside its source."""
    from harness.report.report import build_report, render_html, render_markdown, write

    with _errors():
        report = build_report(results, task, resamples=resamples, seed=seed, alpha=alpha, skip_broken=skip_broken)
        for problem in report.problems:
            _say(f"warning: {problem}")
        for item in report.boards:
            if item.note:
                _say(f"note: {item.board.task}: sources not shown: {item.note}")
        write(out, render_html(report, out))
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
    metrics: Annotated[
        str | None, typer.Option(help="Comma-separated metrics (default: every installed one that is configured).")
    ] = None,
    metric_option: MetricOption = None,
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
    from harness.commands.common import metric_specs
    from harness.probe.render import render, save
    from harness.probe.runner import run_probes
    from harness.read.tasks import DEFAULT_TASK, find_task, load_task
    from harness.scoring.metric_options import apply_metric_options, parse_metric_options
    from harness.store.store import new_run_id

    with _errors(2 if fail_under is not None else 1):
        _library_bars(False)
        parsed = load_task(find_task(task or DEFAULT_TASK))
        specs, flags = metric_specs(metrics), parse_metric_options(metric_option or [])
        if specs is not None:
            apply_metric_options(specs, flags, chosen_by="--metrics")  # only checks that each flag's metric is probed
        result = run_probes(parsed, metric_specs=specs, metric_options=flags, n=n, seed=seed, progress=_say)
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
    metric_option: MetricOption = None,
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
        _library_bars(False)
        doc = meta_evaluate(
            dataset,
            results_dir=results,
            metrics=metrics,
            metric_options=metric_option,
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
    from harness.read.tasks import available_tasks, load_task

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
    from harness.scoring.registry import build_metric, metric_names

    with _errors():
        for name in metric_names():
            metric = build_metric(name)
            typer.echo(f"{name}: {metric.description}")
            typer.echo(f"  keys: {' '.join(metric.keys())}")
            typer.echo(f"  signature: {metric.signature()}")


def main() -> None:
    """Console-script entry point."""
    import warnings

    from harness.scoring.sizes import InputSizeWarning

    default_format = warnings.formatwarning

    def one_line(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> str:
        # A metric's input-size warning is for the user: "warning: <message>", not a file, line and source line.
        if issubclass(category, InputSizeWarning):
            return f"warning: {message}\n"
        return default_format(message, category, *args, **kwargs)

    warnings.formatwarning = one_line
    app()


if __name__ == "__main__":
    main()
