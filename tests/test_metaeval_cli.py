"""``harness meta-eval``: output in every format, cached scores, bad input, and the published numbers it must
reproduce on the shipped data (slow: those score thousands of summaries once)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import write_jsonl

from harness.errors import HarnessError
from harness.metaeval.data import score_keys

SOURCES = [
    "The council approved the new park on Tuesday after a long debate about its cost.",
    "Prices rose five percent in March, more than the three percent analysts had expected.",
    "The river flooded two villages overnight and rescue teams evacuated forty families.",
    "A local school won the national robotics prize with a robot that sorts recycling.",
    "The museum will reopen in May with a new gallery devoted to ancient maps.",
]


def _human_task(tmp_path: Path, systems: int = 4, human: Callable[[int, int], float] | None = None) -> Path:
    """Five documents, ``systems`` systems that copy ever fewer words of the source, and a human score."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    write_jsonl(tmp_path / "docs.jsonl", [{"id": f"d{i}", "source": s} for i, s in enumerate(SOURCES)])
    score = human or (lambda i, j: float((i + 3 * j) % 5 + j))
    lines = []
    for j in range(systems):
        rows = []
        for i, source in enumerate(SOURCES):
            words = source.split()
            rows.append(
                {"id": f"d{i}", "candidate": " ".join(words[: max(2, len(words) - 3 * j - i)]), "quality": score(i, j)}
            )
        write_jsonl(tmp_path / f"s{j}.jsonl", rows)
        lines.append(f"  s{j}: file:s{j}.jsonl")
    task = tmp_path / "judged.yaml"
    task.write_text(
        textwrap.dedent("""\
        name: judged
        version: 1
        kind: summarise
        data: docs.jsonl
        metrics: [rouge]
        primary: rouge1_f
        human: [quality]
        systems:
        """)
        + "\n".join(lines)
        + "\n",
        encoding="utf-8",
    )
    return task


def _runs(results: Path) -> list[Path]:
    return sorted(results.glob("*/*/*/run.json"))


def _fails(result: Any, *fragments: str) -> None:
    """Exit 1 with one error line (after any progress lines) and no traceback."""
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.strip().splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and result.stderr.strip().endswith(errors[0]), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


@pytest.mark.slow
def test_json_holds_every_number_and_scores_are_cached(cli: Callable[..., Any], tmp_path: Path) -> None:
    task, results = _human_task(tmp_path), tmp_path / "results"
    args = ["meta-eval", str(task), "--results", str(results), "--resamples", "40", "--seed", "7", "--format", "json"]
    first = cli(*args)
    assert first.exit_code == 0, first.stderr
    runs = _runs(results)
    assert len(runs) == 4
    doc = json.loads(first.stdout)
    assert doc["settings"]["resamples"] == 40 and doc["settings"]["seed"] == 7
    (dataset,) = doc["datasets"]
    assert dataset["aspect"] == "quality" and dataset["shape"] == {"documents": 5, "systems": 4, "summaries": 20}
    assert dataset["signatures"]["rouge"].startswith("rouge|") and len(dataset["data"]["sha256"]) == 64
    assert [level["level"] for level in dataset["levels"]] == ["summary", "system", "global"]
    summary = dataset["levels"][0]
    kendall = summary["coefficients"]["kendall_tau_b"]
    # The candidates are prefixes of their sources: every ROUGE precision is 1.0, constant, so not ranked
    # (test_metaeval_constant.py); the 8 recall and F keys are.
    assert {row["key"] for row in kendall["results"]} == {
        f"rouge{t}_{p}" for t in ("1", "2", "L", "Lsum") for p in "rf"
    }
    assert [item["key"] for item in summary["constant_keys"]] == ["rouge1_p", "rouge2_p", "rougeL_p", "rougeLsum_p"]
    for row in kendall["results"]:
        assert row["ci"]["resamples"] == 40 and 0 < row["ci"]["valid_resamples"] <= 40
        assert row["n"]["unit"] == "documents" and row["n"]["used"] + row["n"]["skipped"] == 5
        assert isinstance(row["rank"], int)
    # 8 keys make 28 pairs: Holm needs at least 28 / 0.05 permutations before anything can be significant.
    # 560, rounded up to the hundred: 600.
    assert kendall["significance"]["permutations"] == 600 and len(kendall["significance"]["pairs"]) == 28
    # A second run reads the runs it wrote: no new run, the same numbers.
    second = cli(*args)
    assert second.exit_code == 0 and _runs(results) == runs
    assert json.loads(second.stdout)["datasets"] == doc["datasets"]
    # A metric that every system has runs of joins by itself; its counts are left out, with the reason.
    assert cli("eval", str(task), "--metrics", "numeric", "--out", str(results)).exit_code == 0
    third = json.loads(cli(*args).stdout)["datasets"][0]
    assert "numeric" in third["signatures"] and "numeric_precision" in {k["key"] for k in third["keys"]}
    assert set(third["excluded_keys"]) == {"numeric_n_source", "numeric_n_candidate"}


