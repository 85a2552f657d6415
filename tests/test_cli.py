"""The ``harness`` command-line contract: eval, leaderboard, score, tasks, metrics, and a light ``--help``.

Every ``eval`` here writes under a temporary ``--out`` folder, never into the repository's ``results/``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from harness.scoring.registry import build_metric

ROUGE_KEYS = [f"{t}_{p}" for t in ("rouge1", "rouge2", "rougeL", "rougeLsum") for p in ("p", "r", "f")]
DEFAULT_SYSTEMS = {"seed-rewrite", "seed-rewrite-misnumbered", "copy", "lead-3"}
HEAVY = ("torch", "transformers", "datasets", "evaluate", "nltk")
REPO = Path(__file__).resolve().parent.parent

Cli = Callable[..., Any]


def run_dirs(out: Path, task: str, system: str) -> list[Path]:
    """Completed run folders of one system, oldest first (run ids sort by time)."""
    folder = out / task / system
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def only_run(out: Path, task: str, system: str) -> Path:
    dirs = run_dirs(out, task, system)
    assert len(dirs) == 1, dirs
    return dirs[0]


def read_run(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "run.json").read_text(encoding="utf-8"))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def read_rows(run_dir: Path) -> list[dict[str, Any]]:
    return read_jsonl(run_dir / "examples.jsonl")


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


def board_json(cli: Cli, results: Path, *extra: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(
        ok(cli("leaderboard", "--results", str(results), "--format", "json", *extra)).stdout
    )
    return rows


# --- harness eval with no TASK: the default task, its three default systems, and what a run records ----------


@pytest.fixture(scope="module")
def default_eval(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """One ``harness eval --out DIR`` shared by the tests below (it scores 16 examples with 3 systems)."""
    from harness.cli import app

    out = tmp_path_factory.mktemp("default") / "results"
    result = CliRunner().invoke(app, ["eval", "--out", str(out)], catch_exceptions=False)
    return ok(result), out


def test_eval_default_task_writes_one_run_per_default_system(default_eval: tuple[Any, Path]) -> None:
    """No TASK means seeds-paragraphs with seed-rewrite, copy and lead-3; each gets run.json + examples.jsonl."""
    _, out = default_eval
    assert {p.name for p in (out / "seeds-paragraphs").iterdir()} == DEFAULT_SYSTEMS
    for system in DEFAULT_SYSTEMS:
        run_dir = only_run(out, "seeds-paragraphs", system)
        assert (run_dir / "run.json").is_file() and (run_dir / "examples.jsonl").is_file()
    assert not list(out.rglob(".tmp-*"))


def test_eval_prints_leaderboard_on_stdout(default_eval: tuple[Any, Path]) -> None:
    """The leaderboard of the task goes to stdout (progress goes to stderr); copy ranks first, marked as a
    near-copy (as lead-3, which on these one-to-three-sentence paragraphs is the source too)."""
    result, _ = default_eval
    assert "seeds-paragraphs: ranked by rougeL_p" in result.stdout
    pattern = r"\s*\d+\s+(\S+)( \(near-copy\))?\s+16\s"
    found = [m.groups() for m in map(lambda line: re.match(pattern, line), result.stdout.splitlines()) if m]
    ranked = [system for system, _ in found]
    assert ranked[0] == "copy" and set(ranked) == DEFAULT_SYSTEMS
    assert {system for system, mark in found if mark} == {"copy", "lead-3"}
    assert "(near-copy) = mean extractiveness_coverage >= 0.9" in result.stdout
    assert "wrote " not in result.stdout and "wrote " in result.stderr


def seeds_paragraphs_metrics() -> list[Any]:
    from harness.read.tasks import find_task, load_task

    return [build_metric(spec.name, spec.options) for spec in load_task(find_task("seeds-paragraphs")).metrics]


def test_copy_scores_one_on_every_rouge_key(default_eval: tuple[Any, Path]) -> None:
    """copy is the source itself, so it has mean 1.0 on all 12 ROUGE keys (then come the numeric keys)."""
    _, out = default_eval
    means = read_run(only_run(out, "seeds-paragraphs", "copy"))["means"]
    assert list(means)[: len(ROUGE_KEYS)] == ROUGE_KEYS
    # Then the keys of the task's other metrics, in the task's order (the task file lists them).
    assert list(means) == [key for metric in seeds_paragraphs_metrics() for key in metric.keys()]
    # BERTScore of a text against itself is 1 up to float rounding (P and R are clamped to [-1, 1]).
    assert all(means[key] == pytest.approx(1.0, abs=1e-6) for key in build_metric("bertscore").keys())
    assert all(means[key] == pytest.approx(1.0) for key in ROUGE_KEYS)


def test_run_json_records_provenance(default_eval: tuple[Any, Path]) -> None:
    """run.json: task name+version, system spec, data hash, signatures, packages, commit, seed, timings, means."""
    _, out = default_eval
    data_sha = hashlib.sha256((REPO / "seeds" / "paragraphs.jsonl").read_bytes()).hexdigest()
    specs = {"seed-rewrite": "file:../seeds/rewrite-paragraphs.jsonl", "copy": "copy", "lead-3": "lead:3"}
    for system, spec in specs.items():
        run = read_run(only_run(out, "seeds-paragraphs", system))
        assert run["task"]["name"] == "seeds-paragraphs" and run["task"]["version"] == 2
        assert run["task"]["data_sha256"] == data_sha
        assert run["system"] == {**run["system"], "name": system, "spec": spec}
        assert run["signatures"] == {metric.name: metric.signature() for metric in seeds_paragraphs_metrics()}
        assert {"rouge", "numeric", "bertscore", "extractiveness"} <= set(run["signatures"])
        assert run["signatures"]["rouge"].startswith("rouge|")
        assert run["packages"]["rouge-score"] and run["packages"]["nltk"] and run["packages"]["harness"]
        assert {"commit", "dirty"} <= set(run["project"])
        if (REPO / ".git").exists():
            assert re.fullmatch(r"[0-9a-f]{40}", run["project"]["commit"])
        assert run["seed"] == 1234
        assert {"load_s", "candidates_s", "metrics_s", "score_s"} <= set(run["timings"])
        assert set(run["means"]) == {key for metric in seeds_paragraphs_metrics() for key in metric.keys()}
        # Each metric's headline keys are recorded, for compact leaderboards built from the files.
        assert run["metrics"]["rouge"]["headline"] == ["rouge1_f", "rouge2_f", "rougeLsum_f"]
        assert run["examples"]["n"] == 16


def test_examples_jsonl_has_every_example_and_key(default_eval: tuple[Any, Path]) -> None:
    """examples.jsonl: 16 lines, each with id, candidate and every score key; copy's candidate is the source."""
    _, out = default_eval
    sources = read_jsonl(REPO / "seeds" / "paragraphs.jsonl")
    for system in DEFAULT_SYSTEMS:
        rows = read_rows(only_run(out, "seeds-paragraphs", system))
        assert len(rows) == 16
        assert [r["id"] for r in rows] == [s["id"] for s in sources]
        for row in rows:
            assert isinstance(row["candidate"], str)
            assert set(ROUGE_KEYS) <= set(row)
    copy_rows = read_rows(only_run(out, "seeds-paragraphs", "copy"))
    assert [r["candidate"] for r in copy_rows] == [s["source"] for s in sources]


