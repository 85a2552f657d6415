"""Contract test over every registered metric: lengths, keys, finite values within bounds, determinism,
empty input, a signature, and an evaluate module beside it."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

from harness.scoring.registry import build_metric, metric_class, metric_names

SOURCES = [
    "UK security experts will help France to protect the Paris Olympics, the Home Office has said.",
    "Net migration would increase the population by nearly 10%, or 6.1 million people, by mid-2036.",
    "Ünïcödé téxt — with «quotes» and 漢字.",
    "A source whose candidate is empty.",
    "",
]
CANDIDATES = [
    "The Home Office said British experts will help protect the Paris Olympics.",
    "Net migration would add 6.1 million people, nearly 10%, by 2036.",
    "Ünïcödé téxt.",
    "",
    "A candidate for an empty source.",
]
METRICS = metric_names()
# Scoring in other groupings may move a model's float32 logits in the last bits (metrics/nli/classifier.py).
TOLERANCE = {"nli": 1e-6}


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Options for the metrics whose required options have no default: a tiny random NLI checkpoint built here
    (tests/tiny_nli.py) and a deterministic command judge (its rating follows the prompt's length)."""
    from tiny_nli import build_tiny_nli

    folder = tmp_path_factory.mktemp("contract")
    script = folder / "judge.sh"
    script.write_text('#!/bin/sh\nn=$(wc -c)\necho "Rating: $(( n % 5 + 1 ))"\n', encoding="utf-8")
    script.chmod(0o755)
    return {
        "nli": {"model": str(build_tiny_nli(folder / "nli"))},
        "judge": {"model": f"command:{script}", "cache": False},
    }


def test_rouge_is_registered() -> None:
    assert "rouge" in METRICS


@pytest.mark.parametrize("name", METRICS)
def test_metric_contract(name: str, configured: dict[str, dict[str, Any]]) -> None:
    required = metric_class(name).required_options
    assert all(option in configured.get(name, {}) for option in required), f"configure {name}'s {required} here"
    options = configured.get(name)
    metric = build_metric(name, options)
    rows = metric.score(sources=SOURCES, candidates=CANDIDATES)
    assert len(rows) == len(SOURCES)
    keys = metric.keys()
    assert keys and len(keys) == len(set(keys))
    for key in keys:
        assert re.fullmatch(r"[A-Za-z0-9]+_[a-z0-9_]+", key), f"{key} is not <metric>_<part>"
    for row in rows:
        assert list(row) == keys
        for key, value in row.items():
            low, high = metric.bounds(key)
            assert isinstance(value, float) and math.isfinite(value) and low <= value <= high, (key, value)
    # Deterministic: the same instance twice, and a fresh instance, give identical numbers.
    assert metric.score(sources=SOURCES, candidates=CANDIDATES) == rows
    assert build_metric(name, options).score(sources=SOURCES, candidates=CANDIDATES) == rows
    # Order-independent per example: scoring pairs one at a time gives the same rows.
    one_by_one = [metric.score(sources=[s], candidates=[c])[0] for s, c in zip(SOURCES, CANDIDATES)]
    if name in TOLERANCE:
        assert [list(row) for row in one_by_one] == [list(row) for row in rows]
        assert all(abs(a[k] - b[k]) <= TOLERANCE[name] for a, b in zip(one_by_one, rows) for k in a)
    else:
        assert one_by_one == rows
    assert metric.score(sources=[], candidates=[]) == []
    signature = metric.signature()
    assert signature.startswith(name + "|") and signature == build_metric(name, options).signature()
    # What the compact leaderboard shows: some of the metric's own keys, in its order.
    headline = metric.headline_keys()
    assert headline and headline == [key for key in keys if key in headline]
    assert metric.description


@pytest.mark.parametrize("name", METRICS)
def test_metric_has_evaluate_module(name: str, repo: Path) -> None:
    script = repo / "metrics" / name / f"{name}.py"
    assert script.is_file()
    assert "evaluate.Metric" in script.read_text(encoding="utf-8")
