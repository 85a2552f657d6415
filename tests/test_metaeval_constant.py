"""Meta-evaluation that cannot mislead (issue 17): a key constant in every group is shown as constant and kept
out of the ranking and the clusters; a metric with no key that has a better direction is refused before any
scoring; a key constant in most groups, and a sparse key at FRANK's partial level, carry a warning.

The data are real scores: the judged task of ``test_metaeval_cli`` has candidates that are prefixes of their
sources, so every ROUGE precision is exactly 1.0 (checked on the run files below, not assumed). ROUGE alone is
used: the numeric metric's extractor is being rewritten, and these tests are about the statistics.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import write_jsonl
from test_metaeval_cli import SOURCES, _fails, _human_task, _runs

from harness.metaeval import levels
from harness.store.store import examples_by_id


def _scores(results: Path, key: str) -> dict[str, dict[str, float]]:
    """system -> example id -> the key's score, from every run file that has the key."""
    out: dict[str, dict[str, float]] = {}
    for run in _runs(results):
        system = json.loads(run.read_text(encoding="utf-8"))["system"]["name"]
        for i, row in examples_by_id(run.parent).items():
            if key in row:
                out.setdefault(system, {})[i] = float(row[key])
    return out


def test_a_constant_key_is_shown_as_constant_and_not_ranked(cli: Callable[..., Any], tmp_path: Path) -> None:
    task, results = _human_task(tmp_path), tmp_path / "results"
    found = cli(
        "meta-eval", str(task), "--metrics", "rouge", "--results", str(results), "--resamples", "30",
        "--format", "json",
    )  # fmt: skip
    assert found.exit_code == 0, found.stderr
    # Provenance: every candidate is a prefix of its source, so ROUGE-1 precision is 1.0 for all 20 summaries.
    precision = _scores(results, "rouge1_p")
    assert len(precision) == 4 and {v for by_id in precision.values() for v in by_id.values()} == {1.0}
    (dataset,) = json.loads(found.stdout)["datasets"]
    for level in dataset["levels"]:
        constant = {item["key"]: item for item in level["constant_keys"]}
        assert set(constant) == {"rouge1_p", "rouge2_p", "rougeL_p", "rougeLsum_p"}, level["level"]
        for block in level["coefficients"].values():
            ranked = {row["key"] for row in block["results"]}
            assert not ranked & set(constant)  # not ranked, so never in a cluster
            for pair in block.get("significance", {}).get("pairs", []):
                assert pair["a"] not in constant and pair["b"] not in constant
    summary = dataset["levels"][0]
    assert summary["constant_keys"][0] == {"key": "rouge1_p", "constant_in": 5, "groups": 5, "unit": "documents"}
    # The table says so in words, and in the value cells.
    table = cli("meta-eval", str(task), "--metrics", "rouge", "--results", str(results), "--resamples", "30")
    assert "rouge1_p is constant in every one of the 5 documents" in table.stdout
    line = next(row for row in table.stdout.splitlines() if row.split()[1:2] == ["rouge1_p"])
    assert line.split()[0] == "-" and line.count("constant") == 3