# --- harness eval seeds: cleaning is reported ----------------------------------------------------------------


def test_eval_seeds_reports_cleaning(cli: Cli, tmp_path: Path) -> None:
    """The one-example seeds task drops headline + cookie notice from the source, the credit from the rewrite."""
    out = tmp_path / "results"
    ok(cli("eval", "seeds", "--system", "seed-rewrite", "--out", str(out)))
    run_dir = only_run(out, "seeds", "seed-rewrite")
    cleaning = read_run(run_dir)["cleaning"]
    assert [rule["name"] for rule in cleaning["rules"]] == ["headline", "cookie-notice", "source-credit"]
    assert cleaning["removed_lines"] == {"source": 2, "candidate": 1}
    assert cleaning["removed_by_rule"] == {
        "source": {"cookie-notice": 1, "headline": 1},
        "candidate": {"source-credit": 1},
    }
    (row,) = read_rows(run_dir)
    assert [r["rule"] for r in row["removed"]["source"]] == ["headline", "cookie-notice"]
    assert row["removed"]["source"][1]["line"].startswith("This website uses cookies.")
    assert " | " in row["removed"]["source"][0]["line"]
    assert row["removed"]["candidate"] == [{"rule": "source-credit", "line": "Source: theguardian.com"}]
    # The candidate is stored as given; only scoring sees the cleaned text.
    assert row["candidate"].rstrip().endswith("Source: theguardian.com")


