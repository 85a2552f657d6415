"""harness.commands without the command line: what ``harness eval`` plans from its flags, and what it says about
a finished run. The command line itself is tested through typer in test_cli.py; these pin the pieces it now
delegates to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.commands.common import metric_specs, with_metric_options
from harness.commands.eval import EvalPlan, GateFlags, check_resume_flags, outcome_warnings, plan_eval
from harness.errors import HarnessError
from harness.read.tasks import MetricSpec, find_task, load_task
from harness.scoring.runner import RunOutcome


def _plan(notes: list[str], **given: Any) -> EvalPlan:
    flags: dict[str, Any] = {
        "systems": [],
        "metrics": None,
        "metric_options": [],
        "generation_options": [],
        "no_cache": False,
        "refresh": False,
        "baseline": None,
        "gate_flags": GateFlags(),
        "note": notes.append,
    }
    return plan_eval("seeds-paragraphs", **{**flags, **given})


def test_plan_takes_the_tasks_systems_and_metrics_by_default() -> None:
    notes: list[str] = []
    plan = _plan(notes)
    task = load_task(find_task("seeds-paragraphs"))
    assert plan.systems.keys() == task.systems.keys()
    assert plan.metric_specs is None and plan.baseline is None
    assert notes == []


def test_plan_notes_a_missing_primary_key_and_names_systems() -> None:
    notes: list[str] = []
    plan = _plan(notes, systems=["copy", "mine=lead:1"], metrics="quotes")
    assert list(plan.systems) == ["copy", "mine"]
    assert plan.systems["mine"].k == 1
    assert notes == ["note: --metrics does not produce the primary key 'rougeL_p'; ranking by the first key"]


def test_plan_checks_flags_in_the_commands_order() -> None:
    # The unknown system comes after the cache flags, as on the command line.
    with pytest.raises(HarnessError, match="--no-cache and --refresh contradict"):
        _plan([], systems=["nosuch"], no_cache=True, refresh=True)
    with pytest.raises(HarnessError, match="not a default system of task 'seeds-paragraphs' .*did you mean 'copy'"):
        _plan([], systems=["cpy"])
    with pytest.raises(HarnessError, match="--option sets generation options, but none of the chosen systems"):
        _plan([], systems=["copy"], generation_options=["temperature=0"])


def test_resume_names_every_flag_it_cannot_take() -> None:
    check_resume_flags({"TASK": None, "--system": [], "--allow-missing": False})
    with pytest.raises(HarnessError, match="drop --system, --baseline$"):
        check_resume_flags({"TASK": None, "--system": ["copy"], "--baseline": Path("results")})


def test_outcome_warnings_count_what_was_left_out() -> None:
    missing = {f"id{i}": "no candidate" for i in range(7)}
    outcome = RunOutcome("sys", Path("r"), {}, 3, ["e1"], failures={"f1": "timeout"}, missing=missing)
    warnings = outcome_warnings(outcome)
    assert warnings[0] == "warning: sys: 1 empty candidates scored and flagged: e1"
    # 3 scored + 1 failed + 7 missing were attempted.
    assert (
        warnings[1].startswith("warning: sys: 1 of 11 examples failed to generate") and "'f1': timeout" in warnings[1]
    )
    assert warnings[2].endswith("'id0', 'id1', 'id2', 'id3', 'id4', ... (2 more)")
    assert outcome_warnings(RunOutcome("sys", Path("r"), {}, 3, [])) == []


def test_metric_flags() -> None:
    assert metric_specs(None) is None
    assert metric_specs(" rouge, quotes ,") == (MetricSpec("rouge"), MetricSpec("quotes"))
    task = load_task(find_task("seeds-paragraphs"))
    applied = with_metric_options(None, ["rouge.use_stemmer=false"], task)
    assert applied is not None and {s.name: s.options for s in applied}["rouge"] == {"use_stemmer": False}
    with pytest.raises(HarnessError, match="not among the metrics of this run"):
        with_metric_options((MetricSpec("rouge"),), ["quotes.min_words=3"], None)
