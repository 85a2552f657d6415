"""The ``nli`` metric: SummaC-ZS by hand on fixed probabilities, and a tiny random BERT classifier built here
(no download) for ranges, determinism across runs and batch sizes, per-sentence rows and the errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from tiny_nli import build_tiny_nli

from harness.errors import HarnessError
from harness.scoring.registry import build_metric
from metrics.nli import Nli
from metrics.nli import units as nli_units

SOURCE = "The cat sat on the mat. The dog barked at the postman."
CANDIDATE = "A cat sat on a mat. The dog slept all day."


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_nli(tmp_path_factory.mktemp("nli") / "tiny-mnli")


class FixedProbabilities:
    """A stand-in classifier: fixed (entailment, neutral, contradiction) per (premise, hypothesis)."""

    def __init__(self, table: dict[tuple[str, str], tuple[float, float, float]]) -> None:
        self.table = table
        self.asked: list[tuple[str, str]] = []

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> tuple[list[Any], list[bool]]:
        self.asked.extend(pairs)
        return [self.table[pair] for pair in pairs], [False] * len(pairs)


def test_summac_zs_by_hand_on_fixed_probabilities(tmp_path: Path) -> None:
    s1, s2 = "The cat sat on the mat.", "The dog barked at the postman."
    c1, c2 = "A cat sat on a mat.", "The dog slept all day."
    metric = Nli(model=str(tmp_path))
    metric._classifier = FixedProbabilities(  # type: ignore[assignment]
        {
            (s1, c1): (0.9, 0.05, 0.05),  # e - c = 0.85: c1's best unit is s1
            (s2, c1): (0.1, 0.3, 0.6),  # -0.5
            (s1, c2): (0.2, 0.5, 0.3),  # -0.1: c2's best unit is s1 too
            (s2, c2): (0.3, 0.1, 0.6),  # -0.3
        }
    )
    rows, details = metric.score_with_details(sources=[SOURCE], candidates=[CANDIDATE])
    # SummaC-ZS by hand: best per candidate sentence 0.85 and -0.1; mean 0.375, min -0.1.
    assert rows == [{"nli_score": ((0.9 - 0.05) + (0.2 - 0.3)) / 2, "nli_min": 0.2 - 0.3}]
    assert rows[0]["nli_score"] == pytest.approx(0.375, abs=1e-15)
    assert details is not None
    first, second = details[0]["sentences"]
    assert (first["text"], first["start"], first["end"]) == (c1, 0, 19)
    assert (first["source_start"], first["source_end"]) == (0, 23) and SOURCE[0:23] == s1
    assert (first["entailment"], first["neutral"], first["contradiction"]) == (0.9, 0.05, 0.05)
    assert first["label"] == "entailment" and first["supported"] is True
    assert (second["text"], second["start"], second["end"]) == (c2, 20, 42) and CANDIDATE[20:42] == c2
    assert second["label"] == "neutral" and second["supported"] is False
    # Each distinct pair is asked once.
    assert len(metric._classifier.asked) == 4  # type: ignore[attr-defined]


def test_empty_candidate_or_source_scores_zero_with_a_note(tmp_path: Path) -> None:
    metric = Nli(model=str(tmp_path))
    metric._classifier = FixedProbabilities({})  # type: ignore[assignment]
    rows, details = metric.score_with_details(sources=[SOURCE, ""], candidates=["", CANDIDATE])
    assert rows == [{"nli_score": 0.0, "nli_min": 0.0}] * 2
    assert details is not None and [d["empty"] for d in details] == ["candidate", "source"]


def test_tiny_model_scores_in_range_and_deterministic(tiny: Path) -> None:
    sources = [SOURCE, SOURCE, "Prices rose 3% in May.\nThe bank held rates.", "One line only."]
    candidates = [CANDIDATE, "The cat sat.", "Prices fell 3% in May. The bank cut rates. Markets cheered.", "Other."]
    metric = Nli(model=str(tiny))
    rows = metric.score(sources=sources, candidates=candidates)
    for row in rows:
        assert list(row) == ["nli_score", "nli_min"]
        assert all(-1.0 <= v <= 1.0 for v in row.values())
        assert row["nli_min"] <= row["nli_score"]
    assert len({row["nli_score"] for row in rows}) == len(rows)  # random weights still tell the pairs apart
    # Identical across runs and fresh instances: the same call gives the same bits.
    assert metric.score(sources=sources, candidates=candidates) == rows
    assert Nli(model=str(tiny)).score(sources=sources, candidates=candidates) == rows
    # Across batch sizes and batch composition (one by one, reversed), only float32 rounding moves: < 1e-6.
    others = [
        Nli(model=str(tiny), batch_size=size).score(sources=sources, candidates=candidates) for size in (1, 2, 3, 64)
    ]
    others.append([metric.score(sources=[s], candidates=[c])[0] for s, c in zip(sources, candidates)])
    others.append(metric.score(sources=sources[::-1], candidates=candidates[::-1])[::-1])
    spread = max(abs(row[k] - base[k]) for other in others for row, base in zip(other, rows) for k in row)
    assert spread < 1e-6


def test_a_changed_sentence_changes_its_row_only(tiny: Path) -> None:
    metric = Nli(model=str(tiny))
    changed = "A cat sat on a mat. The dog barked at the mailman."
    rows, details = metric.score_with_details(sources=[SOURCE, SOURCE], candidates=[CANDIDATE, changed])
    assert details is not None
    before, after = details[0]["sentences"], details[1]["sentences"]
    assert before[0] == after[0]  # the same first sentence: the same verdict, unit and probabilities
    assert before[1]["text"] != after[1]["text"]
    assert (before[1]["entailment"], before[1]["contradiction"]) != (after[1]["entailment"], after[1]["contradiction"])
    assert rows[0] != rows[1]


def test_chunks_pack_whole_sentences(tiny: Path) -> None:
    text = "One two three. Four five.\nSix seven eight nine. Ten."
    found = nli_units.chunks(text, 5)
    assert [(u.text, u.start, u.end) for u in found] == [
        ("One two three. Four five.", 0, 25),
        ("Six seven eight nine. Ten.", 26, 52),
    ]
    assert [u.text for u in nli_units.chunks(text, 350)] == [text]
    long_source = " ".join(f"Sentence number {i} says the value was {i * 7}." for i in range(40))
    metric = Nli(model=str(tiny), source_unit="chunk")
    rows, details = metric.score_with_details(sources=[long_source], candidates=["The value was 21."])
    assert details is not None and -1.0 <= rows[0]["nli_score"] <= 1.0
    # 40 eight-word sentences fit one 350-token chunk, which is longer than the tiny model's 128 positions.
    assert details[0]["truncated_pairs"] == 1
    assert "unit:chunk350w" in metric.signature()


def test_signature_names_checkpoint_weights_and_unit(tiny: Path) -> None:
    signature = Nli(model=str(tiny)).signature()
    assert signature.startswith(f"nli|model:{tiny}|weights:sha256:")
    assert "unit:sentence" in signature and "labels:id2label" in signature
    assert Nli(model=str(tiny)).signature() == signature
    assert Nli().signature().startswith("nli|model:unset|")


def test_missing_model_is_a_one_line_error(tmp_path: Path) -> None:
    metric = build_metric("nli")  # listing and signing need no model
    with pytest.raises(HarnessError) as caught:
        metric.score(sources=[SOURCE], candidates=[CANDIDATE])
    assert "\n" not in str(caught.value) and "--metric-option nli.model=" in str(caught.value)
    with pytest.raises(HarnessError, match="model folder './no-such-model' does not exist"):
        Nli(model="./no-such-model")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(HarnessError, match="cannot load the NLI checkpoint") as caught:
        Nli(model=str(empty)).score(sources=[SOURCE], candidates=[CANDIDATE])
    assert "\n" not in str(caught.value)


def test_missing_labels_name_the_config_unless_given(tmp_path: Path) -> None:
    folder = build_tiny_nli(tmp_path / "no-labels", id2label=None)
    with pytest.raises(HarnessError) as caught:
        Nli(model=str(folder)).score(sources=[SOURCE], candidates=[CANDIDATE])
    message = str(caught.value)
    assert "\n" not in message and str(folder / "config.json") in message
    assert "labels: {entailment: 0, contradiction: 2}" in message
    given = Nli(model=str(folder), labels={"entailment": 0, "contradiction": 2})
    assert -1.0 <= given.score(sources=[SOURCE], candidates=[CANDIDATE])[0]["nli_score"] <= 1.0
    assert "labels:e0,c2" in given.signature()
    with pytest.raises(HarnessError, match="labels.contradiction is 5, but"):
        Nli(model=str(folder), labels={"entailment": 0, "contradiction": 5}).score(sources=["a."], candidates=["b."])
    with pytest.raises(HarnessError, match="'labels' must be"):
        Nli(model=str(folder), labels={"entail": 0})


def test_swapped_labels_mirror_the_score(tiny: Path) -> None:
    # The same logits with entailment and contradiction exchanged: every pair's P(e) - P(c) changes sign. With a
    # one-sentence source each candidate sentence has one unit, so its score is exactly negated, and so is the mean.
    plain = Nli(model=str(tiny), labels={"entailment": 0, "contradiction": 2})
    swapped = Nli(model=str(tiny), labels={"entailment": 2, "contradiction": 0})
    texts = {"sources": ["The cat sat on the mat."], "candidates": ["A cat sat. The dog slept."]}
    (row, detail), (mirror, mirror_detail) = (
        (rows[0], details[0])
        for rows, details in (plain.score_with_details(**texts), swapped.score_with_details(**texts))  # type: ignore[misc]
    )
    assert [s["score"] for s in mirror_detail["sentences"]] == [-s["score"] for s in detail["sentences"]]
    assert mirror["nli_score"] == -row["nli_score"]
    assert mirror["nli_min"] == -max(s["score"] for s in detail["sentences"])


def test_cli_score_with_metric_option(tiny: Path, tmp_path: Path, cli: Any) -> None:
    (tmp_path / "s.txt").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "c.txt").write_text(CANDIDATE, encoding="utf-8")
    args = [str(tmp_path / "s.txt"), str(tmp_path / "c.txt"), "--metrics", "nli", "--json"]
    result = cli("score", *args, "--metric-option", f"nli.model={tiny}")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["nli_score"] == Nli(model=str(tiny)).score(sources=[SOURCE], candidates=[CANDIDATE])[0]["nli_score"]
    assert [s["text"] for s in found["details"]["nli"]["sentences"]] == [
        "A cat sat on a mat.",
        "The dog slept all day.",
    ]
    missing = cli("score", *args)
    assert missing.exit_code == 1 and "nli.model=" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_evaluate_modules_of_nli_and_judge(tiny: Path, repo: Path, tmp_path: Path) -> None:
    evaluate = pytest.importorskip("evaluate")
    nli = evaluate.load(str(repo / "metrics" / "nli"))
    found = nli.compute(predictions=[CANDIDATE], references=[SOURCE], model=str(tiny), use_aggregator=False)
    assert found == {k: [v] for k, v in Nli(model=str(tiny)).score(sources=[SOURCE], candidates=[CANDIDATE])[0].items()}
    script = tmp_path / "judge.sh"
    script.write_text('#!/bin/sh\necho "Score: 4"\n', encoding="utf-8")
    script.chmod(0o755)
    judge = evaluate.load(str(repo / "metrics" / "judge"))
    assert judge.compute(predictions=[CANDIDATE], references=[SOURCE], model=f"command:{script}", cache=False) == {
        "judge_score": 0.75,
        "judge_sd": 0.0,
    }
