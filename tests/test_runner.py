"""The runner's guarantees: an interrupted eval keeps finished runs and leaves nothing half-written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import metrics.rouge
from harness.store import read_runs


def test_interrupt_keeps_finished_runs(
    make_task: Callable[..., Path], cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while scoring the second system: exit 130, the first run is whole, no temporary folder remains."""
    task = make_task()
    real = metrics.rouge.Rouge.score
    calls = {"n": 0}

    def score_then_interrupt(self: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(self, **kwargs)

    monkeypatch.setattr(metrics.rouge.Rouge, "score", score_then_interrupt)
    out = tmp_path / "results"
    result = cli("eval", str(task), "--out", str(out))
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    runs, problems = read_runs(out)
    assert problems == [] and [r.system for r in runs] == ["mine"]
    assert sorted(p.name for p in (out / "tiny").iterdir()) == ["mine"]
    assert not list(out.rglob(".tmp-*"))


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