# --- eval options ----------------------------------------------------------------------------------------------


def test_system_option_replaces_defaults(cli: Cli, make_task: Callable[..., Path], tmp_path: Path) -> None:
    """--system NAME=SPEC (repeatable) replaces the task's default systems."""
    task, out = make_task(), tmp_path / "results"
    ok(cli("eval", str(task), "--system", "first=lead:1", "--system", "twice=lead:2", "--out", str(out)))
    assert {p.name for p in (out / "tiny").iterdir()} == {"first", "twice"}
    assert read_run(only_run(out, "tiny", "first"))["system"]["spec"] == "lead:1"


def test_system_option_picks_a_task_default_by_name(cli: Cli, make_task: Callable[..., Path], tmp_path: Path) -> None:
    """--system copy (a default's name alone) runs only that default, with its spec from the task."""
    task, out = make_task(), tmp_path / "results"
    ok(cli("eval", str(task), "--system", "copy", "--out", str(out)))
    assert {p.name for p in (out / "tiny").iterdir()} == {"copy"}
    assert read_run(only_run(out, "tiny", "copy"))["system"]["spec"] == "copy"


def test_system_default_file_spec_resolves_against_task_folder(
    cli: Cli, make_task: Callable[..., Path], tmp_path: Path
) -> None:
    """--system mine picks the task's file:cands.jsonl, found beside the task file whatever the cwd."""
    task, out = make_task(), tmp_path / "results"
    ok(cli("eval", str(task), "--system", "mine", "--out", str(out)))
    rows = read_rows(only_run(out, "tiny", "mine"))
    assert [r["candidate"] for r in rows][0] == "The cat sat on the mat. It was warm.".upper()[::-1]


def test_metrics_limit_and_seed_options(cli: Cli, make_task: Callable[..., Path], tmp_path: Path) -> None:
    """--metrics rouge, --limit 2 scores the first 2 examples, --seed 7 is recorded."""
    task, out = make_task(), tmp_path / "results"
    ok(
        cli(
            "eval",
            str(task),
            "--system",
            "copy",
            "--metrics",
            "rouge",
            "--limit",
            "2",
            "--seed",
            "7",
            "--out",
            str(out),
        )
    )
    run_dir = only_run(out, "tiny", "copy")
    run = read_run(run_dir)
    assert run["seed"] == 7
    assert run["examples"]["n"] == 2 and run["examples"]["limit"] == 2
    assert run["task"]["n_examples_total"] == 3
    assert list(run["signatures"]) == ["rouge"]
    assert [r["id"] for r in read_rows(run_dir)] == ["a", "b"]


def test_metrics_option_keeping_the_primary_key_adds_no_note(
    cli: Cli, make_task: Callable[..., Path], tmp_path: Path
) -> None:
    """--metrics rouge with a task primary it produces: no note about the ranking key."""
    task, out = make_task(), tmp_path / "results"
    result = ok(cli("eval", str(task), "--system", "copy", "--metrics", "rouge", "--out", str(out)))
    assert "primary key" not in result.stderr