@pytest.mark.slow
def test_table_markdown_and_the_page(cli: Callable[..., Any], tmp_path: Path) -> None:
    task, results = _human_task(tmp_path), tmp_path / "results"
    common = ["meta-eval", str(task), "--results", str(results), "--resamples", "20", "--level", "summary,partial"]
    table = cli(*common, "--out", str(tmp_path / "page"))
    assert table.exit_code == 0, table.stderr
    assert "summary level: per document" in table.stdout and "partial level" in table.stdout
    assert "95% CI" in table.stdout and "5 documents" in table.stdout
    page = (tmp_path / "page" / "metaeval.html").read_text(encoding="utf-8")
    assert "Plotly.newPlot" in page and "judged" in page and "mplot-judged-summary" in page
    assert (
        json.loads((tmp_path / "page" / "metaeval.json").read_text(encoding="utf-8"))["datasets"][0]["task"] == "judged"
    )
    markdown = cli(*common, "--format", "md")
    assert "| rank | key | kendall_tau_b | 95% CI |" in markdown.stdout


def test_a_task_without_human_judgements(cli: Callable[..., Any], make_task: Callable[..., Path]) -> None:
    _fails(cli("meta-eval", str(make_task())), "no human judgements", "'human:'")


def test_unknown_names(cli: Callable[..., Any], tmp_path: Path) -> None:
    _fails(cli("meta-eval", "summevall"), "unknown dataset", "did you mean 'summeval'")
    task = _human_task(tmp_path)
    _fails(cli("meta-eval", str(task), "--level", "sumary"), "unknown level", "did you mean 'summary'")
    _fails(cli("meta-eval", str(task), "--metrics", "rogue"), "unknown metric", "did you mean 'rouge'")
    _fails(cli("meta-eval", str(task), "--split", "test"), "has no splits")


@pytest.mark.slow
def test_bad_aspect_few_systems_and_undefined_levels(cli: Callable[..., Any], tmp_path: Path) -> None:
    results = str(tmp_path / "results")
    few = _human_task(tmp_path / "few", systems=2)
    refused = cli("meta-eval", str(few), "--results", results)
    _fails(refused, "2 systems", "at least 3")
    assert "scoring" not in refused.stderr  # refused before anything is scored
    task = _human_task(tmp_path / "ok")
    _fails(cli("meta-eval", str(task), "--results", results, "--aspect", "qualty"), "no human field 'qualty'")
    flat = _human_task(tmp_path / "flat", human=lambda i, j: 3.0)
    _fails(
        cli("meta-eval", str(flat), "--results", results, "--level", "summary", "--resamples", "10"),
        "the same for every system in every document",
        "undefined",
    )


def test_a_metric_without_score_keys_is_refused() -> None:
    """Counts (no better direction) are left out; a metric with nothing else cannot be meta-evaluated."""
    keys, left_out = score_keys("numeric", {"numeric_precision": "higher", "numeric_n_source": "none"})
    assert [k.name for k in keys] == ["numeric_precision"] and list(left_out) == ["numeric_n_source"]
    lower, _ = score_keys("quotes", {"quotes_altered": "lower"})
    assert lower[0].orientation == -1.0
    with pytest.raises(HarnessError, match="no score keys with a better direction"):
        score_keys("extractiveness", {"extractiveness_coverage": "none", "extractiveness_density": "none"})


# --- the published numbers, on the shipped data ----------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One results folder for the fixture tests: each dataset is scored with ROUGE once."""
    return tmp_path_factory.mktemp("metaeval-results")


def _summary_level(cli: Callable[..., Any], results: Path, dataset: str) -> dict[str, dict[str, float]]:
    found = cli(
        "meta-eval", dataset, "--metrics", "rouge", "--level", "summary", "--resamples", "20", "--format", "json",
        "--results", str(results),
    )  # fmt: skip
    assert found.exit_code == 0, found.stderr
    level = json.loads(found.stdout)["datasets"][0]["levels"][0]
    return {c: {row["key"]: row["value"] for row in block["results"]} for c, block in level["coefficients"].items()}


@pytest.mark.slow
def test_realsumm_reproduces_docasref(cli: Callable[..., Any], shipped_results: Path) -> None:
    """DocAsRef (Bao et al. 2022) table, REALSumm, candidate vs source, rouge-score without stemmer, F,
    summary level: abstractive Pearson 0.351 / 0.264 / 0.265 and Spearman 0.335 / 0.254 / 0.255 for
    ROUGE-1 / 2 / L; extractive Pearson 0.135 / 0.121 / 0.090."""
    found = _summary_level(cli, shipped_results, "realsumm-abs")
    for key, pearson, spearman in (("rouge1_f", 0.351, 0.335), ("rouge2_f", 0.264, 0.254), ("rougeL_f", 0.265, 0.255)):
        assert found["pearson"][key] == pytest.approx(pearson, abs=5e-4)
        assert found["spearman"][key] == pytest.approx(spearman, abs=5e-4)
    found = _summary_level(cli, shipped_results, "realsumm-ext")
    for key, pearson in (("rouge1_f", 0.135), ("rouge2_f", 0.121), ("rougeL_f", 0.090)):
        assert found["pearson"][key] == pytest.approx(pearson, abs=5e-4)


@pytest.mark.slow
def test_summeval_reproduces_rouge_l_precision(cli: Callable[..., Any], shipped_results: Path) -> None:
    """SummEval's 12 systems, ROUGE-L precision of the summary against its source vs the mean expert consistency,
    summary level: Pearson 0.504, Spearman 0.432 (the issue's reproduced figures; 96 documents, 4 skipped)."""
    found = _summary_level(cli, shipped_results, "summeval")
    assert found["pearson"]["rougeL_p"] == pytest.approx(0.504, abs=5e-4)
    assert found["spearman"]["rougeL_p"] == pytest.approx(0.432, abs=5e-4)
