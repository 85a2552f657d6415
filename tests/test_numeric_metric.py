"""The numeric metric through harness.score, `harness score` and `harness eval`, on the seeds, and as an
evaluate module."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import harness
from harness.errors import HarnessError
from harness.scoring.registry import build_metric
from harness.store.store import read_examples, read_runs

KEYS = ["numeric_precision", "numeric_recall", "numeric_f", "numeric_n_source", "numeric_n_candidate"]
SOURCE = "Net migration would increase the population by nearly 10%, or 6.1 million people, by mid-2036."


def test_keys_and_details_from_harness_score() -> None:
    (row,) = harness.score(
        sources=[SOURCE],
        candidates=["Migration would add 6.1 million people, more than 10%."],
        metrics=["numeric"],
        details=True,
    )
    assert list(row)[:5] == KEYS
    # Candidate: 6.1 million (supported), more than 10% (bound). Source: 10%, 6.1 million, 2036 (missing).
    assert row["numeric_precision"] == 0.5 and row["numeric_recall"] == pytest.approx(1 / 3)
    assert row["numeric_f"] == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    assert (row["numeric_n_source"], row["numeric_n_candidate"]) == (3.0, 2.0)
    kinds = [d["kind"] for d in row["details"]["numeric"]["discrepancies"]]
    assert kinds == ["bound", "missing", "missing"]
    bound = row["details"]["numeric"]["discrepancies"][0]
    assert bound["candidate"]["text"] == "more than 10%" and bound["source"]["text"] == "nearly 10%"
    assert SOURCE[bound["source"]["start"] : bound["source"]["end"]] == "nearly 10%"


def test_hand_derived_precision_and_recall() -> None:
    """Source 3 figures, candidate 4: two backed (300,000 and £500m), one scaled, one invented."""
    rows = harness.score(
        sources=["It cut 300,000 jobs and paid £500m in 2022.", "No figures here.", "Three men."],
        candidates=["It cut 300,000 jobs, paid £500bn and hired 12 people, all for £500m.", "None.", "No figures."],
        metrics=["numeric"],
    )
    assert [rows[0][k] for k in KEYS[:2]] == [0.5, pytest.approx(2 / 3)]
    assert (rows[1]["numeric_precision"], rows[1]["numeric_recall"], rows[1]["numeric_f"]) == (1.0, 1.0, 1.0)
    assert (rows[2]["numeric_precision"], rows[2]["numeric_recall"]) == (1.0, 0.0)


def test_options_and_signature() -> None:
    metric = build_metric("numeric")
    assert metric.signature().startswith("numeric|extract:7|match:5|tol:0|rounding:half-up,unhedged-min-digits:2")
    assert build_metric("numeric", {"rounding": False}).signature() != metric.signature()
    assert build_metric("numeric", {"tolerance": 0.01}).signature() != metric.signature()
    strict = build_metric("numeric", {"rounding": False})
    assert strict.score(sources=["6.1 million"], candidates=["about 6 million"])[0]["numeric_precision"] == 0.0
    loose = build_metric("numeric", {"min_rounded_digits": 1})
    assert loose.score(sources=["6.1 million"], candidates=["6 million"])[0]["numeric_precision"] == 1.0
    assert metric.score(sources=["6.1 million"], candidates=["6 million"])[0]["numeric_precision"] == 0.0
    assert metric.bounds("numeric_n_source") == (0.0, float("inf")) and metric.direction("numeric_n_source") == "none"
    for bad in ({"tolerance": -1}, {"tolerance": "x"}, {"rounding": "yes"}, {"min_rounded_digits": 0}, {"tol": 1}):
        with pytest.raises(HarnessError):
            build_metric("numeric", bad)


def test_cli_score_json_has_keys_and_discrepancies(cli: Callable[..., Any], tmp_path: Path) -> None:
    source, candidate = tmp_path / "s.txt", tmp_path / "c.txt"
    source.write_text("It paid £500m.", encoding="utf-8")
    candidate.write_text("It paid £500bn.", encoding="utf-8")
    result = cli("score", str(source), str(candidate), "--metrics", "numeric", "--json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert [found[k] for k in KEYS] == [0.0, 0.0, 0.0, 1.0, 1.0]
    (scale, missing) = found["details"]["numeric"]["discrepancies"]
    assert scale["kind"] == "scale" and scale["candidate"]["start"] == 8 and scale["candidate"]["text"] == "£500bn"
    assert missing == {"kind": "missing", "candidate": None, "source": missing["source"]}
    assert cli("score", str(source), str(candidate), "--metrics", "numeric").exit_code == 0


SEED_NUMBERS = {
    # task -> system -> (numeric_precision, numeric_recall) means, hand-checked against the texts.
    "seeds": {"seed-rewrite": (1.0, 1.0), "seed-rewrite-misnumbered": (10 / 14, 9 / 13)},
}


def test_seeds_eval(cli: Callable[..., Any], tmp_path: Path) -> None:
    """On the whole article the rewrite's 14 figures are all backed; the misnumbered one loses 4 of them, one
    of each kind, while ROUGE barely moves."""
    out = tmp_path / "results"
    result = cli("eval", "seeds", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    runs, _ = read_runs(out)
    by_system = {run.system: run for run in runs}
    assert set(by_system) == {"seed-rewrite", "seed-rewrite-misnumbered", "copy", "lead-3"}
    for system, (precision, recall) in SEED_NUMBERS["seeds"].items():
        (row,) = read_examples(by_system[system].path)
        assert row["numeric_precision"] == pytest.approx(precision)
        assert row["numeric_recall"] == pytest.approx(recall)
    (good,) = read_examples(by_system["seed-rewrite"].path)
    (bad,) = read_examples(by_system["seed-rewrite-misnumbered"].path)
    assert abs(good["rougeLsum_f"] - bad["rougeLsum_f"]) < 0.01
    found = [d for d in bad["details"]["numeric"]["discrepancies"] if d["kind"] != "missing"]
    assert sorted(d["kind"] for d in found) == ["bound", "scale", "unit", "value"]
    text = bad["scored_candidate"] if "scored_candidate" in bad else bad["candidate"]
    for discrepancy in found:
        span = discrepancy["candidate"]
        assert text[span["start"] : span["end"]] == span["text"]
    assert {d["candidate"]["text"] for d in found} == {"754,000", "£500bn", "10 miles", "more than 10%"}
    assert good["details"]["numeric"]["discrepancies"] == []


def test_seeds_paragraphs_eval(cli: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "results"
    assert cli("eval", "seeds-paragraphs", "--out", str(out)).exit_code == 0
    runs, _ = read_runs(out)
    means = {run.system: run for run in runs}
    rows = {name: read_examples(run.path) for name, run in means.items()}

    def mean(system: str, key: str) -> float:
        return sum(r[key] for r in rows[system]) / len(rows[system])

    assert mean("copy", "numeric_precision") == 1.0 and mean("copy", "numeric_recall") == 1.0
    assert mean("seed-rewrite-misnumbered", "numeric_precision") < mean("seed-rewrite", "numeric_precision")
    changed = [r for r in rows["seed-rewrite-misnumbered"] if r["numeric_precision"] < 1.0]
    good = {r["id"]: r for r in rows["seed-rewrite"]}
    # Paragraph-level, the rewrite's "two countries" (p01) and "two governments" (p02) have no "two" in
    # their own paragraph; the whole-article task finds it. Only the four changed figures differ.
    assert {r["id"] for r in changed} - {r["id"] for r in rows["seed-rewrite"] if r["numeric_precision"] < 1} == {
        "p10",
        "p11",
        "p15",
        "p16",
    }
    assert all(good[r["id"]]["numeric_n_candidate"] == r["numeric_n_candidate"] for r in changed)


@pytest.mark.slow
def test_evaluate_load_local_numeric(repo: Path) -> None:
    evaluate = pytest.importorskip("evaluate")
    numeric = evaluate.load(str(repo / "metrics" / "numeric"))
    predictions = ["It paid £500bn.", "Migration would add 6.1 million people.", ""]
    references = ["It paid £500m.", SOURCE, "Empty."]
    mean = numeric.compute(predictions=predictions, references=references)
    ours = harness.score(sources=references, candidates=predictions, metrics=["numeric"])
    assert list(mean) == KEYS
    for key in KEYS:
        assert mean[key] == pytest.approx(sum(row[key] for row in ours) / len(ours), abs=1e-15)
    per_example = numeric.compute(predictions=predictions, references=references, use_aggregator=False)
    assert per_example["numeric_precision"] == [0.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="no predictions"):
        numeric.compute(predictions=[], references=[])
