"""The leaderboard's fidelity-novelty view (Pareto front, near-copy flag) and its compact key set (--keys), in
every format, from hand-made runs and from `harness eval` on the seeds task."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.rank import formats, novelty
from harness.rank.leaderboard import build_boards
from harness.store.store import new_run_id, write_run

Cli = Callable[..., Any]
EXTRACTIVENESS = ["extractiveness_coverage", "extractiveness_density", "extractiveness_novel2"]

# A hand-made board: (rougeL_p, rouge2_p, novel2, coverage, density) per system (the fidelity keys, novelty.FIDELITY).
#   copy  (0.95, 1.00, 0.00, 1.00, 40.0)  best fidelity: nobody is at least as good on both fidelity keys -> front
#   good  (0.85, 0.90, 0.50, 0.70,  3.0)  most novel of all -> front
#   worse (0.80, 0.85, 0.45, 0.72,  3.5)  good is higher on all three -> dominated
#   odd   (0.80, 0.95, 0.40, 0.75,  4.0)  rouge2_p 0.95 beats good's 0.90; copy is higher on both fidelity keys
#                                        but has novel2 0 < 0.40 -> not dominated -> front
FOUR = {
    "copy": (0.95, 1.00, 0.00, 1.00, 40.0),
    "good": (0.85, 0.90, 0.50, 0.70, 3.0),
    "worse": (0.80, 0.85, 0.45, 0.72, 3.5),
    "odd": (0.80, 0.95, 0.40, 0.75, 4.0),
}


def write_board(
    results: Path, systems: dict[str, tuple[float, ...]], *, kind: str = "rewrite", metrics: str = "all"
) -> None:
    """Runs whose examples all score the system's mean (so the significance tests have data)."""
    for system, (rouge_l, rouge_2, novel2, coverage, density) in systems.items():
        means: dict[str, float] = {"rouge1_f": rouge_l}
        recorded: dict[str, Any] = {"rouge": {"keys": ["rouge1_f"], "directions": {"rouge1_f": "higher"}}}
        if metrics in ("all", "no-fidelity"):
            values = dict(zip(EXTRACTIVENESS, (coverage, density, novel2)))
            means.update(values)
            recorded["extractiveness"] = {
                "keys": EXTRACTIVENESS,
                "directions": dict.fromkeys(EXTRACTIVENESS, "none"),
                "headline": EXTRACTIVENESS,
            }
        if metrics == "all":
            means |= {"rougeL_p": rouge_l, "rouge2_p": rouge_2}
            recorded["rouge"] = {
                "keys": ["rouge1_f", "rougeL_p", "rouge2_p"],
                "directions": dict.fromkeys(["rouge1_f", "rougeL_p", "rouge2_p"], "higher"),
                "headline": ["rouge1_f"],
            }
        meta = {
            "run_id": new_run_id(),
            "started_at": "2026-01-01T00:00:00",
            "task": {"name": "t", "version": 1, "kind": kind, "primary": "rouge1_f", "data_sha256": "d" * 64},
            "system": {"name": system, "spec": "copy"},
            "examples": {"n": 2, "limit": None, "ids_sha256": "i" * 64},
            "metrics": recorded,
            "signatures": {name: name + "|x" for name in recorded},
            "means": means,
        }
        write_run(results, "t", system, meta, [{"id": i, **means} for i in ("a", "b")])


def test_pareto_front_of_a_hand_made_four_system_board(tmp_path: Path) -> None:
    assert novelty.pareto_front({s: (v[0], v[1], v[2]) for s, v in FOUR.items()}) == {"copy", "good", "odd"}
    write_board(tmp_path, FOUR)
    (board,) = build_boards(tmp_path, resamples=20)[0]
    view, note = novelty.view(board)
    assert note is None and view is not None
    assert view.fidelity_keys == ["rougeL_p", "rouge2_p"]
    assert {p.system: (p.pareto, p.near_copy) for p in view.points} == {
        "copy": (True, True),  # coverage 1.0 >= 0.9 and novel2 0.0 <= 0.05
        "good": (True, False),
        "worse": (False, False),
        "odd": (True, False),
    }
    rows = {row["system"]: row["fidelity_novelty"] for row in json.loads(formats.render([board], "json"))}
    assert rows["odd"] == {
        "novelty": 0.40,
        "density": 4.0,
        "coverage": 0.75,
        "fidelity": {"rougeL_p": 0.80, "rouge2_p": 0.95},
        "pareto": True,
        "near_copy": False,
    }
    records = {r["system"]: r for r in csv.DictReader(io.StringIO(formats.render([board], "csv")))}
    assert (records["worse"]["pareto"], records["copy"]["near_copy"]) == ("False", "True")


