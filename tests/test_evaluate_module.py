"""Each metric loads as a local Hugging Face evaluate module and gives the harness's own numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

import harness

PREDICTIONS = ["testing", "The Home Office said experts will help.", ""]
REFERENCES = ["testing one two", "UK security experts will help France, the Home Office has said.", "Empty."]


@pytest.mark.slow
def test_evaluate_load_local_rouge(repo: Path) -> None:
    evaluate = pytest.importorskip("evaluate")  # a hard dependency; importorskip only to get the module
    rouge = evaluate.load(str(repo / "metrics" / "rouge"))
    mean = rouge.compute(predictions=PREDICTIONS, references=REFERENCES)
    ours = harness.score(sources=REFERENCES, candidates=PREDICTIONS, metrics=["rouge"])
    assert set(mean) == set(ours[0])
    for key in mean:
        assert mean[key] == pytest.approx(sum(row[key] for row in ours) / len(ours), abs=1e-15)
    # The ROUGE-1.5.5 golden case from rouge-score's tests, through evaluate.
    one = rouge.compute(predictions=["testing"], references=["testing one two"])
    assert (one["rouge1_p"], one["rouge1_r"], one["rouge1_f"]) == (1.0, pytest.approx(1 / 3), pytest.approx(0.5))
    per_example = rouge.compute(
        predictions=PREDICTIONS, references=REFERENCES, use_aggregator=False, rouge_types=["rouge1"], use_stemmer=False
    )
    assert list(per_example) == ["rouge1_p", "rouge1_r", "rouge1_f"]
    assert per_example["rouge1_f"][0] == 0.5 and per_example["rouge1_f"][2] == 0.0
    with pytest.raises(ValueError, match="no predictions"):
        rouge.compute(predictions=[], references=[])
