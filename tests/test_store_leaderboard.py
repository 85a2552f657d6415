"""Run files and leaderboards: atomic writes, no overwrites, latest run per system, comparable runs only."""

from __future__ import annotations

import json
import math
from datetime import UTC
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness.errors import HarnessError
from harness.rank import formats, leaderboard
from harness.store.store import examples_by_id, new_run_id, read_examples, read_runs, write_run

SIG = {"rouge": "rouge|types:rouge1|stem:none|version:x"}


def run_meta(
    system: str,
    mean: float,
    *,
    started: str = "2026-01-01T00:00:00",
    version: Any = 1,
    signatures: dict[str, str] | None = None,
    data: str = "d" * 64,
    ids: str = "i" * 64,
    n: int = 3,
) -> dict[str, Any]:
    return {
        "run_id": new_run_id(),
        "started_at": started,
        "task": {"name": "t", "version": version, "primary": "rouge1_f", "data_sha256": data},
        "system": {"name": system, "spec": "copy"},
        "examples": {"n": n, "limit": None, "ids_sha256": ids},
        "signatures": signatures or SIG,
        "means": {"rouge1_p": mean, "rouge1_f": mean},
    }


def put(results: Path, meta: dict[str, Any]) -> Path:
    """Write a run whose examples all score its mean on every key (so per-example and mean agree)."""
    examples = [{"id": i, **meta["means"]} for i in ("a", "b", "c")]
    return write_run(results, meta["task"]["name"], meta["system"]["name"], meta, examples)


def test_write_and_read_back(tmp_path: Path) -> None:
    path = put(tmp_path, run_meta("s", 0.5))
    assert path.parent == tmp_path / "t" / "s"
    runs, problems = read_runs(tmp_path)
    assert problems == [] and [r.meta for r in runs] == [json.loads((path / "run.json").read_text())]
    assert read_examples(path)[0] == {"id": "a", "rouge1_p": 0.5, "rouge1_f": 0.5}