# --- never overwrite; the latest run per system -----------------------------------------------------------------


def test_eval_twice_keeps_both_runs_and_leaderboard_uses_latest(
    cli: Cli, make_task: Callable[..., Path], tmp_path: Path
) -> None:
    """Two evals give two run folders per system; a third with better candidates is what the leaderboard shows."""
    task, out = make_task(), tmp_path / "results"
    ok(cli("eval", str(task), "--out", str(out)))
    ok(cli("eval", str(task), "--out", str(out)))
    assert len(run_dirs(out, "tiny", "mine")) == 2 and len(run_dirs(out, "tiny", "copy")) == 2
    old = read_run(run_dirs(out, "tiny", "mine")[-1])["means"]

    better = tmp_path / "better.jsonl"
    data = read_jsonl(tmp_path / "data.jsonl")
    better.write_text("".join(json.dumps({"id": r["id"], "candidate": r["source"]}) + "\n" for r in data))
    ok(cli("eval", str(task), "--system", f"mine=file:{better}", "--out", str(out)))
    mine_runs = run_dirs(out, "tiny", "mine")
    assert len(mine_runs) == 3
    latest = read_run(mine_runs[-1])
    assert latest["means"]["rougeLsum_f"] == pytest.approx(1.0) != old["rougeLsum_f"]

    rows = {row["system"]: row for row in board_json(cli, out)}
    assert set(rows) == {"mine", "copy"}
    assert {key: rows["mine"][key] for key in ROUGE_KEYS} == latest["means"]
    assert rows["mine"]["run"] == str(mine_runs[-1])


# --- harness leaderboard ---------------------------------------------------------------------------------------


@pytest.fixture
def two_system_results(cli: Cli, make_task: Callable[..., Path], tmp_path: Path) -> Path:
    """Results of the tiny task with its defaults mine and copy."""
    out = tmp_path / "results"
    ok(cli("eval", str(make_task()), "--out", str(out)))
    return out


def test_leaderboard_json_rows(cli: Cli, two_system_results: Path) -> None:
    """--format json: a list of rows, each with system and the mean of every key, ranked by the primary key."""
    rows = board_json(cli, two_system_results)
    assert [row["system"] for row in rows] == ["copy", "mine"]
    for row in rows:
        assert set(ROUGE_KEYS) <= set(row)
        means = read_run(Path(row["run"]))["means"]
        assert {key: row[key] for key in ROUGE_KEYS} == means


def test_leaderboard_csv(cli: Cli, two_system_results: Path) -> None:
    """--format csv: a header with every key and one row per system."""
    text = ok(cli("leaderboard", "--results", str(two_system_results), "--format", "csv")).stdout
    records = list(csv.DictReader(io.StringIO(text)))
    assert [r["system"] for r in records] == ["copy", "mine"]
    assert set(ROUGE_KEYS) <= set(records[0])
    assert float(records[0]["rougeLsum_f"]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("fmt", "marks"),
    [
        ("md", ["### tiny: ranked by rougeLsum_f", "| # | system | n |", "| 1 | copy | 3 |"]),
        ("table", ["tiny: ranked by rougeLsum_f", "rougeLsum"]),
    ],
)
def test_leaderboard_text_formats(cli: Cli, two_system_results: Path, fmt: str, marks: list[str]) -> None:
    """--format md and --format table render the board with both systems."""
    text = ok(cli("leaderboard", "--results", str(two_system_results), "--format", fmt)).stdout
    for mark in marks:
        assert mark in text
    assert "copy" in text and "mine" in text


def test_leaderboard_default_format_is_table(cli: Cli, two_system_results: Path) -> None:
    """No --format prints the same table as --format table."""
    plain = ok(cli("leaderboard", "--results", str(two_system_results))).stdout
    assert plain == ok(cli("leaderboard", "--results", str(two_system_results), "--format", "table")).stdout


