"""The runner's guarantees: an interrupted eval leaves resumable partial runs and nothing half-written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import metrics.rouge
from harness.store.store import read_runs


def test_interrupt_leaves_partial_runs_that_resume_completes(
    make_task: Callable[..., Path], cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after the first batch: exit 130, no run is complete (no run.json, so none is half-written),
    each system's partial run holds the rows scored so far and is listed as partial, not ranked; --resume
    completes both with exactly the rows of an uninterrupted run."""
    examples = [{"id": f"e{i}", "source": f"Item {i} cost {i} pounds. The cat sat on mat {i}."} for i in range(100)]
    task = make_task(examples=examples)
    whole = tmp_path / "whole"
    assert cli("eval", str(task), "--out", str(whole), "--workers", "1").exit_code == 0
    real = metrics.rouge.Rouge.score
    calls = {"n": 0}

    def score_then_interrupt(self: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch: the first is written by then
            raise KeyboardInterrupt
        return real(self, **kwargs)

    monkeypatch.setattr(metrics.rouge.Rouge, "score", score_then_interrupt)
    out = tmp_path / "results"
    result = cli("eval", str(task), "--out", str(out), "--workers", "1")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "--resume" in result.stderr
    runs, problems = read_runs(out)
    assert runs == [] and len(problems) == 2 and all("partial run" in p for p in problems)
    partial = sorted(p.parent for p in out.glob("tiny/*/*/partial.json"))
    kept = [len((p / "examples.jsonl").read_text(encoding="utf-8").splitlines()) for p in partial]
    assert 0 < kept[0] < 100 and kept[0] == kept[1]
    assert not list(out.rglob("run.json")) and not list(out.rglob(".tmp-*"))

    monkeypatch.setattr(metrics.rouge.Rouge, "score", real)
    resumed = cli("eval", "--resume", str(partial[0]), "--workers", "1")
    assert resumed.exit_code == 0, resumed.stderr
    assert f"{sum(kept)} rows kept" in resumed.stderr
    for system in ("mine", "copy"):
        (done,) = [p for p in partial if p.parent.name == system]
        (reference,) = (whole / "tiny" / system).iterdir()
        assert (done / "examples.jsonl").read_bytes() == (reference / "examples.jsonl").read_bytes()
        assert not (done / "partial.json").exists() and (done / "run.json").is_file()
    assert read_runs(out)[1] == []


def test_scores_are_what_the_metric_gives(
    make_task: Callable[..., Path], cli: Callable[..., Any], tmp_path: Path
) -> None:
    """examples.jsonl holds, per example, exactly harness.score of the cleaned source and candidate."""
    import json

    import harness

    task = make_task()
    out = tmp_path / "results"
    assert cli("eval", str(task), "--system", "mine", "--out", str(out)).exit_code == 0
    (run,), _ = read_runs(out)
    rows = [json.loads(line) for line in (run.path / "examples.jsonl").read_text(encoding="utf-8").splitlines()]
    data = [json.loads(line) for line in (tmp_path / "data.jsonl").read_text(encoding="utf-8").splitlines()]
    expected = harness.score(sources=[d["source"] for d in data], candidates=[r["candidate"] for r in rows])
    for row, want in zip(rows, expected):
        assert {k: row[k] for k in want} == want
    means = run.meta["means"]
    assert means["rouge1_f"] == pytest.approx(sum(w["rouge1_f"] for w in expected) / len(expected), abs=1e-15)