def test_dominance_needs_one_strict_improvement() -> None:
    assert novelty.dominates((0.9, 0.5), (0.9, 0.4)) and not novelty.dominates((0.9, 0.5), (0.9, 0.5))
    # Two identical systems do not dominate each other: both stay on the front.
    assert novelty.pareto_front({"a": (0.9, 0.5), "b": (0.9, 0.5), "c": (0.8, 0.5)}) == {"a", "b"}


def test_near_copy_rule_boundaries() -> None:
    assert novelty.is_near_copy(0.9, 0.05) and novelty.is_near_copy(1.0, 0.0)
    assert not novelty.is_near_copy(0.89, 0.0)  # much of it is not copied
    assert not novelty.is_near_copy(1.0, 0.051)  # copied words, recombined: REALSumm's abstractive systems


def test_table_and_markdown_mark_the_near_copy_and_show_the_view(tmp_path: Path) -> None:
    write_board(tmp_path, FOUR)
    (board,) = build_boards(tmp_path, resamples=20)[0]
    table = formats.render([board], "table")
    assert "copy (near-copy)" in table and "good (near-copy)" not in table
    assert "(near-copy) = mean extractiveness_coverage >= 0.9" in table
    assert "Fidelity-novelty: novelty = extractiveness_novel2" in table
    view_lines = table.split("Fidelity-novelty")[1].splitlines()
    # In rank order (rouge1_f; odd and worse tie at 0.80 and go by name).
    assert [line.split()[0] for line in view_lines[2:6]] == ["copy", "good", "odd", "worse"]
    assert view_lines[5].split()[-1] == "0.8500"  # worse: neither on the front nor a near-copy
    md = formats.render([board], "md")
    assert "| copy (near-copy) |" in md and "#### Fidelity-novelty" in md


def test_view_omitted_with_a_note_when_runs_lack_its_keys(tmp_path: Path) -> None:
    write_board(tmp_path / "rouge", FOUR, metrics="rouge")
    (board,) = build_boards(tmp_path / "rouge", resamples=20)[0]
    table = formats.render([board], "table")
    assert "fidelity-novelty view omitted: the runs have no extractiveness_novel2" in table
    assert "near-copy" not in table and "Fidelity-novelty:" not in table
    assert all(row["fidelity_novelty"] is None for row in json.loads(formats.render([board], "json")))
    assert "pareto" not in formats.render([board], "csv").splitlines()[0]

    write_board(tmp_path / "nofid", FOUR, metrics="no-fidelity")
    (board,) = build_boards(tmp_path / "nofid", resamples=20)[0]
    assert "the runs have none of rougeL_p, rouge2_p" in formats.render([board], "table")

    # A summarisation task has no fidelity-novelty view, and says nothing about it.
    write_board(tmp_path / "summ", FOUR, kind="summarise")
    (board,) = build_boards(tmp_path / "summ", resamples=20)[0]
    assert novelty.view(board) == (None, None)
    assert "novelty" not in formats.render([board], "table").lower()