def test_never_overwrites(tmp_path: Path) -> None:
    meta = run_meta("s", 0.5)
    put(tmp_path, meta)
    with pytest.raises(HarnessError, match="exists already"):
        put(tmp_path, meta)


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash while writing (here: a value JSON cannot hold) leaves no run and no temporary folder."""
    meta = run_meta("s", 0.5)
    meta["means"]["rouge1_f"] = float("nan")
    with pytest.raises(ValueError):
        put(tmp_path, meta)
    assert list((tmp_path / "t" / "s").iterdir()) == []


def test_run_ids_sort_by_time() -> None:
    from datetime import datetime, timedelta

    now = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [new_run_id(now + timedelta(microseconds=i)) for i in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_unreadable_run_is_reported_not_fatal(tmp_path: Path) -> None:
    put(tmp_path, run_meta("good", 0.5))
    bad = tmp_path / "t" / "bad" / "r1"
    bad.mkdir(parents=True)
    (bad / "run.json").write_text("{not json", encoding="utf-8")
    runs, problems = read_runs(tmp_path)
    assert [r.system for r in runs] == ["good"]
    assert len(problems) == 1 and "unreadable run" in problems[0] and "bad" in problems[0]


def test_temporary_folders_are_ignored(tmp_path: Path) -> None:
    put(tmp_path, run_meta("s", 0.5))
    tmp = tmp_path / "t" / "s" / ".tmp-x"
    tmp.mkdir()
    (tmp / "run.json").write_text(json.dumps(run_meta("s", 0.9)), encoding="utf-8")
    assert [r.meta["means"]["rouge1_f"] for r in read_runs(tmp_path)[0]] == [0.5]


def test_latest_run_per_system_ranked_by_primary(tmp_path: Path) -> None:
    put(tmp_path, run_meta("a", 0.9, started="2026-01-01T00:00:00"))
    put(tmp_path, run_meta("a", 0.2, started="2026-01-02T00:00:00"))  # newer, worse: this one counts
    put(tmp_path, run_meta("b", 0.5))
    (board,), _ = leaderboard.build_boards(tmp_path)
    assert [(r.system, r.meta["means"]["rouge1_f"]) for r in board.ranked] == [("b", 0.5), ("a", 0.2)]
    rows = json.loads(formats.render([board], "json"))
    assert [row["system"] for row in rows] == ["b", "a"]
    assert rows[0]["rouge1_f"] == 0.5 and rows[0]["rank"] == 1 and rows[0]["n"] == 3


@pytest.mark.parametrize(
    ("odd", "reason"),
    [
        ({"version": 2}, "task version 2 differs from 1"),
        ({"signatures": {"rouge": "rouge|other"}}, "metric signature differs: rouge: rouge|other"),
        ({"data": "e" * 64}, "task data differs"),
        ({"ids": "j" * 64, "n": 2}, "scored other examples (2 vs 3"),
    ],
)
def test_incomparable_runs_listed_with_reason(tmp_path: Path, odd: dict[str, Any], reason: str) -> None:
    """The larger comparable group is ranked; the odd run is listed below it, with why."""
    put(tmp_path, run_meta("a", 0.5))
    put(tmp_path, run_meta("b", 0.4))
    put(tmp_path, run_meta("odd", 0.99, **odd))
    (board,), _ = leaderboard.build_boards(tmp_path)
    assert [r.system for r in board.ranked] == ["a", "b"]
    assert [r.system for r, _ in board.excluded] == ["odd"]
    assert reason in board.excluded[0][1]
    table = formats.render([board], "table")
    assert "not ranked: odd" in table and reason in table
    assert "odd" not in [row["system"] for row in json.loads(formats.render([board], "json"))]
    assert "odd" not in formats.render([board], "csv")


def test_markdown_and_csv_shapes(tmp_path: Path) -> None:
    meta = run_meta("a", 0.5)
    meta["intervals"] = {"rouge1_p": [0.4, 0.6], "rouge1_f": [0.45, 0.55]}
    put(tmp_path, meta)
    boards, _ = leaderboard.build_boards(tmp_path)
    md = formats.render(boards, "md").splitlines()
    assert md[0].startswith("### t: ranked by rouge1_f")
    assert md[2] == "| # | system | n | rouge1_f 95% CI | rouge1 P | rouge1 F |"
    assert md[4] == "| 1 | a | 3 | [0.4500, 0.5500] | **0.5000** | **0.5000** |"
    csv_lines = formats.render(boards, "csv").splitlines()
    assert csv_lines[0] == (
        "task,system,rank,n,rouge1_p,rouge1_p_low,rouge1_p_high,rouge1_p_top,rouge1_f,rouge1_f_low,rouge1_f_high,"
        "rouge1_f_top,run"
    )
    assert csv_lines[1].startswith("t,a,1,3,0.5,0.4,0.6,True,0.5,0.45,0.55,True,")


def put_scores(results: Path, system: str, values: list[float]) -> None:
    """A run whose per-example rouge1_f (and rouge1_p) are ``values``; means as the runner computes them."""
    meta = run_meta(system, 0.0, n=len(values))
    mean = math.fsum(values) / len(values)
    meta["means"] = {"rouge1_p": mean, "rouge1_f": mean}
    examples = [{"id": f"e{i}", "rouge1_p": v, "rouge1_f": v} for i, v in enumerate(values)]
    write_run(results, "t", system, meta, examples)


def test_significance_groups(tmp_path: Path) -> None:
    """The best, a system within noise of it (top group), and one clearly worse (outside, small Holm p)."""
    rng = np.random.default_rng(0)
    best = rng.uniform(0.6, 0.9, size=40)
    put_scores(tmp_path, "best", list(best))
    noise = rng.normal(0, 0.01, size=40)
    put_scores(tmp_path, "close", list(best + noise - noise.mean() - 0.002))  # 0.002 below best on average
    put_scores(tmp_path, "worse", list(best - 0.3))
    (board,), _ = leaderboard.build_boards(tmp_path, resamples=999)
    assert board.top["rouge1_f"] == {"best", "close"}
    assert board.p_values["rouge1_f"]["worse"] == pytest.approx(2 / 1000)  # Holm: 2 comparisons x 1/(N+1)
    assert board.p_values["rouge1_f"]["close"] > 0.05
    rows = json.loads(formats.render([board], "json"))
    assert [r["system"] for r in rows] == ["best", "close", "worse"]
    assert [r["top"]["rouge1_f"] for r in rows] == [True, True, False]
    assert rows[0]["significance"]["resamples"] == 999 and rows[0]["p_vs_best"]["rouge1_f"] is None
    table = formats.render([board], "table")
    assert "not significantly different from the best" in table
    worse_line = next(line for line in table.splitlines() if " worse " in line)
    assert "*" not in worse_line


def test_significance_is_reproducible_from_the_files(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    put_scores(tmp_path, "a", list(rng.uniform(size=25)))
    put_scores(tmp_path, "b", list(rng.uniform(size=25)))
    first = leaderboard.build_boards(tmp_path)[0][0].p_values
    assert leaderboard.build_boards(tmp_path)[0][0].p_values == first


def test_missing_results_folder(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="results folder not found"):
        leaderboard.build_boards(tmp_path / "nope")


def test_examples_by_id_rejects_a_duplicate_id(tmp_path: Path) -> None:
    """compare and the leaderboard align examples by id; a hand-edited file holding an id twice is an error."""
    path = put(tmp_path, run_meta("s", 0.5))
    assert list(examples_by_id(path)) == ["a", "b", "c"]
    with open(path / "examples.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps({"id": "a", "rouge1_p": 0.0, "rouge1_f": 0.0}) + "\n")
    with pytest.raises(HarnessError, match="holds id 'a' twice"):
        examples_by_id(path)
    with pytest.raises(HarnessError, match="holds id 'a' twice"):
        leaderboard.build_boards(tmp_path)