def _mostly_same_task(tmp_path: Path) -> Path:
    """Five documents, three systems: in documents d0-d2 every system writes the same candidate (its first
    words), in d3 and d4 ever shorter prefixes; people's scores differ in every document."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    write_jsonl(tmp_path / "docs.jsonl", [{"id": f"d{i}", "source": s} for i, s in enumerate(SOURCES)])
    lines = []
    for j in range(3):
        rows = []
        for i, source in enumerate(SOURCES):
            words = source.split()
            keep = 6 if i < 3 else len(words) - 3 * j
            rows.append({"id": f"d{i}", "candidate": " ".join(words[:keep]), "quality": float((i + j) % 3)})
        write_jsonl(tmp_path / f"s{j}.jsonl", rows)
        lines.append(f"  s{j}: file:s{j}.jsonl")
    task = tmp_path / "mostly.yaml"
    body = "name: mostly\nversion: 1\nkind: summarise\ndata: docs.jsonl\nmetrics: [rouge]\nprimary: rouge1_f\n"
    task.write_text(body + "human: [quality]\nsystems:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return task


def test_a_key_constant_in_most_documents_carries_a_warning(cli: Callable[..., Any], tmp_path: Path) -> None:
    task, results = _mostly_same_task(tmp_path), tmp_path / "results"
    found = cli(
        "meta-eval", str(task), "--results", str(results), "--resamples", "30", "--level", "summary",
        "--format", "json",
    )  # fmt: skip
    assert found.exit_code == 0, found.stderr
    # From the run files: in how many documents do the 3 systems give rouge1_f one value?
    f1 = _scores(results, "rouge1_f")
    flat = sum(len({f1[s][f"d{i}"] for s in f1}) == 1 for i in range(5))
    assert flat == 3  # d0-d2, where the candidates are the same: "most" of 5, so the warning must fire
    summary = json.loads(found.stdout)["datasets"][0]["levels"][0]
    assert summary["n"]["used"] == 5
    assert summary["warnings"]["rouge1_f"] == "constant in 3 of 5 documents (scored 0 there)"
    assert "rouge1_f" in {row["key"] for row in summary["coefficients"]["kendall_tau_b"]["results"]}  # still ranked
    # Precision is 1.0 for a prefix everywhere: constant in all 5, so not ranked (and not warned about).
    assert "rouge1_p" in {item["key"] for item in summary["constant_keys"]} and "rouge1_p" not in summary["warnings"]
    table = cli("meta-eval", str(task), "--results", str(results), "--resamples", "30", "--level", "summary")
    assert "warning: rouge1_f: constant in 3 of 5 documents (scored 0 there)." in table.stdout


def test_a_metric_without_directions_is_refused_before_scoring(cli: Callable[..., Any], tmp_path: Path) -> None:
    task, results = _human_task(tmp_path), tmp_path / "results"
    refused = cli("meta-eval", str(task), "--metrics", "extractiveness", "--results", str(results))
    _fails(refused, "metric 'extractiveness' has no score keys with a better direction")
    assert "scoring" not in refused.stderr and not _runs(results)


def test_constant_groups_and_modal_share_by_hand() -> None:
    """3 documents x 3 systems; x constant in document 0 and within system 2; NaN where absent."""
    x = np.array([[0.5, 0.5, 0.5], [0.1, 0.9, 0.5], [0.2, 0.4, 0.5]])
    h = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [2.0, 2.0, 2.0]])
    present = np.ones((3, 3), dtype=bool)
    # summary: document 2 is skipped (people constant); of the 2 used, x is constant in document 0.
    assert levels.constant_groups(levels.SUMMARY, x, h, present) == (1, 2, "documents")
    # partial: within systems, only system 2 (0.5, 0.5, 0.5) is constant.
    assert levels.constant_groups(levels.PARTIAL, x, h, present) == (1, 3, "systems")
    assert levels.constant_groups(levels.GLOBAL, x, h, present) == (0, 1, "pool of summaries")
    # system means 0.2667, 0.6, 0.5: not constant; all 0.5 would be.
    assert levels.constant_groups(levels.SYSTEM, x, h, present) == (0, 1, "system means")
    assert levels.constant_groups(levels.SYSTEM, np.full((3, 3), 0.5), h, present) == (1, 1, "system means")
    # 5 of the 9 cells hold 0.5.
    value, share = levels.modal_share(x, present)
    assert value == 0.5 and share == pytest.approx(5 / 9)


@pytest.mark.slow
def test_frank_partial_correlation_of_a_sparse_key_carries_a_warning(cli: Callable[..., Any], tmp_path: Path) -> None:
    """On FRANK's test split most summaries have no figure, so numeric precision is 1.0 for most of them."""
    results = tmp_path / "results"
    found = cli(
        "meta-eval", "frank", "--metrics", "numeric", "--level", "partial", "--resamples", "20", "--format", "json",
        "--results", str(results),
    )  # fmt: skip
    assert found.exit_code == 0, found.stderr
    (dataset,) = json.loads(found.stdout)["datasets"]
    # From the run file and the data: the share of test-split summaries with numeric_precision 1.0.
    (run,) = _runs(results)
    rows = examples_by_id(run.parent)
    import gzip

    from harness.read.tasks import find_task, load_task

    task = load_task(find_task("frank"))
    with gzip.open(task.base_dir / "../data/metaeval/frank/summaries.jsonl.gz", "rt", encoding="utf-8") as handle:
        test_ids = {r["id"] for r in map(json.loads, handle) if r.get("split") == "test"}
    ones = sum(float(rows[i]["numeric_precision"]) == 1.0 for i in test_ids)
    assert len(test_ids) == dataset["shape"]["summaries"] == 1575
    share = ones / len(test_ids)
    assert share > 0.5
    (partial,) = dataset["levels"]
    warning = partial["warnings"]["numeric_precision"]
    assert warning.startswith(f"sparse: {share:.0%} of the 1575 summaries have numeric_precision = 1, so")
    assert warning.endswith(f"rests on the other {1575 - ones}")