# --- through the command line ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`harness eval seeds` (the whole article; 4 systems) without BERTScore, to keep it fast."""
    from typer.testing import CliRunner

    from harness.cli import app

    out = tmp_path_factory.mktemp("seeds") / "results"
    args = ["eval", "seeds", "--metrics", "rouge,numeric,extractiveness", "--out", str(out), "--resamples", "200"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return out


@pytest.mark.slow
def test_copy_and_lead3_are_near_copies_on_the_seeds_task(cli: Cli, seeds_results: Path) -> None:
    table = cli("leaderboard", "--results", str(seeds_results)).stdout
    ranked = [line.split("  ")[1].strip() for line in table.splitlines() if line[:1].isdigit()]
    assert ranked[0] == "copy (near-copy)"  # copy tops the board, and not unremarked
    assert sorted(ranked) == ["copy (near-copy)", "lead-3 (near-copy)", "seed-rewrite", "seed-rewrite-misnumbered"]
    assert "(near-copy) = mean extractiveness_coverage >= 0.9 and mean extractiveness_novel2 <= 0.05: " in table
    rows = {
        r["system"]: r["fidelity_novelty"]
        for r in json.loads(cli("leaderboard", "--results", str(seeds_results), "--format", "json").stdout)
    }
    assert {s: r["near_copy"] for s, r in rows.items()} == {
        "copy": True,
        "lead-3": True,
        "seed-rewrite": False,
        "seed-rewrite-misnumbered": False,
    }
    assert rows["copy"]["novelty"] == 0.0 and rows["seed-rewrite"]["novelty"] > 0.5
    run = json.loads(next((seeds_results / "seeds" / "seed-rewrite").glob("*/run.json")).read_text(encoding="utf-8"))
    assert rows["seed-rewrite"]["fidelity"] == {k: run["means"][k] for k in ("rougeL_p", "rouge2_p")}


@pytest.mark.slow
def test_table_shows_headline_keys_and_keys_option_picks_columns(cli: Cli, seeds_results: Path) -> None:
    run = json.loads(next((seeds_results / "seeds" / "copy").glob("*/run.json")).read_text(encoding="utf-8"))
    assert run["metrics"]["extractiveness"]["headline"] == EXTRACTIVENESS
    assert run["metrics"]["rouge"]["headline"] == ["rouge1_f", "rouge2_f", "rougeLsum_f"]

    def header(text: str) -> list[str]:
        return next(line for line in text.splitlines() if line.startswith("#")).split()

    table = cli("leaderboard", "--results", str(seeds_results)).stdout
    # The primary key (rougeL_p, tasks/seeds.yaml v2) joins the headline keys: rouge1 F, rouge2 F, rougeL P,
    # rougeLsum F.
    parts = ["#", "system", "n", "rougeL_p", "95%", "CI", "F", "F", "P", "F", "PRECISION", "RECALL"]
    assert header(table) == [*parts, "COVERAGE", "DENSITY", "NOVEL2"]
    assert "Showing 9 of 23 keys" in table and "--keys" in table
    picked = cli("leaderboard", "--results", str(seeds_results), "--keys", "rouge1_f, numeric").stdout
    assert header(picked) == [
        "#",
        "system",
        "n",
        "rougeL_p",
        "95%",
        "CI",
        "F",
        *["PRECISION", "RECALL", "F", "N_SOURCE", "N_CANDIDATE"],
    ]
    # md, csv and json keep every key unless --keys is given.
    md = cli("leaderboard", "--results", str(seeds_results), "--format", "md").stdout
    assert "extractiveness NOVEL3" in md and "Showing" not in md
    rows = json.loads(
        cli("leaderboard", "--results", str(seeds_results), "--format", "json", "--keys", "extractiveness").stdout
    )
    assert [k for k in rows[0] if k.startswith("extractiveness")] == [
        "extractiveness_coverage",
        "extractiveness_density",
        "extractiveness_compression",
        "extractiveness_novel1",
        "extractiveness_novel2",
        "extractiveness_novel3",
    ]
    assert "rouge1_f" not in rows[0] and list(rows[0]["intervals"]) == [k for k in rows[0] if k.startswith("extr")]


@pytest.mark.slow
def test_unknown_keys_name_is_a_one_line_error(cli: Cli, seeds_results: Path) -> None:
    result = cli("leaderboard", "--results", str(seeds_results), "--keys", "rouge1f")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "--keys: unknown key or metric 'rouge1f' (did you mean 'rouge1_f'?)" in result.stderr
    assert cli("leaderboard", "--results", str(seeds_results), "--keys", " , ").exit_code == 1