def test_leaderboard_task_filter(cli: Cli, make_task: Callable[..., Path], tmp_path: Path) -> None:
    """--task T shows only task T's runs."""
    out = tmp_path / "results"
    ok(cli("eval", str(make_task()), "--system", "copy", "--out", str(out)))
    ok(cli("eval", "seeds", "--system", "copy", "--out", str(out)))
    assert {row["task"] for row in board_json(cli, out)} == {"tiny", "seeds"}
    assert {row["task"] for row in board_json(cli, out, "--task", "seeds")} == {"seeds"}
    table = ok(cli("leaderboard", "--results", str(out), "--task", "tiny")).stdout
    assert "tiny: ranked" in table and "seeds" not in table


def test_leaderboard_invalid_format_is_usage_error(cli: Cli, two_system_results: Path) -> None:
    """--format xyz is rejected by the option parser: exit code 2."""
    result = cli("leaderboard", "--results", str(two_system_results), "--format", "xyz")
    assert result.exit_code == 2


def test_leaderboard_ranks_only_comparable_runs(cli: Cli, make_task: Callable[..., Path], tmp_path: Path) -> None:
    """A run whose metric signature differs (ROUGE without stemming) is listed as not ranked, with a reason."""
    out = tmp_path / "results"
    task = make_task()
    ok(cli("eval", str(task), "--out", str(out)))
    unstemmed = tmp_path / "unstemmed.yaml"
    unstemmed.write_text(
        task.read_text(encoding="utf-8").replace("metrics: [rouge]", "metrics: [{rouge: {use_stemmer: false}}]"),
        encoding="utf-8",
    )
    ok(cli("eval", str(unstemmed), "--system", "nostem=copy", "--out", str(out)))
    assert read_run(only_run(out, "tiny", "nostem"))["signatures"]["rouge"] != build_metric("rouge").signature()

    table = ok(cli("leaderboard", "--results", str(out))).stdout
    (line,) = [line for line in table.splitlines() if "not ranked" in line]
    assert "nostem" in line and "metric signature differs" in line and "stem:none" in line
    assert {row["system"] for row in board_json(cli, out)} == {"mine", "copy"}
    json_run = cli("leaderboard", "--results", str(out), "--format", "json")
    assert "not ranked: nostem" in json_run.stderr


def test_leaderboard_excludes_other_task_version(cli: Cli, make_task: Callable[..., Path], tmp_path: Path) -> None:
    """A run of another version of the task is not ranked either, and the reason says so."""
    out = tmp_path / "results"
    task = make_task()
    ok(cli("eval", str(task), "--out", str(out)))
    v2 = tmp_path / "v2.yaml"
    v2.write_text(task.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    ok(cli("eval", str(v2), "--system", "newer=copy", "--out", str(out)))
    table = ok(cli("leaderboard", "--results", str(out))).stdout
    assert re.search(r"not ranked: newer .*task version 2 differs from 1", table)
    assert "newer" not in {row["system"] for row in board_json(cli, out)}


# --- harness score -------------------------------------------------------------------------------------------

SOURCE = "The council approved the new budget on Tuesday.\nIt raises spending on schools by 4%."
CANDIDATE = "On Tuesday the council approved a budget that raises school spending by four percent."


def reference_rouge(source: str, candidate: str) -> dict[str, float]:
    """The numbers rouge-score itself gives, under the harness's key names."""
    from rouge_score import rouge_scorer

    found = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True).score(source, candidate)
    return {
        f"{name}_{part}": getattr(found[name], field)
        for name in ("rouge1", "rouge2", "rougeL")
        for part, field in (("p", "precision"), ("r", "recall"), ("f", "fmeasure"))
    }


def test_score_json_matches_rouge_score(cli: Cli, tmp_path: Path) -> None:
    """harness score SRC CAND --json prints one JSON object equal to rouge-score's rouge1/2/L P, R, F."""
    (tmp_path / "src.txt").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "cand.txt").write_text(CANDIDATE, encoding="utf-8")
    result = ok(cli("score", str(tmp_path / "src.txt"), str(tmp_path / "cand.txt"), "--json"))
    (line,) = result.stdout.strip().splitlines()
    found = json.loads(line)
    assert set(found) == set(ROUGE_KEYS)
    expected = reference_rouge(SOURCE, CANDIDATE)
    assert {key: found[key] for key in expected} == expected


