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


@pytest.mark.slow
def test_evaluate_load_local_extractiveness(repo: Path) -> None:
    evaluate = pytest.importorskip("evaluate")
    module = evaluate.load(str(repo / "metrics" / "extractiveness"))
    mean = module.compute(predictions=PREDICTIONS, references=REFERENCES)
    ours = harness.score(sources=REFERENCES, candidates=PREDICTIONS, metrics=["extractiveness"])
    assert set(mean) == set(ours[0])
    for key in mean:
        assert mean[key] == pytest.approx(sum(row[key] for row in ours) / len(ours), abs=1e-15)
    # Hand-computed: "the cat sat" is one 3-token fragment of "the cat sat on the mat": density 9 / 3.
    one = module.compute(predictions=["the cat sat"], references=["the cat sat on the mat"])
    assert (one["extractiveness_coverage"], one["extractiveness_density"], one["extractiveness_compression"]) == (
        1.0,
        3.0,
        2.0,
    )
    per_example = module.compute(
        predictions=["28-year-old chef"], references=["A 28-year-old chef."], tokenizer="summeval", use_aggregator=False
    )
    assert per_example["extractiveness_compression"] == [6 / 4]  # a, 28-year, -, old, chef, . against 4 tokens
    with pytest.raises(ValueError, match="no predictions"):
        module.compute(predictions=[], references=[])


@pytest.mark.slow
def test_evaluate_load_local_quotes(repo: Path) -> None:
    evaluate = pytest.importorskip("evaluate")
    module = evaluate.load(str(repo / "metrics" / "quotes"))
    predictions = ['He called it "a fine plan".', 'He called it "a great plan".', "He liked the plan."]
    references = ['"A fine plan," he said.'] * 3
    mean = module.compute(predictions=predictions, references=references)
    ours = harness.score(sources=references, candidates=predictions, metrics=["quotes"])
    assert set(mean) == set(ours[0])
    for key in mean:
        assert mean[key] == pytest.approx(sum(row[key] for row in ours) / len(ours), abs=1e-15)
    # Hand-derived: verbatim (edge punctuation and case aside); "a great plan" shares 2 of 3 tokens with "a
    # fine plan" (F1 2/3 >= 0.5): altered; no quote, and the source quote's words are not all there: dropped.
    per_example = module.compute(predictions=predictions, references=references, use_aggregator=False)
    assert per_example == {
        "quotes_precision": [1.0, 0.0, 1.0],
        "quotes_kept": [1.0, 1.0, 0.0],
        "quotes_altered": [0.0, 1.0, 0.0],
        "quotes_fabricated": [0.0, 0.0, 0.0],
    }
    with pytest.raises(ValueError, match="no predictions"):
        module.compute(predictions=[], references=[])


@pytest.mark.slow
def test_evaluate_load_local_certainty(repo: Path) -> None:
    evaluate = pytest.importorskip("evaluate")
    module = evaluate.load(str(repo / "metrics" / "certainty"))
    mean = module.compute(predictions=PREDICTIONS, references=REFERENCES)
    ours = harness.score(sources=REFERENCES, candidates=PREDICTIONS, metrics=["certainty"])
    assert set(mean) == set(ours[0])
    for key in mean:
        assert mean[key] == pytest.approx(sum(row[key] for row in ours) / len(ours), abs=1e-15)
    # Hand-derived: "may" (modality) and "officials said" (attribution) dropped, nothing added: shift 2, one
    # flagged pair; the negation is kept, so no polarity flip.
    one = module.compute(
        predictions=["The bridge will not reopen in June."],
        references=["The bridge may not reopen in June, officials said."],
        use_aggregator=False,
    )
    assert one == {"certainty_shift": [2.0], "certainty_flags": [1.0], "polarity_flips": [0.0]}
    with pytest.raises(ValueError, match="no predictions"):
        module.compute(predictions=[], references=[])


@pytest.mark.slow
def test_evaluate_load_local_entities(repo: Path) -> None:
    evaluate = pytest.importorskip("evaluate")
    module = evaluate.load(str(repo / "metrics" / "entities"))
    mean = module.compute(predictions=PREDICTIONS, references=REFERENCES)
    ours = harness.score(sources=REFERENCES, candidates=PREDICTIONS, metrics=["entities"])
    assert set(mean) == set(ours[0])
    for key in mean:
        assert mean[key] == pytest.approx(sum(row[key] for row in ours) / len(ours), abs=1e-15)
    # Hand-derived from the tagged entities (James Cleverly, German / French, Paris): "German" is the one
    # candidate entity the source lacks, "French" the one source entity the candidate drops.
    one = module.compute(
        predictions=["James Cleverly met the German minister in Paris."],
        references=["James Cleverly met the French minister in Paris."],
        use_aggregator=False,
    )
    assert one == {"entities_precision": [2 / 3], "entities_recall": [2 / 3], "entities_n_candidate": [3.0]}
    lenient = module.compute(predictions=["Obama said so."], references=["Barack Obama spoke."], mode="nan2021")
    assert lenient["entities_precision"] == 1.0
    with pytest.raises(ValueError, match="no predictions"):
        module.compute(predictions=[], references=[])
