"""Per-example details (e.g. numeric discrepancies) flow from a metric into harness.score, `harness score`
and examples.jsonl, with offsets into the text that was scored."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

import harness
from harness.scoring import registry
from harness.scoring.registry import Metric
from harness.store.store import read_examples, read_runs


class Longest(Metric):
    """A test metric: share of candidate words found in the source, detailing the first word that is not."""

    name = "longest"
    description = "test metric with details"

    def keys(self) -> list[str]:
        return ["longest_p"]

    def signature(self) -> str:
        return "longest|test"

    def score_with_details(
        self, *, sources: Sequence[str], candidates: Sequence[str]
    ) -> tuple[list[dict[str, float]], list[dict[str, Any]] | None]:
        rows, details = [], []
        for source, candidate in zip(sources, candidates):
            words = candidate.split()
            missing = [w for w in words if w not in source.split()]
            rows.append({"longest_p": 1 - len(missing) / len(words) if words else 1.0})
            first = missing[0] if missing else None
            start = candidate.index(first) if first else None
            details.append({"unsupported": first, "start": start})
        return rows, details


@pytest.fixture
def longest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry._REGISTRY, "longest", Longest)


def test_score_details_only_when_asked(longest: None) -> None:
    plain = harness.score(sources=["a b c"], candidates=["a x"], metrics=["longest"])
    assert plain == [{"longest_p": 0.5}]
    (row,) = harness.score(sources=["a b c"], candidates=["a x"], metrics=["longest", "rouge"], details=True)
    assert row["details"] == {"longest": {"unsupported": "x", "start": 2}}  # rouge gives no details
    assert row["rouge1_p"] == 0.5


def test_cli_score_json_carries_details_only_when_there_are_some(
    longest: None, cli: Callable[..., Any], tmp_path: Path
) -> None:
    source, candidate = tmp_path / "s.txt", tmp_path / "c.txt"
    source.write_text("a b c", encoding="utf-8")
    candidate.write_text("a x", encoding="utf-8")
    found = json.loads(cli("score", str(source), str(candidate), "--metrics", "longest", "--json").stdout)
    assert found == {"longest_p": 0.5, "details": {"longest": {"unsupported": "x", "start": 2}}}
    assert "details" not in json.loads(cli("score", str(source), str(candidate), "--json").stdout)


def test_examples_jsonl_stores_details_and_the_scored_text(
    longest: None, cli: Callable[..., Any], make_task: Callable[..., Path], tmp_path: Path
) -> None:
    """Offsets point into `scored_candidate` (the cleaned text) where cleaning changed the candidate."""
    task = make_task(
        body="""\
        name: tiny
        version: 1
        kind: rewrite
        data: data.jsonl
        clean: ['Source: \\S+']
        metrics: [longest]
        primary: longest_p
        """,
        examples=[{"id": "a", "source": "one two three"}],
    )
    (tmp_path / "cands.jsonl").write_text(json.dumps({"id": "a", "candidate": "Source: x\none four"}) + "\n")
    out = tmp_path / "results"
    assert cli("eval", str(task), "--system", f"m=file:{tmp_path / 'cands.jsonl'}", "--out", str(out)).exit_code == 0
    (run,), _ = read_runs(out)
    (row,) = read_examples(run.path)
    assert row["candidate"] == "Source: x\none four"
    assert row["scored_candidate"] == "one four"
    assert row["details"] == {"longest": {"unsupported": "four", "start": 4}}
    assert row["scored_candidate"][4:8] == "four"


def test_a_metric_must_implement_score_or_details() -> None:
    """The two methods default to each other, so a metric with neither is refused when it is defined."""
    with pytest.raises(TypeError, match="must implement score"):

        class Empty(Metric):
            name = "empty"
            description = "no scoring at all"

            def keys(self) -> list[str]:
                return []

            def signature(self) -> str:
                return "empty"