def test_score_table_output(cli: Cli, tmp_path: Path) -> None:
    """Without --json, one 'key  value' line per ROUGE key."""
    (tmp_path / "src.txt").write_text(SOURCE, encoding="utf-8")
    result = ok(cli("score", str(tmp_path / "src.txt"), str(tmp_path / "src.txt")))
    lines = result.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == ROUGE_KEYS
    assert all(line.split()[1] == "1.0000" for line in lines)


def test_score_pairs_keeps_ids_and_order(cli: Cli, tmp_path: Path) -> None:
    """--pairs: one JSON object per input line, id kept as given, in input order."""
    pairs = [
        {"id": "zeta", "source": SOURCE, "candidate": CANDIDATE},
        {"id": 2, "source": "The cat sat on the mat.", "candidate": "A cat sat on a mat."},
        {"id": "alpha", "source": SOURCE, "candidate": SOURCE},
    ]
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in pairs), encoding="utf-8")
    lines = ok(cli("score", "--pairs", str(path))).stdout.strip().splitlines()
    found = [json.loads(line) for line in lines]
    assert [row["id"] for row in found] == ["zeta", 2, "alpha"]
    for row, pair in zip(found, pairs):
        expected = reference_rouge(pair["source"], pair["candidate"])
        assert {key: row[key] for key in expected} == expected
        assert set(ROUGE_KEYS) <= set(row)


# --- harness tasks / metrics ------------------------------------------------------------------------------------


def test_tasks_lists_the_shipped_tasks(cli: Cli) -> None:
    """harness tasks lists seeds and seeds-paragraphs with version, kind and primary key."""
    lines = ok(cli("tasks")).stdout.splitlines()
    names = {line.split("\t")[0] for line in lines}
    assert {"seeds", "seeds-paragraphs"} <= names
    (paragraphs,) = [line for line in lines if line.startswith("seeds-paragraphs\t")]
    assert "\tv2\trewrite\tprimary=rougeL_p\t" in paragraphs


def test_metrics_lists_rouge_with_keys(cli: Cli) -> None:
    """harness metrics lists rouge, its 12 keys and its signature."""
    text = ok(cli("metrics")).stdout
    assert text.startswith("rouge:") or "\nrouge:" in text
    assert f"  keys: {' '.join(ROUGE_KEYS)}" in text
    assert f"  signature: {build_metric('rouge').signature()}" in text


# --- --help is light; the console script works ------------------------------------------------------------------


def test_help_imports_no_heavy_library() -> None:
    """harness --help must not import torch, transformers, datasets, evaluate or nltk (it must be instant)."""
    code = textwrap.dedent(f"""\
        import sys
        from harness.cli import app
        try:
            app(["--help"])
        except SystemExit:
            pass
        print("HEAVY=" + ",".join(m for m in {HEAVY!r} if m in sys.modules))
        """)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "HEAVY="


def console_script() -> Path:
    script = Path(sys.executable).parent / "harness"
    assert script.is_file(), f"{script}: console script not installed (pip install -e .)"
    return script


def test_console_script_help() -> None:
    """The installed `harness` script answers --help with exit code 0, listing the commands."""
    done = subprocess.run([str(console_script()), "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for command in ("eval", "score", "leaderboard", "tasks", "metrics"):
        assert command in done.stdout


def test_console_script_eval_smoke(tmp_path: Path) -> None:
    """`harness eval --out TMP` run as a real process from another folder succeeds and writes three runs."""
    out = tmp_path / "results"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [str(console_script()), "eval", "--out", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "seeds-paragraphs: ranked by" in done.stdout
    assert len(list(out.glob("seeds-paragraphs/*/*/run.json"))) == len(DEFAULT_SYSTEMS)
